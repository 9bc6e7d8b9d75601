//! curl's less common options that scripts still use: `-r`, `-e`
//! (with `;auto`), `-b NAME=VALUE`, `-J` (a name from Content-Disposition,
//! made safe), `--output-dir`, `--create-dirs`, `--limit-rate`.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

fn field<'a>(request: &'a str, name: &str) -> Option<&'a str> {
    request.lines().find_map(|l| l.strip_prefix(&format!("{name}: ")))
}

#[test]
fn range_referer_and_cookies() {
    let other = Scripted::start(vec![reply(response("200 OK", &[], b"elsewhere"))]);
    let s = Scripted::start(vec![
        reply(response("206 Partial Content", &["Content-Range: bytes 0-4/10"], b"01234")),
        reply(response("302 Found", &["Location: /next"], b"")),
        reply(response("302 Found", &[&format!("Location: {}", other.url("/far"))], b"")),
    ]);
    let r = http_get(&["-r", "0-4", "-e", "http://from.example/page", &s.url("/f")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"01234"[..]), "{}", r.stderr);
    let r = http_get(&["-e", ";auto", "-b", "session=abc; theme=dark", &s.url("/start")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"elsewhere"[..]), "{}", r.stderr);
    let requests = s.requests();
    assert_eq!(field(&requests[0], "Range"), Some("bytes=0-4"));
    assert_eq!(field(&requests[0], "Referer"), Some("http://from.example/page"));
    assert_eq!(field(&requests[1], "Referer"), None, "no referer before the first redirect");
    assert_eq!(field(&requests[1], "Cookie"), Some("session=abc; theme=dark"));
    assert_eq!(field(&requests[2], "Referer"), Some(s.url("/start").as_str()));
    let far = &other.requests()[0];
    assert_eq!(field(far, "Referer"), Some(s.url("/next").as_str()));
    assert_eq!(field(far, "Cookie"), None, "cookies stay with the origin given");
    for (args, words) in [
        (&["-r", "10-x", "http://h/"][..], "expected byte ranges"),
        (&["-r", "0-1", "-c", "-o", "f", "http://h/"], "-r and --continue"),
        (&["-J", "http://h/"], "-J names -O's file"),
    ] {
        let r = http_get(args);
        assert_eq!(r.code, Some(2), "{args:?}");
        assert!(r.stderr.contains(words) && r.stderr.lines().count() == 1, "{args:?}: {}", r.stderr);
    }
}

/// -J takes the name a server suggests, only its last component and never
/// hidden; without one, the URL's; --output-dir and --create-dirs place it.
#[test]
fn remote_header_name_and_folders() {
    let dir = TempDir::new("extras-names");
    let s = Scripted::start(vec![
        reply(response("200 OK", &["Content-Disposition: attachment; filename=\"../../.evil name.txt\""], b"one")),
        reply(response("200 OK", &["Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"], b"two")),
        reply(response("200 OK", &[], b"three")),
        reply(response("200 OK", &[], b"four")),
        reply(response("200 OK", &[], b"five")),
    ]);
    let r = http_get_in(dir.path(), &["-OJ", &s.url("/download?id=1")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join("evil name.txt")).unwrap(), b"one");
    let r = http_get_in(dir.path(), &["-O", "-J", "--output-dir", "out/deep", "--create-dirs", &s.url("/d")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join("out/deep/résumé.pdf")).unwrap(), b"two");
    let r = http_get_in(dir.path(), &["-OJ", &s.url("/fallback.bin")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join("fallback.bin")).unwrap(), b"three");
    let r = http_get_in(dir.path(), &["--output-dir", "out", "-o", "sub/x.txt", "--create-dirs", &s.url("/x")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join("out/sub/x.txt")).unwrap(), b"four");
    // Without --create-dirs a missing folder is a write error.
    let r = http_get_in(dir.path(), &["-o", "missing/y.txt", &s.url("/y")]);
    assert_eq!(r.code, Some(23), "{}", r.stderr);
}

/// --limit-rate paces the body and changes nothing in it (the pace itself
/// is measured in bench/run, not here).
#[test]
fn limit_rate_keeps_the_bytes() {
    let body = harness::pseudo_random(8, 300_000);
    let s = Scripted::start(vec![reply(response("200 OK", &[], &body))]);
    let r = http_get(&["--limit-rate", "1M", &s.url("/")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout == body);
}
