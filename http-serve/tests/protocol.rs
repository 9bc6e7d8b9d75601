//! HTTP/1.1 behaviour of the real binary: versions, keep-alive, methods,
//! framing, limits, conditional requests and ranges, heads checked byte by
//! byte.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::*;

const BODY: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

fn site() -> (TempDir, Server) {
    let dir = TempDir::new("proto");
    std::fs::write(dir.join("a.txt"), BODY).unwrap();
    std::fs::write(dir.join("page.html"), "<p>hi</p>").unwrap();
    let server = Server::start(dir.path(), &["-H", "X-Extra: yes"]);
    (dir, server)
}

/// The validators http-serve derives for a file.
fn validators(path: &std::path::Path) -> (String, String) {
    let meta = std::fs::metadata(path).unwrap();
    let mtime = meta.modified().unwrap();
    let d = mtime.duration_since(UNIX_EPOCH).unwrap();
    let etag = format!("\"{:x}-{:x}.{:x}\"", meta.len(), d.as_secs(), d.subsec_nanos());
    let last_modified = shared::http::date::format(UNIX_EPOCH + std::time::Duration::from_secs(d.as_secs()));
    (etag, last_modified)
}

fn server_field() -> String {
    format!("Server: http-serve/{}", env!("CARGO_PKG_VERSION"))
}

#[test]
fn get_file_has_every_field() {
    let (dir, s) = site();
    let r = exchange(s.addr, &request("GET", "/a.txt", &[]));
    let (etag, lm) = validators(&dir.join("a.txt"));
    let want = format!(
        "HTTP/1.1 200 OK\r\nDate: *\r\n{}\r\nX-Extra: yes\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 36\r\n\
         ETag: {etag}\r\nLast-Modified: {lm}\r\nCache-Control: no-cache\r\nAccept-Ranges: bytes",
        server_field()
    );
    assert_eq!(without_date(&r.head), want);
    assert_eq!(r.body, BODY);
    let date = shared::http::date::parse(r.header("Date").unwrap()).unwrap();
    let skew = SystemTime::now().duration_since(date).unwrap_or_default();
    assert!(skew.as_secs() < 60, "Date is now");
    let html = exchange(s.addr, &request("GET", "/page.html", &[]));
    assert_eq!(html.header("Content-Type"), Some("text/html; charset=utf-8"));
}

#[test]
fn head_is_get_without_body() {
    let (_dir, s) = site();
    let get = exchange(s.addr, &request("GET", "/a.txt", &[]));
    let mut c = Conn::open(s.addr);
    let head = c.request(&request("HEAD", "/a.txt", &[]));
    assert_eq!(without_date(&head.head), without_date(&get.head));
    assert!(head.body.is_empty());
    // The connection is still usable: nothing extra was sent after the head.
    let again = c.request(&request("GET", "/a.txt", &[]));
    assert_eq!(again.body, BODY);
}

