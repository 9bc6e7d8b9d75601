//! Serving one file: a precompressed sibling when the client accepts it,
//! conditional requests (304), ranges (206, multipart, 416), and the head
//! fields a browser and a cache need.
//!
//! Small files travel in the same write as their head; larger ones are
//! sent straight from the file by the caller.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;
use std::time::SystemTime;

use shared::http::etag::{ETag, none_match};
use shared::http::headers::Headers;
use shared::http::range::{self, Selection};

use crate::beneath::Root;
use crate::multipart::{boundary, layout};
use crate::resolve::Rules;
use crate::response::{Common, PageOptions, Piece, Plan, Rest, html_page};

/// Files up to this size are read into the head buffer: one write per
/// response instead of a write and a sendfile.
const SMALL_FILE: u64 = 64 * 1024;

/// Most ranges honoured in one request; more and the whole file is sent.
pub const MAX_RANGES: usize = 16;

/// How the response should end and what it answers.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// The request's fields.
    pub headers: &'a Headers,
    /// HEAD: the same head, no body.
    pub head_only: bool,
    /// The connection closes after this response.
    pub close: bool,
    /// HTTP/1.0 client on a kept-alive connection (needs `Connection: keep-alive`).
    pub keep_alive_1_0: bool,
}

impl Exchange<'_> {
    /// Adds the Connection field the exchange needs.
    pub fn connection(&self, head: &mut shared::http::reply::HeadWriter<'_>) {
        crate::response::connection(head, self.close, self.keep_alive_1_0);
    }
}

/// The Content-Type for a file name: mime_guess's answer, with
/// `charset=utf-8` on text types so a browser does not guess the encoding.
pub fn content_type(path: &Path) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let essence = mime.essence_str();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(essence, "application/javascript" | "application/json" | "application/xml" | "image/svg+xml");
    if textual && mime.get_param("charset").is_none() {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_string()
    }
}

/// Whether the client accepts `coding` (`gzip`, `br`) by Accept-Encoding:
/// listed (or `*`) with a q-value above zero.
fn accepts(headers: &Headers, coding: &str) -> bool {
    let mut star = false;
    for element in headers.list("accept-encoding") {
        let mut parts = element.split(|&b| b == b';');
        let name = shared::http::headers::trim(parts.next().unwrap_or_default());
        let zero = parts.any(|p| {
            let p = shared::http::headers::trim(p);
            p.len() >= 2 && p[..2].eq_ignore_ascii_case(b"q=") && p[2..].iter().all(|&b| b == b'0' || b == b'.')
        });
        if name.eq_ignore_ascii_case(coding.as_bytes()) {
            return !zero;
        }
        if name == b"*" {
            star = !zero;
        }
    }
    star
}

/// Looks for `FILE.br` / `FILE.gz` the client accepts, opened beneath the
/// root by the same rules as FILE itself. Returns the open variant, its
/// metadata and coding, and whether one was found (the response then varies
/// on Accept-Encoding).
fn precompressed(
    headers: &Headers,
    root: &Root,
    rules: Rules,
    segments: &[Vec<u8>],
) -> (Option<(File, Metadata, &'static str)>, bool) {
    let mut url_path = Vec::new();
    for s in segments {
        url_path.push(b'/');
        url_path.extend_from_slice(s);
    }
    for (coding, ext) in [("br", "br"), ("gzip", "gz")] {
        if !accepts(headers, coding) {
            continue;
        }
        let mut sibling = url_path.clone();
        sibling.push(b'.');
        sibling.extend_from_slice(ext.as_bytes());
        if let Ok(found) = crate::beneath::open(root, &sibling, rules)
            && found.meta.is_file()
        {
            return (Some((found.file, found.meta, coding)), true);
        }
    }
    (None, false)
}

/// Everything needed to answer for one file.
#[derive(Debug)]
pub struct FileRequest<'a> {
    /// The path asked for (for Content-Type and variants).
    pub path: &'a Path,
    /// The open file.
    pub file: File,
    /// Its metadata (from the open handle).
    pub meta: Metadata,
    /// Its segments below the root (for `FILE.gz` beside it).
    pub segments: &'a [Vec<u8>],
    /// The root, to open variants beneath.
    pub root: &'a Root,
    /// The rules the file was opened by; variants follow them too.
    pub rules: Rules,
}

