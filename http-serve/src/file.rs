//! Serving one file: a precompressed sibling when the client accepts it,
//! conditional requests (304), ranges (206, multipart, 416), and the head
//! fields a browser and a cache need.
//!
//! The answer is a [`Response`] whose body is the open file (or ranges of
//! it); the connection decides how the bytes travel.

use std::fs::{File, Metadata};
use std::rc::Rc;
use std::time::SystemTime;

use shared::http::etag::{ETag, none_match};
use shared::http::headers::Headers;
use shared::http::range::{self, Selection};

use crate::multipart::{boundary, layout};
use crate::paths::{self, Found};
use crate::response::{Body, MediaType, Response};
use crate::siblings;
use crate::site::Site;

/// Most ranges honoured in one request; more and the whole file is sent.
pub const MAX_RANGES: usize = 16;

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

/// Looks for `FILE.br` and `FILE.gz` beside FILE, opened beneath the root
/// by the same rules as FILE itself. Returns the first one the client
/// accepts (open, with its metadata and coding), and whether any sibling
/// exists at all: then the answer for FILE depends on Accept-Encoding,
/// whatever this client sent, so every response for FILE (the plain one
/// too) carries `Vary: Accept-Encoding`, or a shared cache could hand the
/// plain copy, or a compressed one, to everyone (nginx's `gzip_vary on`).
fn precompressed(
    site: &mut Site,
    headers: &Headers,
    segments: &[Vec<u8>],
) -> (Option<(Rc<File>, Metadata, &'static str)>, bool) {
    let Some((name, dir)) = segments.split_last() else {
        return (None, false);
    };
    let path = siblings::key(segments);
    let now = site.now;
    if site.no_siblings.known(&path, now) {
        return (None, false);
    }
    let mut vary = false;
    for (coding, ext) in [("br", "br"), ("gzip", "gz")] {
        let accepted = accepts(headers, coding);
        if vary && !accepted {
            // Already known to vary; this sibling could not be sent anyway.
            continue;
        }
        let mut sibling_name = name.clone();
        sibling_name.push(b'.');
        sibling_name.extend_from_slice(ext.as_bytes());
        let mut sibling = dir.to_vec();
        sibling.push(sibling_name);
        if let Ok(found) = paths::open_segments(&site.root, sibling, site.rules())
            && found.meta.is_file()
        {
            if accepted {
                return (Some((found.file, found.meta, coding)), true);
            }
            vary = true;
        }
    }
    if !vary {
        site.no_siblings.remember(path, now);
    }
    (None, vary)
}

/// Answers a GET or HEAD for the regular file `found`, given the request's
/// fields.
pub fn respond(site: &mut Site, headers: &Headers, found: Found) -> Response {
    let name = found.segments.last().map_or(&[][..], Vec::as_slice);
    let ctype = site.content_type(name);
    let (variant, vary) = precompressed(site, headers, &found.segments);
    let (file, meta, coding) = match variant {
        Some((f, m, c)) => (f, m, Some(c)),
        None => (found.file, found.meta, None),
    };
    let len = meta.len();
    let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let known = site.validators.get(len, mtime);
    let (etag, last_modified) = (&known.etag, known.last_modified);

    // Fields shared by 200, 206 and 304.
    let validators = |r: &mut Response| {
        r.add_str("ETag", &known.etag_text);
        r.add_str("Last-Modified", &known.last_modified_text);
        r.add_str("Cache-Control", "no-cache");
        r.add_str("Accept-Ranges", "bytes");
        if vary {
            r.add_str("Vary", "Accept-Encoding");
        }
        if let Some(c) = coding {
            r.add_str("Content-Encoding", c);
        }
    };

    if not_modified(headers, etag, last_modified) {
        let mut r = Response::new(304, Body::None);
        validators(&mut r);
        return r;
    }

    let selection = match headers.get("range") {
        Some(value) if if_range_holds(headers, etag, last_modified) => {
            range::parse(value, MAX_RANGES).map_or(Selection::Full, |specs| range::resolve(&specs, len))
        }
        _ => Selection::Full,
    };

    match selection {
        Selection::Unsatisfiable => Response::page(416, "The requested range is outside the file.")
            .header("Content-Range", format_args!("bytes */{len}")),
        Selection::Partial(rs) if rs.len() == 1 => {
            let r = &rs[0];
            let mut response = Response::new(206, Body::File { file, start: r.start, len: r.end - r.start })
                .typed(ctype)
                .header("Content-Range", format_args!("bytes {}-{}/{len}", r.start, r.end - 1));
            validators(&mut response);
            response
        }
        Selection::Partial(rs) => {
            let b = boundary(&etag.tag);
            let (pieces, body_len) = layout(&ctype, len, &rs, &b);
            let media = MediaType::Owned(format!("multipart/byteranges; boundary={b}"));
            let mut response = Response::new(206, Body::Parts { file, pieces, len: body_len }).typed(media);
            validators(&mut response);
            response
        }
        Selection::Full => {
            let mut response = Response::new(200, Body::File { file, start: 0, len }).typed(ctype);
            validators(&mut response);
            response
        }
    }
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
