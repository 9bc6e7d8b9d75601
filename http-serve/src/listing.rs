//! Directory listings: a clean HTML5 page for people (parent link,
//! directories first, then files, in case-insensitive name order; sizes in
//! human units with the exact count in a tooltip; times in UTC), and the
//! same entries as JSON for scripts.
//!
//! Names are bytes: each is HTML-escaped for display (non-UTF-8 shown with
//! replacement characters) and percent-encoded byte for byte in its link,
//! so any name, however awkward, is clickable and names exactly its file.

use std::fmt::Write;
use std::io;
use std::time::SystemTime;

use shared::sys::dir::{Info, Kind};

use crate::escape;
use crate::paths::{self, Found};
use crate::response::{Body, MediaType, Response};
use crate::site::Site;

/// One entry of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The file name's bytes.
    pub name: Vec<u8>,
    /// A directory (links end in `/`).
    pub dir: bool,
    /// Size in bytes (files only).
    pub size: u64,
    /// Modification time.
    pub modified: SystemTime,
}

/// Reads the open folder `dir` (opened beneath the root, so this reads the
/// folder that was checked) and returns its entries in listing order.
/// Entries that cannot be served (hidden names, names Windows would read
/// as another, FIFOs and devices, broken symlinks, symlinks out of the root
/// or to hidden names) are left out, so
/// every link works: a symlink is opened by the same rules as a request
/// for it, and listed as what it leads to.
pub fn read(site: &Site, dir: &Found) -> io::Result<Vec<Entry>> {
    let rules = site.rules();
    let mut entries = Vec::new();
    for (name, info) in shared::sys::dir::entries(&dir.file)? {
        if !rules.hidden && paths::is_hidden(&name) || shared::names::is_windows_alias(&name) {
            continue;
        }
        let info = if info.kind == Kind::Symlink {
            let mut segments = dir.segments.clone();
            segments.push(name.clone());
            match paths::open_segments(&site.root, segments, rules) {
                Ok(target) => Info::from_metadata(&target.meta),
                Err(_) => continue,
            }
        } else {
            info
        };
        let is_dir = match info.kind {
            Kind::Dir => true,
            Kind::File => false,
            _ => continue,
        };
        entries.push(Entry { name, dir: is_dir, size: if is_dir { 0 } else { info.len }, modified: info.modified });
    }
    sort(&mut entries);
    Ok(entries)
}

/// The listing of the folder whose normalised names below the root are
/// `segments`: HTML, or JSON when asked.
pub fn respond(segments: &[Vec<u8>], entries: &[Entry], json: bool) -> Response {
    // Show the path the way the client asked for it, normalised.
    let mut shown = b"/".to_vec();
    for s in segments {
        shown.extend_from_slice(s);
        shown.push(b'/');
    }
    let (body, media) = if json {
        (self::json(&shown, entries), "application/json; charset=utf-8")
    } else {
        (html(&shown, entries), "text/html; charset=utf-8")
    };
    Response::new(200, Body::Bytes(body.into_bytes()))
        .typed(MediaType::Static(media))
        .header("Cache-Control", "no-cache")
        .header("Vary", "Accept")
}

/// Directories first, then case-insensitive name order (bytes break ties,
/// so the order is total and repeatable). Keys are made once per entry,
/// not per comparison: a listing of 10,000 names sorts without 300,000
/// allocations.
pub fn sort(entries: &mut Vec<Entry>) {
    let mut keyed: Vec<(bool, String, Entry)> =
        entries.drain(..).map(|e| (!e.dir, String::from_utf8_lossy(&e.name).to_lowercase(), e)).collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)).then_with(|| a.2.name.cmp(&b.2.name)));
    entries.extend(keyed.into_iter().map(|(_, _, e)| e));
}

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

/// The link to an entry, relative to the listing's own URL (which ends in
/// `/`): the name percent-encoded as one segment, `/` after directories.
fn href(entry: &Entry) -> String {
    let mut h = escape::segment(&entry.name);
    if entry.dir {
        h.push('/');
    }
    h
}

const STYLE: &str = "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;\
max-width:60rem;padding:0 1rem;color:#222;background:#fff}\
h1{font-size:1.3rem;font-weight:600;word-break:break-all}\
table{border-collapse:collapse;width:100%}th,td{padding:.3rem .6rem;text-align:left}\
th{border-bottom:2px solid #ddd;font-weight:600}tr:nth-child(even) td{background:#f6f8fa}\
td.size,td.time,th.size{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\
td.time{color:#666}a{color:#0550ae;text-decoration:none;word-break:break-all}a:hover{text-decoration:underline}\
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}\
tr:nth-child(even) td{background:#161b22}th{border-color:#30363d}a{color:#58a6ff}td.time{color:#8b949e}}";

