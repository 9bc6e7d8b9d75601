//! The command line: what is sent (method, headers, body, credentials),
//! stdin left alone, `-w`, `-v`, usage errors.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;

fn ok() -> Script {
    reply(response("200 OK", &["Content-Type: text/plain"], b"ok"))
}

#[test]
fn default_request_head() {
    let s = Scripted::start(vec![ok()]);
    let r = http_get(&[&s.url("/p%20q?x=1#frag")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let want = format!(
        "GET /p%20q?x=1 HTTP/1.1\r\nHost: {}\r\nUser-Agent: http-get/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        s.addr,
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(s.requests()[0], want);
}

#[test]
fn headers_replace_defaults_and_can_remove_them() {
    let s = Scripted::start(vec![ok()]);
    let r =
        http_get(&["-H", "Accept: text/csv", "-H", "User-Agent:", "-H", "X-Trace: 7", "-A", "ignored", &s.url("/")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let req = &s.requests()[0];
    assert!(req.contains("\r\nAccept: text/csv\r\n"), "{req}");
    assert!(!req.contains("User-Agent"), "{req}");
    assert!(req.contains("\r\nX-Trace: 7\r\nConnection: close\r\n"), "{req}");
    let s = Scripted::start(vec![ok()]);
    http_get(&["-A", "robot/1.0", &s.url("/")]);
    assert!(s.requests()[0].contains("\r\nUser-Agent: robot/1.0\r\n"));
}

#[test]
fn data_forms() {
    let dir = TempDir::new("data");
    let file = dir.join("body.json");
    std::fs::write(&file, "{\"k\": 1}").unwrap();
    let s = Scripted::start(vec![ok(), ok(), ok(), ok()]);
    http_get(&["-d", "a=1&b=2", &s.url("/form")]);
    http_get(&["-d", &format!("@{}", file.display()), "-H", "Content-Type: application/json", &s.url("/json")]);
    http_get_stdin(&["-d", "@-", "-X", "PUT", &s.url("/stdin")], b"from stdin");
    http_get(&["-X", "DELETE", &s.url("/gone")]);
    let reqs = s.requests();
    assert!(reqs[0].starts_with("POST /form HTTP/1.1\r\n"));
    assert!(reqs[0].contains("\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n"));
    assert!(reqs[0].ends_with("\r\n\r\na=1&b=2"));
    assert!(reqs[1].contains("\r\nContent-Type: application/json\r\nContent-Length: 8\r\n"), "{}", reqs[1]);
    assert!(reqs[1].ends_with("\r\n\r\n{\"k\": 1}"));
    // stdin is a pipe: streamed, chunked (bodies.rs reads it whole).
    assert!(reqs[2].starts_with("PUT /stdin HTTP/1.1\r\n") && reqs[2].contains("\r\nTransfer-Encoding: chunked\r\n"));
    assert!(reqs[3].starts_with("DELETE /gone HTTP/1.1\r\n"));
    let r = http_get(&["-d", "@/no/such/file", &s.url("/")]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
}

#[test]
fn stdin_is_never_read_unless_asked() {
    // stdin is a pipe that never closes: a client that read it would hang.
    let s = Scripted::start(vec![ok()]);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_http-get"));
    cmd.arg(s.url("/")).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let status = harness::wait_timeout(&mut child, HANG);
    assert!(status.success());
    drop(child.stdin.take());
}

#[test]
fn ipv6_literal_and_credentials() {
    let Ok(listener) = std::net::TcpListener::bind("[::1]:0") else {
        eprintln!("skipped: no IPv6 loopback on this machine");
        return;
    };
    let port = listener.local_addr().unwrap().port();
    let s = Scripted::on(listener, vec![ok()]);
    let r = http_get(&[&format!("http://me:secret@[::1]:{port}/v6")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let req = &s.requests()[0];
    assert!(req.contains(&format!("\r\nHost: [::1]:{port}\r\n")), "{req}");
    assert!(req.contains("\r\nAuthorization: Basic bWU6c2VjcmV0\r\n"), "{req}");
}

#[test]
fn write_out_and_verbose() {
    let s = Scripted::start(vec![ok()]);
    let r =
        http_get(&["-v", "-w", "\\n%{http_code} %{size_download} %{content_type} %{url_effective}\\n", &s.url("/w")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(String::from_utf8_lossy(&r.stdout), format!("ok\n200 2 text/plain {}\n", s.url("/w")));
    assert!(r.stderr.contains("> GET /w HTTP/1.1\n"), "{}", r.stderr);
    assert!(r.stderr.contains("< HTTP/1.1 200 OK\n< Content-Length: 2\n"), "{}", r.stderr);
    // -w is written on failure too, for scripts that log the status.
    let s = Scripted::start(vec![reply(response("404 Not Found", &[], b"x"))]);
    let r = http_get(&["-s", "-w", "%{http_code}", &s.url("/")]);
    assert_eq!((r.code, r.stdout.as_slice(), r.stderr.as_str()), (Some(22), &b"404"[..], ""));
    let s = Scripted::start(vec![reply(response("404 Not Found", &[], b"x"))]);
    let r = http_get(&["-s", "-S", &s.url("/")]);
    assert_eq!(r.stderr, format!("http-get: {}: HTTP 404 Not Found\n", s.url("/")));
}

#[test]
fn usage_and_url_errors() {
    let cases: &[(&[&str], i32)] = &[
        (&[], 2),
        (&["--help"], 0),
        (&["--version"], 0),
        (&["--bogus", "http://h/"], 2),
        (&["-c", "http://127.0.0.1:1/"], 2),
        (&["not a url"], 3),
        (&["http://"], 3),
        (&["gopher://h/"], 1),
        (&["http://no-such-host.invalid/"], 6),
    ];
    for (args, code) in cases {
        let r = http_get(args);
        assert_eq!(r.code, Some(*code), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn connect_timeout_to_a_full_backlog() {
    let hole = harness::black_hole();
    let addr = hole.addr;
    let start = std::time::Instant::now();
    let r = http_get(&["--connect-timeout", "300ms", &format!("http://{addr}/")]);
    assert_eq!(r.code, Some(28), "{}", r.stderr);
    assert!(start.elapsed() < Duration::from_secs(10));
}
