//! `--upload`: PUT and forms land exactly what was sent, only when all of
//! it has arrived; names are refused, never reduced; a taken name is 409
//! unless `--overwrite`; `--max-upload` is 413, before reading when the
//! length is announced; a cut or a timeout leaves nothing behind; the
//! temporary files are never listed or served.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use common::*;

fn put(path: &str, body: &[u8], extra: &[&str]) -> Vec<u8> {
    let mut r = format!("PUT {path} HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n", body.len());
    for e in extra {
        r.push_str(e);
        r.push_str("\r\n");
    }
    r.push_str("\r\n");
    let mut r = r.into_bytes();
    r.extend_from_slice(body);
    r
}

/// The names in a folder, sorted (the server's own temporary files
/// included, so a leftover shows).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

fn site(args: &[&str]) -> (TempDir, Server) {
    let dir = TempDir::new("upload");
    std::fs::create_dir_all(dir.join("in/sub")).unwrap();
    std::fs::write(dir.join("in/taken.txt"), "old").unwrap();
    let mut all = vec!["--upload"];
    all.extend_from_slice(args);
    let s = Server::start(dir.path(), &all);
    (dir, s)
}

#[test]
fn put_lands_the_body_exactly() {
    let (dir, s) = site(&[]);
    let body = harness::pseudo_random(9, 3 << 20);
    let r = exchange(s.addr, &put("/in/new%20file.bin", &body, &[]));
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("Location"), Some("/in/new%20file.bin"));
    assert_eq!(r.text(), format!("created /in/new%20file.bin ({} bytes)\n", body.len()));
    assert_eq!(std::fs::read(dir.join("in/new file.bin")).unwrap(), body);
    // An empty file; into a subfolder; UTF-8 names.
    assert_eq!(exchange(s.addr, &put("/in/sub/empty", b"", &[])).status, 201);
    assert_eq!(std::fs::read(dir.join("in/sub/empty")).unwrap(), b"");
    assert_eq!(exchange(s.addr, &put("/in/caf%C3%A9.txt", b"cafe", &[])).status, 201);
    assert_eq!(std::fs::read(dir.join("in/caf\u{e9}.txt")).unwrap(), b"cafe");
    // And it is served at once.
    assert_eq!(get(s.addr, "/in/new%20file.bin").body, body);
    assert_eq!(names(&dir.join("in")), ["caf\u{e9}.txt", "new file.bin", "sub", "taken.txt"]);
    // A sibling uploaded beside a file served a moment ago is used at once.
    let js = "/in/new%20file.bin";
    assert_eq!(exchange(s.addr, &request("GET", js, &["Accept-Encoding: gzip"])).header("Vary"), None);
    assert_eq!(exchange(s.addr, &put("/in/new%20file.bin.gz", b"gz", &[])).status, 201);
    let r = exchange(s.addr, &request("GET", js, &["Accept-Encoding: gzip"]));
    assert_eq!((r.body.as_slice(), r.header("Vary")), (&b"gz"[..], Some("Accept-Encoding")));
    std::fs::remove_file(dir.join("in/new file.bin.gz")).unwrap();
    // OPTIONS says what is allowed.
    let o = exchange(s.addr, &request("OPTIONS", "/", &[]));
    assert_eq!(o.header("Allow"), Some("GET, HEAD, OPTIONS, PUT, POST"));
}

#[test]
fn refusals_before_the_body() {
    let (dir, s) = site(&["--max-upload", "1K"]);
    let cases: &[(&str, usize, u16)] = &[
        ("/in/taken.txt", 3, 409),
        ("/in/sub", 3, 409),
        ("/in/sub/", 3, 400),
        ("/in/", 3, 400),
        ("/missing/x.txt", 3, 404),
        ("/in/big.bin", 1025, 413),
        ("/in/..%2fescape.txt", 3, 400),
        ("/../escape.txt", 3, 400),
        ("/in/CON.txt", 3, 400),
        ("/in/nul", 3, 400),
        ("/in/a%3Ab", 3, 400),
        ("/in/a%3Cb", 3, 400),
        ("/in/q%3F", 3, 400),
        ("/in/star*", 3, 400),
        ("/in/pipe%7C", 3, 400),
        ("/in/quote%22", 3, 400),
        ("/in/back%5Cslash", 3, 400),
        ("/in/.env", 3, 400),
        ("/in/trailing.", 3, 400),
        ("/in/ctl%01", 3, 400),
        ("/in/.http-serve-upload-x", 3, 400),
    ];
    for (path, len, status) in cases {
        // Only the head is sent: every refusal comes before the body.
        let head = format!("PUT {path} HTTP/1.1\r\nHost: t\r\nContent-Length: {len}\r\n\r\n");
        let mut c = Conn::open(s.addr);
        c.send(head.as_bytes());
        let r = c.read(false);
        assert_eq!(r.status, *status, "{path}: {}", r.text());
        assert_eq!(r.header("Connection"), Some("close"), "{path}: the unread body ends the connection");
    }
    assert_eq!(std::fs::read(dir.join("in/taken.txt")).unwrap(), b"old");
    assert_eq!(names(&dir.join("in")), ["sub", "taken.txt"]);
    // --hidden allows dot-names; never the server's own prefix.
    let (dir2, hidden) = site(&["--hidden"]);
    assert_eq!(exchange(hidden.addr, &put("/in/.env", b"x", &[])).status, 201);
    assert_eq!(exchange(hidden.addr, &put("/in/.http-serve-upload-x", b"x", &[])).status, 400);
    assert!(dir2.join("in/.env").exists());
}