#[test]
fn keep_alive_rules_per_version() {
    let (_dir, s) = site();
    // HTTP/1.1 stays open by default.
    let mut c = Conn::open(s.addr);
    for _ in 0..3 {
        assert_eq!(c.request(&request("GET", "/a.txt", &[])).status, 200);
    }
    // Connection: close is honoured.
    let r = c.request(&request("GET", "/a.txt", &["Connection: close"]));
    assert_eq!(r.header("Connection"), Some("close"));
    assert!(c.closed_by_peer());
    // HTTP/1.0 closes by default ...
    let mut c = Conn::open(s.addr);
    let r = c.request(b"GET /a.txt HTTP/1.0\r\n\r\n");
    assert_eq!((r.status, r.header("Connection")), (200, Some("close")));
    assert!(c.closed_by_peer());
    // ... unless it asks for keep-alive.
    let mut c = Conn::open(s.addr);
    let r = c.request(b"GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(r.header("Connection"), Some("keep-alive"));
    assert_eq!(c.request(b"GET /a.txt HTTP/1.0\r\n\r\n").status, 200);
}

#[test]
fn pipelined_requests_answered_in_order() {
    let (_dir, s) = site();
    let mut c = Conn::open(s.addr);
    let mut three = request("GET", "/a.txt", &[]);
    three.extend(request("HEAD", "/page.html", &[]));
    three.extend(request("GET", "/page.html", &["Range: bytes=0-1"]));
    c.send(&three);
    let a = c.read(false);
    let b = c.read(true);
    let d = c.read(false);
    assert_eq!((a.status, a.body.as_slice()), (200, BODY));
    assert_eq!((b.status, b.body.len(), b.header("Content-Length")), (200, 0, Some("9")));
    assert_eq!((d.status, d.body.as_slice()), (206, &b"<p"[..]));
}

#[test]
fn protocol_errors_table() {
    let (_dir, s) = site();
    let long_line = format!("GET /{} HTTP/1.1\r\nHost: t\r\n\r\n", "a".repeat(9000));
    let big_head = format!("GET / HTTP/1.1\r\nHost: t\r\nX: {}\r\n\r\n", "v".repeat(17000));
    let many = format!("GET / HTTP/1.1\r\nHost: t\r\n{}\r\n", "X-N: 1\r\n".repeat(101));
    let cases: Vec<(Vec<u8>, u16, Option<&str>, bool)> = vec![
        // (request, status, Allow, connection closed after)
        (b"GET /a.txt HTTP/1.1\r\n\r\n".to_vec(), 400, None, true),
        (b"GET /a.txt HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".to_vec(), 400, None, true),
        (b"GET /a.txt HTTP/2.0\r\nHost: t\r\n\r\n".to_vec(), 505, None, true),
        (b"GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello".to_vec(), 400, None, true),
        (b"GET /a.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_vec(), 400, None, true),
        (
            b"POST /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(),
            400,
            None,
            true,
        ),
        (b"GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n".to_vec(), 400, None, true),
        (b"GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n".to_vec(), 200, None, false),
        (b"DELETE /a.txt HTTP/1.1\r\nHost: t\r\n\r\n".to_vec(), 405, Some("GET, HEAD, OPTIONS"), false),
        (
            b"POST /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc".to_vec(),
            405,
            Some("GET, HEAD, OPTIONS"),
            true,
        ),
        (b"GET /a.txt HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n\r\n".to_vec(), 200, None, false),
        (b"GET /a.txt HTTP/1.1\r\nHost: t\r\nExpect: fancy\r\n\r\n".to_vec(), 417, None, false),
        (b"GET a.txt HTTP/1.1\r\nHost: t\r\n\r\n".to_vec(), 400, None, false),
        (b"GET /%zz HTTP/1.1\r\nHost: t\r\n\r\n".to_vec(), 400, None, false),
        (b"GET * HTTP/1.1\r\nHost: t\r\n\r\n".to_vec(), 400, None, false),
        (b"GET ftp://x/a.txt HTTP/1.1\r\nHost: t\r\n\r\n".to_vec(), 400, None, false),
        (b"GET http://other.example/a.txt HTTP/1.1\r\nHost: t\r\n\r\n".to_vec(), 200, None, false),
        (b"GET / HTTP/1.1\r\nHost: t\r\nNoColon\r\n\r\n".to_vec(), 400, None, true),
        (b"GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n folded\r\n\r\n".to_vec(), 400, None, true),
        (b"G@T / HTTP/1.1\r\nHost: t\r\n\r\n".to_vec(), 400, None, true),
        (b"GET /\r\n\r\n".to_vec(), 400, None, true),
        (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(), 505, None, true),
        (long_line.into_bytes(), 414, None, true),
        (big_head.into_bytes(), 431, None, true),
        (many.into_bytes(), 431, None, true),
    ];
    for (req, status, allow, closed) in cases {
        let shown = String::from_utf8_lossy(&req[..req.len().min(60)]).into_owned();
        let mut c = Conn::open(s.addr);
        let r = c.request(&req);
        assert_eq!(r.status, status, "{shown:?}");
        assert_eq!(r.header("Allow"), allow, "{shown:?}");
        if status >= 400 {
            assert_eq!(r.header("Content-Type"), Some("text/html; charset=utf-8"), "{shown:?}");
            assert_eq!(r.header("Content-Length"), Some(r.body.len().to_string().as_str()), "{shown:?}");
            assert!(r.text().contains(&status.to_string()), "{shown:?}");
        }
        if closed {
            assert!(c.closed_by_peer(), "{shown:?}: connection left open");
        } else {
            assert_eq!(c.request(&request("GET", "/a.txt", &[])).body, BODY, "{shown:?}: connection not reusable");
        }
    }
    // After all that, the server still serves.
    assert_eq!(get(s.addr, "/a.txt").body, BODY);
}

#[test]
fn options_answers_allow() {
    let (_dir, s) = site();
    let mut c = Conn::open(s.addr);
    for target in ["*", "/a.txt"] {
        let r = c.request(&request("OPTIONS", target, &[]));
        let want = format!(
            "HTTP/1.1 204 No Content\r\nDate: *\r\n{}\r\nX-Extra: yes\r\nAllow: GET, HEAD, OPTIONS",
            server_field()
        );
        assert_eq!(without_date(&r.head), want);
    }
}

#[test]
fn conditional_requests() {
    let (dir, s) = site();
    let (etag, lm) = validators(&dir.join("a.txt"));
    let weak = format!("If-None-Match: W/{etag}");
    let strong = format!("If-None-Match: \"other\", {etag}");
    let since = format!("If-Modified-Since: {lm}");
    let stale_etag_fresh_date = ["If-None-Match: \"old\"".to_string(), since.clone()];
    let earlier =
        shared::http::date::format(shared::http::date::parse(&lm).unwrap() - std::time::Duration::from_secs(10));
    let cases: Vec<(Vec<String>, u16)> = vec![
        (vec![strong], 304),
        (vec![weak], 304),
        (vec!["If-None-Match: *".into()], 304),
        (vec![since.clone()], 304),
        (vec![format!("If-Modified-Since: {earlier}")], 200),
        (stale_etag_fresh_date.to_vec(), 200),
        (vec!["If-Modified-Since: not a date".into()], 200),
    ];
    for (fields, status) in cases {
        let extra: Vec<&str> = fields.iter().map(String::as_str).collect();
        let r = exchange(s.addr, &request("GET", "/a.txt", &extra));
        assert_eq!(r.status, status, "{fields:?}");
        if status == 304 {
            let want = format!(
                "HTTP/1.1 304 Not Modified\r\nDate: *\r\n{}\r\nX-Extra: yes\r\nETag: {etag}\r\nLast-Modified: {lm}\r\n\
                 Cache-Control: no-cache\r\nAccept-Ranges: bytes",
                server_field()
            );
            assert_eq!(without_date(&r.head), want);
            assert!(r.body.is_empty());
        }
    }
}

#[test]
fn ranges_table() {
    let (dir, s) = site();
    let (etag, lm) = validators(&dir.join("a.txt"));
    // (Range, status, Content-Range, body)
    let cases: &[(&str, u16, Option<&str>, &[u8])] = &[
        ("bytes=0-3", 206, Some("bytes 0-3/36"), b"0123"),
        ("bytes=-4", 206, Some("bytes 32-35/36"), b"wxyz"),
        ("bytes=30-", 206, Some("bytes 30-35/36"), b"uvwxyz"),
        ("bytes=34-1000", 206, Some("bytes 34-35/36"), b"yz"),
        ("bytes=0-0,1-1", 206, Some("bytes 0-1/36"), b"01"),
        ("bytes=36-", 416, Some("bytes */36"), b""),
        ("bytes=99999999999999999999999-", 416, Some("bytes */36"), b""),
        ("bytes=5-2", 200, None, BODY),
        ("lines=1-2", 200, None, BODY),
    ];
    for (range, status, content_range, body) in cases {
        let r = exchange(s.addr, &request("GET", "/a.txt", &[&format!("Range: {range}")]));
        assert_eq!(r.status, *status, "{range}");
        assert_eq!(r.header("Content-Range"), *content_range, "{range}");
        if *status != 416 {
            assert_eq!(r.body, *body, "{range}");
        }
    }
    // Byte by byte: a 206 and a 416 head.
    let r = exchange(s.addr, &request("GET", "/a.txt", &["Range: bytes=10-19"]));
    let want = format!(
        "HTTP/1.1 206 Partial Content\r\nDate: *\r\n{}\r\nX-Extra: yes\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: 10\r\nContent-Range: bytes 10-19/36\r\nETag: {etag}\r\nLast-Modified: {lm}\r\n\
         Cache-Control: no-cache\r\nAccept-Ranges: bytes",
        server_field()
    );
    assert_eq!(without_date(&r.head), want);
    assert_eq!(r.body, b"abcdefghij");
    let r = exchange(s.addr, &request("GET", "/a.txt", &["Range: bytes=40-50"]));
    let want = format!(
        "HTTP/1.1 416 Range Not Satisfiable\r\nDate: *\r\n{}\r\nX-Extra: yes\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nContent-Range: bytes */36",
        server_field(),
        r.body.len()
    );
    assert_eq!(without_date(&r.head), want);
    // HEAD with Range: the same head, no body.
    let mut c = Conn::open(s.addr);
    let h = c.request(&request("HEAD", "/a.txt", &["Range: bytes=10-19"]));
    assert_eq!(
        without_date(&h.head),
        without_date(&exchange(s.addr, &request("GET", "/a.txt", &["Range: bytes=10-19"])).head)
    );
    assert!(h.body.is_empty());
    assert_eq!(c.request(&request("GET", "/a.txt", &[])).body, BODY);
}

#[test]
fn multipart_ranges() {
    let (_dir, s) = site();
    let r = exchange(s.addr, &request("GET", "/a.txt", &["Range: bytes=0-1,-2"]));
    assert_eq!(r.status, 206);
    let ctype = r.header("Content-Type").unwrap();
    let boundary = ctype.strip_prefix("multipart/byteranges; boundary=").unwrap();
    let want = format!(
        "--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 0-1/36\r\n\r\n01\r\n\
         --{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 34-35/36\r\n\r\nyz\r\n\
         --{boundary}--\r\n"
    );
    assert_eq!(r.text(), want);
    // More than 16 ranges: the whole file.
    let many: Vec<String> = (0..17).map(|i| format!("{i}-{i}")).collect();
    let r = exchange(s.addr, &request("GET", "/a.txt", &[&format!("Range: bytes={}", many.join(","))]));
    assert_eq!((r.status, r.body.as_slice()), (200, BODY));
    // A thousand ranges: the same, and no trouble.
    let many: Vec<String> = (0..1000).map(|i| format!("{}-{}", i * 2, i * 2)).collect();
    let r = exchange(s.addr, &request("GET", "/a.txt", &[&format!("Range: bytes={}", many.join(","))]));
    assert_eq!(r.status, 200);
}

#[test]
fn if_range() {
    let (dir, s) = site();
    let (etag, lm) = validators(&dir.join("a.txt"));
    let cases: Vec<(String, u16)> = vec![
        (format!("If-Range: {etag}"), 206),
        ("If-Range: \"stale\"".to_string(), 200),
        (format!("If-Range: W/{etag}"), 200),
        (format!("If-Range: {lm}"), 206),
        ("If-Range: Sun, 06 Nov 1994 08:49:37 GMT".to_string(), 200),
    ];
    for (field, status) in cases {
        let r = exchange(s.addr, &request("GET", "/a.txt", &["Range: bytes=0-3", &field]));
        assert_eq!(r.status, status, "{field}");
    }
}

#[test]
fn precompressed_siblings() {
    let dir = TempDir::new("gz");
    std::fs::write(dir.join("app.js"), "plain").unwrap();
    std::fs::write(dir.join("app.js.gz"), "gzipped").unwrap();
    std::fs::write(dir.join("app.js.br"), "brotli").unwrap();
    let s = Server::start(dir.path(), &[]);
    let cases: &[(&str, Option<&str>, &[u8])] = &[
        ("gzip", Some("gzip"), b"gzipped"),
        ("gzip, br", Some("br"), b"brotli"),
        ("br;q=0, gzip", Some("gzip"), b"gzipped"),
        ("identity", None, b"plain"),
    ];
    for (accept, coding, body) in cases {
        let r = exchange(s.addr, &request("GET", "/app.js", &[&format!("Accept-Encoding: {accept}")]));
        assert_eq!(r.header("Content-Encoding"), *coding, "{accept}");
        assert_eq!(r.body, *body, "{accept}");
        assert_eq!(r.header("Content-Type"), Some("text/javascript; charset=utf-8"));
        // The plain answer varies too: a shared cache must not hand it to
        // clients that accept a coding, nor the coded one to others.
        assert_eq!(r.header("Vary"), Some("Accept-Encoding"), "{accept}");
    }
    let r = exchange(s.addr, &request("GET", "/app.js", &[]));
    assert_eq!((r.body.as_slice(), r.header("Content-Encoding")), (&b"plain"[..], None));
    assert_eq!(r.header("Vary"), Some("Accept-Encoding"));
    // HEAD, a range and a 304 of the plain file say so as well.
    let etag = r.header("ETag").unwrap().to_string();
    for (method, extra) in [("HEAD", ""), ("GET", "Range: bytes=0-1"), ("GET", "If-None-Match: ETAG")] {
        let extra = extra.replace("ETAG", &etag);
        let fields: Vec<&str> = if extra.is_empty() { vec![] } else { vec![extra.as_str()] };
        let r = exchange(s.addr, &request(method, "/app.js", &fields));
        assert!(matches!(r.status, 200 | 206 | 304), "{method} {extra}: {}", r.status);
        assert_eq!(r.header("Vary"), Some("Accept-Encoding"), "{method} {extra}");
    }
    // Only one sibling, and a client accepting only the other coding.
    std::fs::write(dir.join("only.css"), "plain").unwrap();
    std::fs::write(dir.join("only.css.gz"), "gzipped").unwrap();
    let r = exchange(s.addr, &request("GET", "/only.css", &["Accept-Encoding: br"]));
    assert_eq!((r.body.as_slice(), r.header("Vary")), (&b"plain"[..], Some("Accept-Encoding")));
    // A file with no sibling does not vary.
    std::fs::write(dir.join("alone.txt"), "x").unwrap();
    let r = exchange(s.addr, &request("GET", "/alone.txt", &["Accept-Encoding: gzip, br"]));
    assert_eq!((r.status, r.header("Vary")), (200, None));
    // A sibling made later is noticed within a moment: absence is
    // remembered for a second only (so a busy server need not look for
    // siblings on every request).
    std::fs::write(dir.join("alone.txt.gz"), "gz").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    for tries in 0.. {
        let r = exchange(s.addr, &request("GET", "/alone.txt", &["Accept-Encoding: gzip"]));
        if r.body == b"gz" {
            assert_eq!((r.header("Content-Encoding"), r.header("Vary")), (Some("gzip"), Some("Accept-Encoding")));
            break;
        }
        assert_eq!((r.body.as_slice(), r.header("Vary")), (&b"x"[..], None));
        assert!(tries < 200 && Instant::now() < deadline, "alone.txt.gz was never noticed");
        std::thread::sleep(Duration::from_millis(50));
    }
    // And one that goes away is not missed: the plain file is served.
    std::fs::remove_file(dir.join("alone.txt.gz")).unwrap();
    let r = exchange(s.addr, &request("GET", "/alone.txt", &["Accept-Encoding: gzip"]));
    assert_eq!((r.status, r.body.as_slice(), r.header("Content-Encoding")), (200, &b"x"[..], None));
}

#[test]
fn sparse_file_past_4_gib() {
    let dir = TempDir::new("sparse");
    let path = dir.join("big.img");
    let f = std::fs::File::create(&path).unwrap();
    let len: u64 = 5 * 1024 * 1024 * 1024;
    f.set_len(len).unwrap();
    let at = (1u64 << 32) + 1000;
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = f;
        f.seek(SeekFrom::Start(at)).unwrap();
        f.write_all(b"marker").unwrap();
    }
    let s = Server::start(dir.path(), &[]);
    let mut c = Conn::open(s.addr);
    let h = c.request(&request("HEAD", "/big.img", &[]));
    assert_eq!(h.header("Content-Length"), Some(len.to_string().as_str()));
    let r = c.request(&request("GET", "/big.img", &[&format!("Range: bytes={}-{}", at - 2, at + 7)]));
    assert_eq!(r.status, 206);
    assert_eq!(r.header("Content-Range"), Some(format!("bytes {}-{}/{len}", at - 2, at + 7).as_str()));
    assert_eq!(r.body, b"\0\0marker\0\0");
    let r = c.request(&request("GET", "/big.img", &["Range: bytes=-3"]));
    assert_eq!((r.status, r.body.as_slice()), (206, &b"\0\0\0"[..]));
}

#[test]
fn large_file_streams_whole() {
    let dir = TempDir::new("large");
    let data = harness::pseudo_random(3, 3 * 1024 * 1024 + 17);
    std::fs::write(dir.join("data.bin"), &data).unwrap();
    let s = Server::start(dir.path(), &[]);
    let r = get(s.addr, "/data.bin");
    assert_eq!(r.header("Content-Type"), Some("application/octet-stream"));
    assert!(r.body == data, "body differs");
}

/// A file served a moment ago is served again from the handle it was
/// opened with, but always as the file now is: changed in place, at once;
/// replaced or removed, within a second, and never a mix of two versions.
#[test]
fn a_file_kept_open_is_served_as_it_now_is() {
    let dir = TempDir::new("kept");
    let path = dir.join("kept.txt");
    std::fs::write(&path, "first version").unwrap();
    let s = Server::start(dir.path(), &[]);
    let body = |r: &Response| String::from_utf8_lossy(&r.body).into_owned();
    assert_eq!(body(&get(s.addr, "/kept.txt")), "first version");
    // Changed in place (the same file, longer, then shorter): at once,
    // with the length and ETag of what is there now.
    for now in ["a second, longer version", "short"] {
        std::fs::write(&path, now).unwrap();
        let r = get(s.addr, "/kept.txt");
        assert_eq!((r.status, body(&r)), (200, now.to_string()));
        assert_eq!(r.header("Content-Length"), Some(now.len().to_string().as_str()));
        assert_eq!(r.header("ETag").map(str::to_string), Some(validators(&path).0));
    }
    // Replaced by another file, as editors save: the old one, whole, until
    // the new one, within a second or so.
    std::fs::write(dir.join("kept.txt.new"), "replaced").unwrap();
    std::fs::rename(dir.join("kept.txt.new"), &path).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    for tries in 0.. {
        let r = get(s.addr, "/kept.txt");
        if body(&r) == "replaced" {
            break;
        }
        assert_eq!((r.status, body(&r)), (200, "short".to_string()), "only the old file or the new, whole");
        assert!(tries < 400 && Instant::now() < deadline, "the replaced file was never served");
        std::thread::sleep(Duration::from_millis(25));
    }
    // Removed: gone within a second or so.
    std::fs::remove_file(&path).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    for tries in 0.. {
        let r = get(s.addr, "/kept.txt");
        if r.status == 404 {
            break;
        }
        assert_eq!((r.status, body(&r)), (200, "replaced".to_string()));
        assert!(tries < 400 && Instant::now() < deadline, "the removed file was still served");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// However many files are asked for, the handles kept open stay bounded.
#[cfg(target_os = "linux")]
#[test]
fn handles_kept_open_are_bounded() {
    let dir = TempDir::new("many");
    for i in 0..600 {
        std::fs::write(dir.join(format!("f{i}.txt")), format!("{i}")).unwrap();
    }
    let s = Server::start(dir.path(), &[]);
    let mut conn = Conn::open(s.addr);
    for i in 0..600 {
        let r = conn.request(&request("GET", &format!("/f{i}.txt"), &[]));
        assert_eq!(r.body, format!("{i}").into_bytes());
    }
    let open = std::fs::read_dir(format!("/proc/{}/fd", s.run.child.id())).unwrap().count();
    // 256 kept, plus the listener, the connection, stdio and the loop's own.
    assert!(open <= 256 + 32, "{open} descriptors open after 600 files");
}
