//! The listing page for people: breadcrumbs for the path, buttons to
//! download the folder as .zip or .tar (a form's buttons, so a crawler
//! such as `wget -r` does not fetch an archive of every folder), column
//! headings
//! that sort (plain links, so they work without JavaScript), a filter box
//! that a few lines of inline script show and run (without script the
//! page is whole, just unfiltered), colours that follow the system's
//! light or dark mode, and one row per entry. Made in parts (head, each
//! row, tail) so a long listing streams.

use std::fmt::Write as _;
use std::io::Write as _;

use super::{Frame, Key, Row, Table};
use crate::escape;

const STYLE: &str = "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;\
max-width:60rem;padding:0 1rem;color:#222;background:#fff}\
h1{font-size:1.3rem;font-weight:600;word-break:break-all}h1 a{color:inherit}\
table{border-collapse:collapse;width:100%}th,td{padding:.3rem .6rem;text-align:left}\
th{border-bottom:2px solid #ddd;font-weight:600}th a{color:inherit}tr:nth-child(even) td{background:#f6f8fa}\
td.size,td.time,th.size{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\
td.time{color:#666}a{color:#0550ae;text-decoration:none;word-break:break-all}a:hover{text-decoration:underline}\
form.dl{margin:-.5rem 0 1rem;color:#666}form.dl button{font:inherit;color:#0550ae;background:none;\
border:0;padding:0 .2rem;cursor:pointer}form.dl button:hover{text-decoration:underline}\
form.up{margin:0 0 1rem}form.up progress{vertical-align:middle;width:12rem}\
#filter{font:inherit;width:100%;box-sizing:border-box;padding:.4rem .6rem;margin:0 0 1rem;\
border:1px solid #ccc;border-radius:6px;background:inherit;color:inherit}\
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}\
tr:nth-child(even) td{background:#161b22}th{border-color:#30363d}a{color:#58a6ff}td.time{color:#8b949e}\
#filter{border-color:#30363d}form.dl button{color:#58a6ff}}";

/// Shows the filter box and hides the rows whose name does not contain
/// what is typed (case-insensitive). The parent row stays.
const SCRIPT: &str = "(function(){var f=document.getElementById('filter');if(!f)return;f.hidden=false;\
var rows=document.querySelectorAll('tbody tr:not(.up)');f.addEventListener('input',function(){\
var q=f.value.toLowerCase();for(var i=0;i<rows.length;i++){var r=rows[i];\
r.hidden=q!==''&&r.cells[0].textContent.toLowerCase().indexOf(q)<0;}});})();";

/// The upload form (`--upload`): a plain form that works without script;
/// [`UPLOAD_SCRIPT`] sends it with the browser's own upload progress.
const UPLOAD_FORM: &str = "<form class=\"up\" method=\"post\" enctype=\"multipart/form-data\">\
<input type=\"file\" name=\"file\" multiple required aria-label=\"Files to upload\"> \
<button>Upload</button> <progress max=\"1\" value=\"0\" hidden></progress> \
<span class=\"up-status\" role=\"status\"></span></form>\n";

/// Sends the upload form in the background, showing its progress, and
/// reloads the listing when the files are in (201); otherwise says why.
const UPLOAD_SCRIPT: &str = "(function(){var u=document.querySelector('form.up');if(!u||!window.FormData)return;\
u.addEventListener('submit',function(e){e.preventDefault();var x=new XMLHttpRequest(),p=u.querySelector('progress'),\
s=u.querySelector('.up-status'),b=u.querySelector('button');p.hidden=false;p.value=0;b.disabled=true;s.textContent='';\
x.upload.onprogress=function(ev){if(ev.lengthComputable){p.value=ev.loaded/ev.total;\
s.textContent=Math.round(100*ev.loaded/ev.total)+'%';}};\
var fail=function(why){b.disabled=false;p.hidden=true;s.textContent='Upload failed: '+why;};\
x.onload=function(){if(x.status===201){location.reload();return;}\
var d=new DOMParser().parseFromString(x.responseText,'text/html').querySelector('p');\
fail(x.status+' '+(d?d.textContent:''));};x.onerror=function(){fail('the connection broke.');};\
x.open('POST',location.pathname);x.send(new FormData(u));});})();";

/// `1.5 KiB`, `12 MiB`, `999 B`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 { format!("{value:.1} {}", UNITS[unit]) } else { format!("{value:.0} {}", UNITS[unit]) }
}

/// Escaped display text of a name (non-UTF-8 bytes as U+FFFD).
fn shown(name: &[u8]) -> String {
    escape::html(&String::from_utf8_lossy(name))
}