#[test]
fn overwrite_replaces_and_uploads_off_is_405() {
    let (dir, s) = site(&["--overwrite"]);
    let before = std::fs::read(dir.join("in/taken.txt")).unwrap();
    assert_eq!(get(s.addr, "/in/taken.txt").body, before);
    let r = exchange(s.addr, &put("/in/taken.txt", b"new", &[]));
    assert_eq!(r.status, 201);
    assert_eq!(std::fs::read(dir.join("in/taken.txt")).unwrap(), b"new");
    // Served a moment ago (and kept open), replaced by the upload: the new
    // file is served at once.
    assert_eq!(get(s.addr, "/in/taken.txt").body, b"new");
    assert_eq!(exchange(s.addr, &put("/in/sub", b"x", &[])).status, 409, "never a folder");
    let off = Server::start(dir.path(), &[]);
    let r = exchange(off.addr, &put("/in/x.txt", b"x", &[]));
    assert_eq!(r.status, 405);
    assert_eq!(r.header("Allow"), Some("GET, HEAD, OPTIONS"));
    assert!(r.text().contains("--upload"));
    assert!(!dir.join("in/x.txt").exists());
}

#[test]
fn chunked_and_100_continue() {
    let (dir, s) = site(&["--max-upload", "100K"]);
    let mut chunked = b"PUT /in/c.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    chunked.extend_from_slice(b"5;ext\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: 1\r\n\r\n");
    let r = exchange(s.addr, &chunked);
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(std::fs::read(dir.join("in/c.txt")).unwrap(), b"hello world");
    // A chunked body past the limit stops there with 413; nothing lands.
    let mut c = Conn::open(s.addr);
    c.send(b"PUT /in/big.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    let chunk = [format!("{:x}\r\n", 64 * 1024).into_bytes(), vec![b'x'; 64 * 1024], b"\r\n".to_vec()].concat();
    let mut writer = c.stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        for _ in 0..4 {
            if writer.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    assert_eq!(c.read(false).status, 413);
    let _ = sender.join();
    // Bad chunk framing is 400; nothing lands.
    let mut bad = b"PUT /in/bad.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    bad.extend_from_slice(b"zz\r\nhello\r\n0\r\n\r\n");
    assert_eq!(exchange(s.addr, &bad).status, 400);
    // Expect: 100-continue: the head alone gets the interim response.
    let mut c = Conn::open(s.addr);
    c.send(b"PUT /in/e.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    let mut interim = [0u8; 25];
    c.stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    c.send(b"done");
    assert_eq!(c.read(false).status, 201);
    assert_eq!(std::fs::read(dir.join("in/e.txt")).unwrap(), b"done");
    assert_eq!(names(&dir.join("in")), ["c.txt", "e.txt", "sub", "taken.txt"]);
}

#[test]
fn a_request_after_the_body_on_the_same_connection() {
    let (dir, s) = site(&[]);
    let mut c = Conn::open(s.addr);
    let mut both = put("/in/p.txt", b"pipelined", &[]);
    both.extend_from_slice(&request("GET", "/in/p.txt", &[]));
    c.send(&both);
    assert_eq!(c.read(false).status, 201);
    assert_eq!(c.read(false).text(), "pipelined");
    assert!(dir.join("in/p.txt").exists());
}

fn form_body(boundary: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut b = Vec::new();
    for (field, filename, data) in parts {
        b.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"").as_bytes());
        if let Some(f) = filename {
            b.extend_from_slice(format!("; filename=\"{f}\"\r\nContent-Type: application/octet-stream").as_bytes());
        }
        b.extend_from_slice(b"\r\n\r\n");
        b.extend_from_slice(data);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    b
}

fn post(path: &str, boundary: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

#[test]
fn forms_land_every_file_or_none_that_is_refused() {
    let (dir, s) = site(&[]);
    let big = harness::pseudo_random(4, 1 << 20);
    let body = form_body(
        "----b0undary",
        &[
            ("note", None, b"not a file"),
            ("file", Some("one.txt"), b"first\r\n--not-the-boundary"),
            ("file", Some("two.bin"), &big),
            ("file", Some(""), b""),
        ],
    );
    let r = exchange(s.addr, &post("/in/", "----b0undary", &body));
    assert_eq!(r.status, 201, "{}", r.text());
    assert!(r.text().contains("Uploaded 2 files"), "{}", r.text());
    assert!(r.text().contains("<a href=\"/in/\">Back to the folder</a>"));
    assert_eq!(std::fs::read(dir.join("in/one.txt")).unwrap(), b"first\r\n--not-the-boundary");
    assert_eq!(std::fs::read(dir.join("in/two.bin")).unwrap(), big);
    // Refused, not reduced: `../x` is not saved as `x`.
    let cases: &[(&str, u16)] =
        &[("../x.txt", 400), ("a/b.txt", 400), ("CON.txt", 400), ("taken.txt", 409), ("ok.txt\" x", 400)];
    for (name, status) in cases {
        let body = form_body("B", &[("file", Some(name), b"data")]);
        let r = exchange(s.addr, &post("/in/", "B", &body));
        assert_eq!(r.status, *status, "{name}: {}", r.text());
    }
    // A second file of the same name in one form: neither lands.
    let body = form_body("B", &[("file", Some("dup.txt"), b"1"), ("file", Some("dup.txt"), b"2")]);
    assert_eq!(exchange(s.addr, &post("/in/", "B", &body)).status, 409);
    // Not a form, not a folder.
    let r = exchange(s.addr, &request("POST", "/in/", &["Content-Type: text/plain", "Content-Length: 1"]));
    assert_eq!(r.status, 415);
    assert_eq!(exchange(s.addr, &post("/in", "B", &form_body("B", &[]))).status, 404);
    assert_eq!(names(&dir.join("in")), ["one.txt", "sub", "taken.txt", "two.bin"]);
    for n in ["x.txt", "b.txt", "dup.txt"] {
        assert!(!dir.join("in").join(n).exists(), "{n}");
    }
}

#[test]
fn a_cut_or_a_timeout_leaves_nothing_and_temporaries_stay_unseen() {
    let (dir, s) = site(&["--timeout", "1s", "--hidden"]);
    // Cut: 10 of 1000 bytes, then the client goes.
    {
        let mut c = TcpStream::connect(s.addr).unwrap();
        c.write_all(b"PUT /in/cut.bin HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n0123456789").unwrap();
        // While it is open its temporary file exists, unseen.
        let listing = get(s.addr, "/in/?format=json").text();
        assert!(!listing.contains("http-serve-upload"), "{listing}");
        let temps: Vec<String> =
            names(&dir.join("in")).into_iter().filter(|n| n.starts_with(".http-serve-upload-")).collect();
        assert_eq!(temps.len(), 1, "{temps:?}");
        assert_eq!(get(s.addr, &format!("/in/{}", temps[0])).status, 404, "never served, even with --hidden");
        assert!(!get(s.addr, "/in/?download=tar").body.windows(18).any(|w| w == b"http-serve-upload-"));
    }
    s.wait_log("\"PUT /in/cut.bin HTTP/1.1\" - 0");
    let line = s.wait_log("cut.bin");
    assert!(line.contains("(dropped: the upload was cut short after 10 body bytes)"), "{line}");
    // Timeout: the client stops sending; 408 after --timeout.
    let mut c = TcpStream::connect(s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    c.write_all(b"PUT /in/slow.bin HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n0123456789").unwrap();
    let mut got = Vec::new();
    let _ = c.read_to_end(&mut got);
    assert!(got.starts_with(b"HTTP/1.1 408 Request Timeout\r\n"), "{}", String::from_utf8_lossy(&got));
    assert_eq!(names(&dir.join("in")), ["sub", "taken.txt"], "no file, no temporary file");
}

#[test]
fn the_listing_offers_the_form_only_with_upload() {
    let (dir, s) = site(&[]);
    let page = get(s.addr, "/in/").text();
    assert!(page.contains("<form class=\"up\" method=\"post\" enctype=\"multipart/form-data\">"), "{page}");
    assert!(page.contains("<input type=\"file\" name=\"file\" multiple required"));
    assert!(page.contains("x.upload.onprogress"));
    let off = Server::start(dir.path(), &[]);
    let page = get(off.addr, "/in/").text();
    assert!(!page.contains("form class=\"up\"") && !page.contains("onprogress"));
}