/// Answers a GET or HEAD for a regular file.
pub fn serve(common: &mut Common, buf: &mut Vec<u8>, ex: &Exchange<'_>, req: FileRequest<'_>) -> Plan {
    let ctype = common.content_type(req.path);
    let (variant, vary) = precompressed(ex.headers, req.root, req.rules, req.segments);
    let (file, meta, coding) = match variant {
        Some((f, m, c)) => (f, m, Some(c)),
        None => (req.file, req.meta, None),
    };
    let len = meta.len();
    let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let etag = ETag::for_file(len, mtime);
    let last_modified = shared::http::date::truncate(mtime);
    let last_modified_text = shared::http::date::format(last_modified);

    // Fields shared by 200, 206 and 304.
    let validators = |head: &mut shared::http::reply::HeadWriter<'_>| {
        head.header("ETag", &etag)
            .header("Last-Modified", &last_modified_text)
            .header("Cache-Control", "no-cache")
            .header("Accept-Ranges", "bytes");
        if vary {
            head.header("Vary", "Accept-Encoding");
        }
        if let Some(c) = coding {
            head.header("Content-Encoding", c);
        }
    };

    if not_modified(ex.headers, &etag, last_modified) {
        let mut head = common.start(buf, 304);
        validators(&mut head);
        ex.connection(&mut head);
        head.end();
        return Plan::buffered(304, 0, ex.close);
    }

    let ranges = match ex.headers.get("range") {
        Some(value) if if_range_holds(ex.headers, &etag, last_modified) => {
            range::parse(value, MAX_RANGES).map_or(Selection::Full, |specs| range::resolve(&specs, len))
        }
        _ => Selection::Full,
    };

    match ranges {
        Selection::Unsatisfiable => {
            let cr = format!("bytes */{len}");
            let opts = PageOptions {
                head_only: ex.head_only,
                close: ex.close,
                keep_alive_1_0: ex.keep_alive_1_0,
                extra: &[("Content-Range", &cr)],
            };
            html_page(common, buf, 416, "The requested range is outside the file.", opts)
        }
        Selection::Partial(rs) if rs.len() == 1 => {
            let r = &rs[0];
            let mut head = common.start(buf, 206);
            head.header("Content-Type", &ctype)
                .header("Content-Length", r.end - r.start)
                .header("Content-Range", format_args!("bytes {}-{}/{len}", r.start, r.end - 1));
            validators(&mut head);
            ex.connection(&mut head);
            head.end();
            body_from(buf, file, r.start, r.end - r.start, 206, ex)
        }
        Selection::Partial(rs) => {
            let b = boundary(&etag.tag);
            let (pieces, body_len) = layout(&ctype, len, &rs, &b);
            let mut head = common.start(buf, 206);
            head.header("Content-Type", format_args!("multipart/byteranges; boundary={b}"))
                .header("Content-Length", body_len);
            validators(&mut head);
            ex.connection(&mut head);
            head.end();
            if ex.head_only {
                return Plan::buffered(206, 0, ex.close);
            }
            Plan { status: 206, body_len, close: ex.close, rest: Rest { file: Some(file), pieces } }
        }
        Selection::Full => {
            let mut head = common.start(buf, 200);
            head.header("Content-Type", &ctype).header("Content-Length", len);
            validators(&mut head);
            ex.connection(&mut head);
            head.end();
            body_from(buf, file, 0, len, 200, ex)
        }
    }
}

/// Plans `len` bytes of `file` from `start` after the head already in `buf`:
/// read into the buffer when small (one write for head and body), else
/// left for sendfile.
fn body_from(buf: &mut Vec<u8>, mut file: File, start: u64, len: u64, status: u16, ex: &Exchange<'_>) -> Plan {
    if ex.head_only {
        return Plan::buffered(status, 0, ex.close);
    }
    if len <= SMALL_FILE && start == 0 {
        let before = buf.len();
        let read = Read::by_ref(&mut file).take(len).read_to_end(buf);
        let got = buf.len() - before;
        if read.is_err() || got as u64 != len {
            // The file changed under us; the length sent cannot be kept, so
            // the client must see the connection close.
            return Plan::buffered(status, got as u64, true);
        }
        return Plan::buffered(status, len, ex.close);
    }
    let mut pieces = std::collections::VecDeque::with_capacity(1);
    pieces.push_back(Piece::File { start, end: start + len });
    Plan { status, body_len: len, close: ex.close, rest: Rest { file: Some(file), pieces } }
}

