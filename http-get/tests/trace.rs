//! `--trace`: a fetch step by step (resolve, socket, connect, the TLS
//! handshake, the request, the response head, the body's framing) and a
//! redirect starting the steps again. Only the sequence is checked:
//! numbers read `N`.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use harness::trace::{assert_in_order, count, shapes};

#[test]
fn a_redirect_is_followed_step_by_step() {
    let s = Scripted::start(vec![
        reply(response("301 Moved Permanently", &["Location: /b"], b"moved")),
        reply(response("200 OK", &[], b"here")),
    ]);
    let out = http_get(&["--trace", &s.url("/a")]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout, b"here");
    let lines: Vec<String> = out.stderr.lines().map(String::from).collect();
    assert_in_order(
        &lines,
        &[
            "resolve N.N.N.N = N.N.N.N",
            "socket(AF_INET, SOCK_STREAM) = fd N",
            "connect(fd N, N.N.N.N:N)",
            "send(fd N) = N bytes",
            "request sent: GET /a HTTP/N.N",
            "recv(fd N) = N bytes",
            "response head: HTTP/N.N N Moved Permanently",
            "body framing: Content-Length, N bytes",
            "redirect: N to http://N.N.N.N:N/b",
            "request sent: GET /b HTTP/N.N",
            "response head: HTTP/N.N N OK",
            "body framing: Content-Length, N bytes",
        ],
    );
    assert_eq!(count(&lines, "redirect: "), 1, "{:?}", shapes(&lines));
}

/// HTTPS against http-serve's own certificate (made at start, so `-k`):
/// the handshake comes between connect and the request.
#[cfg(feature = "tls")]
#[test]
fn tls_handshake_comes_between_connect_and_request() {
    use harness::Capture;
    let dir = TempDir::new("trace-get-tls");
    std::fs::write(dir.join("index.html"), "secret\n").unwrap();
    let mut cmd = std::process::Command::new(harness::bin("http-serve"));
    cmd.args(["--tls", "-q", "-p", "0"]).arg(dir.path());
    let server = harness::start(cmd, Capture::Both);
    let lines = server.stdout.as_ref().unwrap();
    let addr = lines.wait_for(harness::START_TIMEOUT, |l| harness::addr_after(&l.replacen("https://", "", 1), " at "));
    let out = http_get(&["--trace", "-k", &format!("https://{addr}/index.html")]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout, b"secret\n");
    let lines: Vec<String> = out.stderr.lines().map(String::from).collect();
    assert_in_order(
        &lines,
        &[
            "resolve N.N.N.N = N.N.N.N",
            "socket(AF_INET, SOCK_STREAM) = fd N",
            "connect(fd N, N.N.N.N:N)",
            "TLS handshake with N.N.N.N = TLSv",
            "request sent: GET /index.html HTTP/N.N",
            "response head: HTTP/N.N N OK",
            "body framing: Content-Length, N bytes",
        ],
    );
    // The cipher suite is named.
    let handshake = lines.iter().find(|l| l.starts_with("TLS handshake")).unwrap();
    assert!(handshake.contains("_WITH_") || handshake.contains("TLS13_"), "{handshake}");
}
