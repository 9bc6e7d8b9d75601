//! What scripts ported from curl type: curl's 40 most used options, each
//! either working or answered with one line that names it; combined short
//! flags; URLs without a scheme.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

/// What an option should do here.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Exit 0 against a server that answers 200.
    Works,
    /// Exit 2 with exactly this one line on stderr (after `http-get: `).
    Says(&'static str),
}

use Expect::{Says, Works};

/// curl's 40 most used options in scripts (by a census of public scripts
/// and curl's own "most used" list), as a script would pass them, the URL
/// last. `FILE` is replaced by a file in a fresh folder.
const TOP_40: &[(&[&str], Expect)] = &[
    (&["-s"], Works),
    (&["-L"], Works),
    (&["-S"], Works),
    (&["-f"], Works),
    (&["-o", "FILE"], Works),
    (&["-O"], Works),
    (&["--compressed"], Works),
    (&["-X", "POST"], Works),
    (&["-H", "Accept: application/json"], Works),
    (&["-d", "a=1"], Works),
    (&["-k"], Works),
    (&["-v"], Works),
    (&["-i"], Works),
    (&["-I"], Works),
    (&["-u", "user:pw"], Works),
    (&["-w", "%{http_code}"], Works),
    (&["-A", "robot/1"], Works),
    (&["-x", "http://127.0.0.1:1", "--noproxy", "127.0.0.1"], Works),
    (&["-m", "30"], Works),
    (&["--connect-timeout", "5"], Works),
    (&["--retry", "3"], Works),
    (&["-C", "-", "-o", "FILE"], Works),
    (&["-F", "a=1"], Works),
    (&["-T", "FILE"], Works),
    (&["-b", "a=1"], Works),
    (&["--cookie-jar", "FILE"], Works),
    (&["-e", "http://ref/"], Works),
    (&["-r", "0-99"], Works),
    (&["-G", "-d", "q=1"], Works),
    (&["--data-urlencode", "a=b c"], Works),
    (&["--data-binary", "@FILE"], Works),
    (&["--data-raw", "x"], Works),
    (&["--json", "{}"], Works),
    (&["--cacert", "FILE"], Works),
    (&["--cert", "FILE"], Works),
    (&["--fail-with-body"], Works),
    (&["-#", "-o", "FILE"], Works),
    (&["-4"], Works),
    (&["--output-dir", ".", "-O"], Works),
    (
        &["-D", "-"],
        Says(
            "curl's -D (--dump-header) is not supported; use -i (head and body to the output) or -v (heads to stderr)",
        ),
    ),
];

#[test]
fn curls_40_most_used_options() {
    assert_eq!(TOP_40.len(), 40);
    for (options, expect) in TOP_40 {
        let dir = TempDir::new("curl-top");
        let file = dir.join("file");
        std::fs::write(&file, "-----BEGIN CERTIFICATE-----\n").unwrap();
        let s = Scripted::start(vec![reply(response("200 OK", &[], b"ok"))]);
        let file = file.display().to_string();
        let mut args: Vec<String> = options.iter().map(|a| a.replace("FILE", &file)).collect();
        args.push(s.url("/name"));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = http_get_in(dir.path(), &args);
        match expect {
            Works => assert_eq!(r.code, Some(0), "{options:?}: {}", r.stderr),
            Says(line) => {
                assert_eq!(r.code, Some(2), "{options:?}");
                assert_eq!(r.stderr, format!("http-get: {line}\n"), "{options:?}");
                assert!(s.requests().is_empty(), "{options:?}: nothing sent");
            }
        }
    }
}

/// The lines scripts start with: combined short flags, a value glued to
/// the last one, curl's seconds.
#[test]
fn combined_short_flags() {
    let dir = TempDir::new("combined");
    let s = Scripted::start(vec![
        reply(response("200 OK", &[], b"one")),
        reply(response("200 OK", &[], b"two")),
        reply(response("404 Not Found", &[], b"no")),
    ]);
    let r = http_get_in(dir.path(), &["-fsSL", &s.url("/a")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"one"[..]), "{}", r.stderr);
    let r = http_get_in(dir.path(), &["-sSLo", "out", "-m", "30", &s.url("/b")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join("out")).unwrap(), b"two");
    let r = http_get_in(dir.path(), &["-fsSL", &s.url("/c")]);
    assert_eq!((r.code, r.stderr.lines().count()), (Some(22), 1), "{}", r.stderr);
    // -s alone: not a word.
    let r = http_get(&["-sL", "http://127.0.0.1:1/"]);
    assert_eq!((r.code, r.stderr.as_str()), (Some(7), ""));
}

/// A URL without a scheme is http; `localhost:PORT/x` is a host and a
/// port.
#[test]
fn urls_without_a_scheme() {
    let s = Scripted::start(vec![reply(response("200 OK", &[], b"a")), reply(response("200 OK", &[], b"b"))]);
    let port = s.addr.port();
    let r = http_get(&[&format!("127.0.0.1:{port}/x")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"a"[..]), "{}", r.stderr);
    assert!(s.requests()[0].starts_with("GET /x HTTP/1.1\r\n"));
    // localhost is 127.0.0.1, then ::1, without DNS.
    let r = http_get(&["-w", "%{url_effective}", &format!("localhost:{port}/y")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(String::from_utf8_lossy(&r.stdout), format!("bhttp://localhost:{port}/y"));
}

/// Unknown options: one line, never clap's `-- -L` tip, nothing sent.
#[test]
fn unknown_options_are_one_line() {
    for args in [&["--bogus", "http://h/"][..], &["-sSLD", "h", "http://h/"], &["http://h/", "--trace=t"]] {
        let r = http_get(args);
        assert_eq!(r.code, Some(2), "{args:?}");
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("-- "), "{args:?}: {}", r.stderr);
    }
    let r = http_get(&["-C", "5", "-o", "f", "http://h/"]);
    assert_eq!(r.code, Some(2));
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("only `-C -` is taken"), "{}", r.stderr);
    let r = http_get(&["-c", "http://h/"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("curl's -c is --cookie-jar"), "{}", r.stderr);
}