/// The HTML page for the directory at `url_path` (decoded bytes, ending
/// in `/`).
pub fn html(url_path: &[u8], entries: &[Entry]) -> String {
    let title = escape::html(&String::from_utf8_lossy(url_path));
    let mut out = String::with_capacity(1024 + entries.len() * 200);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Index of {title}</title><style>{STYLE}</style></head>\n<body>\n<h1>Index of {title}</h1>\n\
         <table>\n<thead><tr><th>Name</th><th class=\"size\">Size</th><th class=\"size\">Modified (UTC)</th></tr></thead>\n<tbody>\n"
    );
    if url_path != b"/" {
        out.push_str("<tr><td><a href=\"../\">../</a></td><td class=\"size\"></td><td class=\"time\"></td></tr>\n");
    }
    for e in entries {
        let name = escape::html(&String::from_utf8_lossy(&e.name));
        let slash = if e.dir { "/" } else { "" };
        let size = if e.dir {
            "<td class=\"size\">&mdash;</td>".to_string()
        } else {
            format!("<td class=\"size\" title=\"{} bytes\">{}</td>", e.size, human_size(e.size))
        };
        let _ = writeln!(
            out,
            "<tr><td><a href=\"{}\">{name}{slash}</a></td>{size}<td class=\"time\">{}</td></tr>",
            escape::html(&href(e)),
            shared::http::date::format_minutes(e.modified)
        );
    }
    out.push_str("</tbody>\n</table>\n</body></html>\n");
    out
}

/// The same listing as JSON: `{"path": ..., "entries": [{"name", "type",
/// "size", "modified", "href"}]}`.
pub fn json(url_path: &[u8], entries: &[Entry]) -> String {
    let mut out = String::with_capacity(64 + entries.len() * 120);
    out.push_str("{\"path\":");
    escape::json_string(&mut out, &String::from_utf8_lossy(url_path));
    out.push_str(",\"entries\":[");
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"name\":");
        escape::json_string(&mut out, &String::from_utf8_lossy(&e.name));
        let kind = if e.dir { "directory" } else { "file" };
        let _ = write!(out, ",\"type\":\"{kind}\",\"size\":{},\"modified\":", e.size);
        escape::json_string(&mut out, &shared::http::date::format_rfc3339(e.modified));
        out.push_str(",\"href\":");
        escape::json_string(&mut out, &href(e));
        out.push('}');
    }
    out.push_str("]}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn entry(name: &[u8], dir: bool, size: u64) -> Entry {
        Entry { name: name.to_vec(), dir, size, modified: SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_528_320) }
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
    fn sort_puts_directories_first_then_names_case_insensitively() {
        let mut v = vec![
            entry(b"b.txt", false, 1),
            entry(b"Zed", true, 0),
            entry(b"A.txt", false, 1),
            entry(b"apple", true, 0),
        ];
        sort(&mut v);
        let names: Vec<&[u8]> = v.iter().map(|e| e.name.as_slice()).collect();
        assert_eq!(names, vec![&b"apple"[..], b"Zed", b"A.txt", b"b.txt"]);
    }

    #[test]
    fn html_escapes_names_and_encodes_links() {
        let v =
            vec![entry(b"a <b> & \"c\"#?%.txt", false, 2048), entry(b"dir x", true, 0), entry(b"\xff.bin", false, 1)];
        let page = html(b"/sub/", &v);
        assert!(page.contains("<a href=\"../\">../</a>"));
        assert!(
            page.contains(
                "href=\"a%20%3Cb%3E%20%26%20%22c%22%23%3F%25.txt\">a &lt;b&gt; &amp; &quot;c&quot;#?%.txt</a>"
            )
        );
        assert!(page.contains("title=\"2048 bytes\">2.0 KiB</td>"));
        assert!(page.contains("href=\"dir%20x/\">dir x/</a>"));
        assert!(page.contains("href=\"%FF.bin\">\u{fffd}.bin</a>"));
        assert!(page.contains("2026-11-24 13:52"));
        assert!(!html(b"/", &v).contains("href=\"../\""));
    }

    #[test]
    fn json_lists_entries() {
        let v = vec![entry(b"d", true, 0), entry(b"q\"x", false, 5)];
        assert_eq!(
            json(b"/", &v),
            "{\"path\":\"/\",\"entries\":[{\"name\":\"d\",\"type\":\"directory\",\"size\":0,\"modified\":\"2026-11-24T13:52:00Z\",\"href\":\"d/\"},\
             {\"name\":\"q\\\"x\",\"type\":\"file\",\"size\":5,\"modified\":\"2026-11-24T13:52:00Z\",\"href\":\"q%22x\"}]}\n"
        );
    }
}
