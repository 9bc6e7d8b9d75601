//! Regressions, each named after what it reproduces: the six defects
//! found by replaying another client's test cases (issue 14).

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

/// 1. `-i` and `-I` print the head exactly as received: bare LF, odd
///    spacing and all.
#[test]
fn include_prints_head_bytes_as_received() {
    let head = b"HTTP/1.1 200 OK\nX-A:b  \r\nContent-Length:   2\n\n";
    let mut wire = head.to_vec();
    wire.extend_from_slice(b"hi");
    let s = Scripted::start(vec![reply(wire.clone()), reply(head.to_vec())]);
    let r = http_get(&["-i", &s.url("/")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), wire.as_slice()), "{}", r.stderr);
    let r = http_get(&["-I", &s.url("/")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &head[..]), "{}", r.stderr);
}

/// 2. With redirects, `-i` prints every hop's head in order, then the
///    body; `-I` every head.
#[test]
fn include_prints_every_hops_head() {
    let hop = response("302 Found", &["Location: /b"], b"moved");
    let end = response("200 OK", &[], b"end");
    let s = Scripted::start(vec![reply(hop.clone()), reply(end.clone())]);
    let r = http_get(&["-i", &s.url("/a")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let mut want = hop[..hop.len() - 5].to_vec();
    want.extend_from_slice(&end);
    assert_eq!(String::from_utf8_lossy(&r.stdout), String::from_utf8_lossy(&want));
    // Into a file as well, as curl does with -i -o.
    let dir = TempDir::new("hops");
    let s = Scripted::start(vec![reply(hop), reply(end)]);
    let r = http_get(&["-i", "-o", &dir.join("f").display().to_string(), &s.url("/a")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), want);
}

/// 3. `--retry` retries 408/429/5xx under `--no-fail` and
///    `--fail-with-body` too, and a response that will be retried never
///    has its body (or head) written.
#[test]
fn retry_statuses_whatever_fail_says_and_write_nothing_retried() {
    for mode in [&["--no-fail"][..], &["--fail-with-body"], &[]] {
        let s = Scripted::start(vec![
            reply(response("503 Service Unavailable", &["Retry-After: 0"], b"busy")),
            reply(response("429 Too Many Requests", &["Retry-After: 0"], b"slow down")),
            reply(response("200 OK", &[], b"ok")),
        ]);
        let mut args = mode.to_vec();
        let url = s.url("/");
        args.extend(["-i", "--retry", "2", &url]);
        let r = http_get(&args);
        assert_eq!(r.code, Some(0), "{mode:?}: {}", r.stderr);
        assert_eq!(r.stdout, response("200 OK", &[], b"ok"), "{mode:?}");
        assert_eq!(r.stderr.matches("retrying").count(), 2, "{mode:?}: {}", r.stderr);
    }
    // Retries spent: the last answer is delivered as --fail says.
    let s = Scripted::start(vec![
        reply(response("503 Service Unavailable", &["Retry-After: 0"], b"busy")),
        reply(response("503 Service Unavailable", &["Retry-After: 0"], b"still busy")),
    ]);
    let r = http_get(&["--no-fail", "--retry", "1", &s.url("/")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"still busy"[..]), "{}", r.stderr);
    // Into a file: only the final body.
    let dir = TempDir::new("retry-file");
    let s = Scripted::start(vec![
        reply(response("500 Internal Server Error", &["Retry-After: 0"], b"broken")),
        reply(response("200 OK", &[], b"whole")),
    ]);
    let out = dir.join("f").display().to_string();
    let r = http_get(&["--fail-with-body", "--retry", "3", "-o", &out, &s.url("/")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), b"whole");
}

/// 4. A redirect with an empty Location is a final response, not a loop
///    back to the same URL.
#[test]
fn empty_location_is_final() {
    for location in ["Location:", "Location:   "] {
        let s = Scripted::start(vec![reply(response("302 Found", &[location], b"here"))]);
        let r = http_get(&["-w", "%{http_code}", &s.url("/")]);
        assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"here302"[..]), "{location}: {}", r.stderr);
        assert_eq!(s.requests().len(), 1);
    }
}

/// 5. A header line over 64 KiB (65,536 bytes, its CRLF not counted) is
///    exit 8; one of exactly 64 KiB is accepted.
#[test]
fn header_line_limit_is_64_kib() {
    let with_line = |len: usize| {
        let mut value = "X-Long: ".to_string();
        value.extend(std::iter::repeat_n('a', len - value.len()));
        response("200 OK", &[&value], b"ok")
    };
    for (len, want) in [(65_536, 0), (65_537, 8), (200_000, 8)] {
        let s = Scripted::start(vec![reply(with_line(len))]);
        let r = http_get(&[&s.url("/")]);
        assert_eq!(r.code, Some(want), "{len}: {}", r.stderr);
        if want == 8 {
            assert!(r.stderr.contains("a header line over 64 KiB"), "{}", r.stderr);
            assert!(r.stdout.is_empty());
        }
    }
}

/// 6. `-I` and `-i` on a 4xx/5xx print the head, then fail with 22
///    (the body is not written).
#[test]
fn head_of_a_failing_status_is_printed() {
    let wire = response("404 Not Found", &["X-Why: gone"], b"nope");
    let head = &wire[..wire.len() - 4];
    let s = Scripted::start(vec![reply(wire.clone()), reply(head.to_vec())]);
    let r = http_get(&["-i", &s.url("/")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(22), head), "{}", r.stderr);
    assert!(r.stderr.contains("HTTP 404 Not Found"), "{}", r.stderr);
    let r = http_get(&["-I", &s.url("/")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(22), head), "{}", r.stderr);
    // With -o nothing is left: a failure keeps no file.
    let dir = TempDir::new("fail-head");
    let s = Scripted::start(vec![reply(wire)]);
    let r = http_get(&["-i", "-o", &dir.join("f").display().to_string(), &s.url("/")]);
    assert_eq!(r.code, Some(22));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
