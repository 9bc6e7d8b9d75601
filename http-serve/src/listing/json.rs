//! The listing as JSON for scripts, in the same order as the page:
//! `{"path": "/a/", "sort": "name", "order": "asc", "entries": [{"name",
//! "type", "size", "modified", "href"}]}`. Made in parts like the page.

use std::fmt::Write as _;

use super::{Frame, Row, Table, href};
use crate::escape;

/// `{"path":...,"sort":...,"order":...,"entries":[`.
pub fn head(frame: &Frame, out: &mut Vec<u8>) {
    let mut s = String::from("{\"path\":");
    escape::json_string(&mut s, &String::from_utf8_lossy(&super::shown_path(&frame.segments)));
    let order = if frame.order.descending { "desc" } else { "asc" };
    let _ = write!(s, ",\"sort\":\"{}\",\"order\":\"{order}\",\"entries\":[", frame.order.key.word());
    out.extend_from_slice(s.as_bytes());
}

/// One entry, with a comma before it unless it is the first.
pub fn row(table: &Table, r: &Row, first: bool, out: &mut Vec<u8>) {
    let name = table.name(r);
    let mut s = String::with_capacity(160);
    if !first {
        s.push(',');
    }
    s.push_str("{\"name\":");
    escape::json_string(&mut s, &String::from_utf8_lossy(name));
    let kind = if r.dir { "directory" } else { "file" };
    let _ = write!(s, ",\"type\":\"{kind}\",\"size\":{},\"modified\":", r.size);
    escape::json_string(&mut s, &shared::http::date::format_rfc3339(r.modified()));
    s.push_str(",\"href\":");
    escape::json_string(&mut s, &href(name, r.dir));
    s.push('}');
    out.extend_from_slice(s.as_bytes());
}

/// `]}` and a newline.
pub fn tail(out: &mut Vec<u8>) {
    out.extend_from_slice(b"]}\n");
}

#[cfg(test)]
mod tests {
    use super::super::tests::at;
    use super::super::{Form, Key, Order, render};
    use super::*;

    #[test]
    fn lists_entries_in_the_asked_order() {
        let mut t = Table::default();
        t.push(b"q\"x", false, 5, at(1_795_528_320));
        t.push(b"d", true, 0, at(1_795_528_320));
        t.push(b"big", false, 50, at(1_795_528_320));
        let order = Order { key: Key::Size, descending: true };
        t.sort(order);
        let got = String::from_utf8(render(t, Frame { segments: vec![], order, upload: false }, Form::Json)).unwrap();
        assert_eq!(
            got,
            "{\"path\":\"/\",\"sort\":\"size\",\"order\":\"desc\",\"entries\":[\
             {\"name\":\"d\",\"type\":\"directory\",\"size\":0,\"modified\":\"2026-11-24T13:52:00Z\",\"href\":\"d/\"},\
             {\"name\":\"big\",\"type\":\"file\",\"size\":50,\"modified\":\"2026-11-24T13:52:00Z\",\"href\":\"big\"},\
             {\"name\":\"q\\\"x\",\"type\":\"file\",\"size\":5,\"modified\":\"2026-11-24T13:52:00Z\",\"href\":\"q%22x\"}]}\n"
        );
    }
}