/// Everything before the rows: title, breadcrumbs, the folder's download
/// links, filter box, headings with their sort links, the parent row.
pub fn head(frame: &Frame, _rows: usize, out: &mut Vec<u8>) {
    let path = super::shown_path(&frame.segments);
    let title = shown(&path);
    let mut s = String::with_capacity(4096);
    let _ = write!(
        s,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light dark\">\
         <title>Index of {title}</title><style>{STYLE}</style></head>\n<body>\n<h1>Index of {}</h1>\n\
         <form class=\"dl\" method=\"get\">Download this folder: \
         <button name=\"download\" value=\"zip\">.zip</button> \
         <button name=\"download\" value=\"tar\">.tar</button></form>\n\
         {}<input id=\"filter\" type=\"search\" placeholder=\"Filter\" aria-label=\"Filter names\" hidden>\n\
         <table>\n<thead><tr>{}{}{}</tr></thead>\n<tbody>\n",
        breadcrumbs(&frame.segments),
        if frame.upload { UPLOAD_FORM } else { "" },
        heading(frame, Key::Name, "Name", ""),
        heading(frame, Key::Size, "Size", " class=\"size\""),
        heading(frame, Key::Date, "Modified (UTC)", " class=\"size\""),
    );
    if !frame.segments.is_empty() {
        s.push_str(
            "<tr class=\"up\"><td><a href=\"../\">../</a></td><td class=\"size\"></td><td class=\"time\"></td></tr>\n",
        );
    }
    out.extend_from_slice(s.as_bytes());
}

/// `/` then each folder of the path, each a link to itself.
fn breadcrumbs(segments: &[Vec<u8>]) -> String {
    let mut s = String::from("<a href=\"/\">/</a>");
    let mut link = String::from("/");
    for seg in segments {
        link.push_str(&escape::segment(seg));
        link.push('/');
        let _ = write!(s, "<a href=\"{}\">{}</a>/", escape::html(&link), shown(seg));
    }
    s
}

/// A column heading: a link to sort by it (the other way round when it is
/// the current order), with an arrow and `aria-sort` on the current one.
fn heading(frame: &Frame, key: Key, label: &str, class: &str) -> String {
    let target = frame.order.toggled(key);
    let (arrow, aria) = match (frame.order.key == key, frame.order.descending) {
        (true, false) => (" \u{25b2}", " aria-sort=\"ascending\""),
        (true, true) => (" \u{25bc}", " aria-sort=\"descending\""),
        (false, _) => ("", ""),
    };
    format!("<th{class}{aria}><a href=\"?{}\">{label}{arrow}</a></th>", escape::html(&target.query()))
}

/// One entry's row. Written straight into `out`, without a string made
/// per field: a listing is made twice (once to know its length), and
/// 100,000 rows are common.
pub fn row(table: &Table, r: &Row, out: &mut Vec<u8>) {
    let name = table.name(r);
    out.extend_from_slice(b"<tr><td><a href=\"");
    escape::segment_html_into(out, name);
    if r.dir {
        out.push(b'/');
    }
    out.extend_from_slice(b"\">");
    escape::html_into(out, &String::from_utf8_lossy(name));
    if r.dir {
        out.extend_from_slice(b"/</a></td><td class=\"size\">&mdash;</td>");
    } else {
        out.extend_from_slice(b"</a></td><td class=\"size\" title=\"");
        shared::decimal::push(out, r.size);
        out.extend_from_slice(b" bytes\">");
        if r.size < 1024 {
            shared::decimal::push(out, r.size);
            out.extend_from_slice(b" B");
        } else {
            out.extend_from_slice(human_size(r.size).as_bytes());
        }
        out.extend_from_slice(b"</td>");
    }
    out.extend_from_slice(b"<td class=\"time\">");
    shared::http::date::push_minutes(out, r.modified());
    out.extend_from_slice(b"</td></tr>\n");
}

/// Everything after the rows.
pub fn tail(frame: &Frame, out: &mut Vec<u8>) {
    let upload = if frame.upload { UPLOAD_SCRIPT } else { "" };
    let _ = write!(out, "</tbody>\n</table>\n<script>{SCRIPT}{upload}</script>\n</body></html>\n");
}

#[cfg(test)]
mod tests {
    use super::super::tests::at;
    use super::super::{Form, Order, href, render};
    use super::*;

    fn page(segments: &[&[u8]], entries: &[(&[u8], bool, u64)], order: Order) -> String {
        let mut t = Table::default();
        for (name, dir, size) in entries {
            t.push(name, *dir, *size, at(1_795_528_320));
        }
        t.sort(order);
        let frame = Frame { segments: segments.iter().map(|s| s.to_vec()).collect(), order, upload: false };
        String::from_utf8(render(t, frame, Form::Html)).unwrap()
    }