/// RFC 9110 13.2.2: If-None-Match (weak comparison) decides when present;
/// otherwise If-Modified-Since, compared as dates.
fn not_modified(headers: &Headers, etag: &ETag, last_modified: SystemTime) -> bool {
    if headers.contains("if-none-match") {
        return headers.get_all("if-none-match").any(|v| none_match(&String::from_utf8_lossy(v), etag));
    }
    match headers.get_str("if-modified-since").map(shared::http::date::parse) {
        Some(Ok(since)) => last_modified <= since,
        _ => false,
    }
}

/// RFC 9110 13.1.5: a Range is honoured only if If-Range (when present)
/// still matches: an entity-tag by strong comparison, or a date equal to
/// Last-Modified.
fn if_range_holds(headers: &Headers, etag: &ETag, last_modified: SystemTime) -> bool {
    let Some(value) = headers.get_str("if-range") else {
        return true;
    };
    if let Some(tag) = ETag::parse(value) {
        return tag.strong_eq(etag);
    }
    shared::http::date::parse(value).is_ok_and(|d| d == last_modified)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(fields: &[(&str, &str)]) -> Headers {
        fields.iter().copied().collect()
    }

    #[test]
    fn content_type_table() {
        let cases = [
            ("index.html", "text/html; charset=utf-8"),
            ("style.css", "text/css; charset=utf-8"),
            ("app.js", "text/javascript; charset=utf-8"),
            ("data.json", "application/json; charset=utf-8"),
            ("pic.png", "image/png"),
            ("clip.mp4", "video/mp4"),
            ("logo.svg", "image/svg+xml; charset=utf-8"),
            ("noext", "application/octet-stream"),
        ];
        for (name, want) in cases {
            assert_eq!(content_type(Path::new(name)), want, "{name}");
        }
    }

    #[test]
    fn accepts_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("gzip, deflate, br", "br", true),
            ("gzip, deflate, br", "gzip", true),
            ("gzip;q=0", "gzip", false),
            ("gzip; q=0.0, br", "gzip", false),
            ("gzip;q=0.5", "gzip", true),
            ("*", "br", true),
            ("*;q=0, gzip", "br", false),
            ("identity", "gzip", false),
            ("", "gzip", false),
        ];
        for (value, coding, want) in cases {
            assert_eq!(accepts(&headers(&[("Accept-Encoding", value)]), coding), *want, "{value} / {coding}");
        }
    }

    #[test]
    fn conditional_table() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(784_111_777);
        let etag = ETag { weak: false, tag: "v1".into() };
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        let earlier = "Sun, 06 Nov 1994 08:49:36 GMT";
        let cases: &[(&[(&str, &str)], bool)] = &[
            (&[], false),
            (&[("If-None-Match", "\"v1\"")], true),
            (&[("If-None-Match", "W/\"v1\"")], true),
            (&[("If-None-Match", "\"v0\"")], false),
            (&[("If-None-Match", "\"v0\""), ("If-Modified-Since", date)], false),
            (&[("If-Modified-Since", date)], true),
            (&[("If-Modified-Since", earlier)], false),
            (&[("If-Modified-Since", "garbage")], false),
        ];
        for (fields, want) in cases {
            assert_eq!(not_modified(&headers(fields), &etag, t), *want, "{fields:?}");
        }
        let if_range: &[(&[(&str, &str)], bool)] = &[
            (&[], true),
            (&[("If-Range", "\"v1\"")], true),
            (&[("If-Range", "W/\"v1\"")], false),
            (&[("If-Range", "\"v0\"")], false),
            (&[("If-Range", date)], true),
            (&[("If-Range", earlier)], false),
        ];
        for (fields, want) in if_range {
            assert_eq!(if_range_holds(&headers(fields), &etag, t), *want, "{fields:?}");
        }
    }
}