    /// The row as it was first written, with a string per field.
    fn row_reference(table: &Table, r: &Row) -> String {
        let name = table.name(r);
        let slash = if r.dir { "/" } else { "" };
        let mut out =
            format!("<tr><td><a href=\"{}\">{}{slash}</a></td>", escape::html(&href(name, r.dir)), shown(name));
        if r.dir {
            out.push_str("<td class=\"size\">&mdash;</td>");
        } else {
            out.push_str(&format!("<td class=\"size\" title=\"{} bytes\">{}</td>", r.size, human_size(r.size)));
        }
        out.push_str(&format!("<td class=\"time\">{}</td></tr>\n", shared::http::date::format_minutes(r.modified())));
        out
    }

    #[test]
    fn rows_are_written_as_the_reference_writes_them() {
        let names: &[&[u8]] =
            &[b"plain.txt", b"a <b> & \"c\"#?%.txt", b"it's", b"caf\xc3\xa9", b"\xff\xfe.bin", b"sp ace", b"~-._", b""];
        let sizes = [0, 1, 1023, 1024, 1536, 10 * 1024, 5 << 30, u64::MAX];
        let mut t = Table::default();
        for (i, name) in names.iter().enumerate() {
            for (j, size) in sizes.iter().enumerate() {
                t.push(name, (i + j) % 3 == 0, *size, at(1_795_528_320 + (i * j) as u64 * 4093));
            }
        }
        for r in &t.rows {
            let mut out = Vec::new();
            row(&t, r, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), row_reference(&t, r));
        }
    }

    #[test]
    fn human_size_table() {
        let cases = [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1.0 KiB"),
            (1536, "1.5 KiB"),
            (10 * 1024, "10 KiB"),
            (5 * 1024 * 1024 * 1024, "5.0 GiB"),
            (u64::MAX, "16 EiB"),
        ];
        for (bytes, want) in cases {
            assert_eq!(human_size(bytes), want, "{bytes}");
        }
    }

    #[test]
    fn escapes_names_and_encodes_links() {
        let v: &[(&[u8], bool, u64)] =
            &[(b"a <b> & \"c\"#?%.txt", false, 2048), (b"dir x", true, 0), (b"\xff.bin", false, 1)];
        let p = page(&[b"sub"], v, Order::default());
        assert!(p.contains("<a href=\"../\">../</a>"));
        assert!(
            p.contains("href=\"a%20%3Cb%3E%20%26%20%22c%22%23%3F%25.txt\">a &lt;b&gt; &amp; &quot;c&quot;#?%.txt</a>")
        );
        assert!(p.contains("title=\"2048 bytes\">2.0 KiB</td>"));
        assert!(p.contains("href=\"dir%20x/\">dir x/</a>"));
        assert!(p.contains("href=\"%FF.bin\">\u{fffd}.bin</a>"));
        assert!(p.contains("2026-11-24 13:52"));
        assert!(!page(&[], v, Order::default()).contains("href=\"../\""));
    }

    #[test]
    fn breadcrumbs_link_every_folder_of_the_path() {
        let p = page(&[b"a b", b"<c>"], &[], Order::default());
        assert!(
            p.contains("<h1>Index of <a href=\"/\">/</a><a href=\"/a%20b/\">a b</a>/<a href=\"/a%20b/%3Cc%3E/\">&lt;c&gt;</a>/</h1>"),
            "{p}"
        );
        assert!(p.contains("<title>Index of /a b/&lt;c&gt;/</title>"), "{p}");
    }

    #[test]
    fn headings_sort_and_show_the_current_order() {
        let p = page(&[], &[], Order { key: Key::Size, descending: true });
        assert!(p.contains("<th><a href=\"?sort=name&amp;order=asc\">Name</a></th>"), "{p}");
        assert!(
            p.contains("<th class=\"size\" aria-sort=\"descending\"><a href=\"?sort=size&amp;order=asc\">Size \u{25bc}</a></th>"),
            "{p}"
        );
        assert!(p.contains("<a href=\"?sort=date&amp;order=desc\">Modified (UTC)</a>"), "{p}");
    }

    #[test]
    fn filter_box_is_hidden_until_the_script_runs() {
        let p = page(&[], &[], Order::default());
        assert!(p.contains(
            "<input id=\"filter\" type=\"search\" placeholder=\"Filter\" aria-label=\"Filter names\" hidden>"
        ));
        assert!(p.contains("<script>(function(){var f=document.getElementById('filter')"));
        assert!(p.contains("@media (prefers-color-scheme:dark)"));
    }
}
