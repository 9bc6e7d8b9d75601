//! Redirect chains: relative, absolute, to another port, method changes,
//! loops, unsupported schemes, and credentials that stay with their host.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

fn redirect(status: &str, location: &str) -> Script {
    reply(response(status, &[&format!("Location: {location}")], b"moved"))
}

#[test]
fn relative_and_absolute_chain() {
    let other = Scripted::start(vec![reply(response("200 OK", &[], b"at the end"))]);
    let first = Scripted::start(vec![
        redirect("301 Moved Permanently", "b/c"),
        redirect("302 Found", "/d?q=1"),
        redirect("307 Temporary Redirect", &other.url("/final")),
    ]);
    // One server answers several hops: it serves its scripts in order.
    let out = http_get(&["-w", "%{url_effective} %{http_code}", &first.url("/a/x")]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("at the end{} 200", other.url("/final")));
    let reqs = first.requests();
    assert!(reqs[0].starts_with("GET /a/x HTTP/1.1\r\n"));
    assert!(reqs[1].starts_with("GET /a/b/c HTTP/1.1\r\n"));
    assert!(reqs[2].starts_with("GET /d?q=1 HTTP/1.1\r\n"));
    assert!(other.requests()[0].starts_with("GET /final HTTP/1.1\r\n"));
    assert!(other.requests()[0].contains(&format!("\r\nHost: {}\r\n", other.addr)));
}

#[test]
fn post_becomes_get_on_303_but_not_on_307() {
    let s = Scripted::start(vec![
        redirect("303 See Other", "/after"),
        reply(response("200 OK", &[], b"ok")),
        redirect("307 Temporary Redirect", "/again"),
        reply(response("200 OK", &[], b"ok")),
    ]);
    let out = http_get(&["-d", "a=1", &s.url("/form")]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let out = http_get(&["-d", "a=1", &s.url("/form")]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let reqs = s.requests();
    assert!(reqs[0].starts_with("POST /form HTTP/1.1\r\n") && reqs[0].ends_with("\r\n\r\na=1"));
    assert!(reqs[0].contains("\r\nContent-Type: application/x-www-form-urlencoded\r\n"));
    assert!(reqs[1].starts_with("GET /after HTTP/1.1\r\n"));
    assert!(!reqs[1].contains("Content-Length") && !reqs[1].contains("Content-Type"), "{}", reqs[1]);
    assert!(reqs[3].starts_with("POST /again HTTP/1.1\r\n") && reqs[3].ends_with("\r\n\r\na=1"));
}

#[test]
fn loop_exits_47_and_max_redirects_zero_does_not_follow() {
    let scripts: Vec<Script> = (0..4).map(|_| redirect("302 Found", "/loop")).collect();
    let s = Scripted::start(scripts);
    let out = http_get(&["--max-redirects", "3", &s.url("/loop")]);
    assert_eq!(out.code, Some(47), "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("more than 3 redirects"), "{}", out.stderr);
    let s = Scripted::start(vec![redirect("301 Moved Permanently", "/elsewhere")]);
    let out = http_get(&["--max-redirects", "0", "-i", &s.url("/")]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("HTTP/1.1 301 Moved Permanently\r\n"));
}

#[test]
fn redirect_to_other_schemes_is_refused() {
    for location in ["file:///etc/passwd", "ftp://example.org/x"] {
        let s = Scripted::start(vec![redirect("302 Found", location)]);
        let out = http_get(&[&s.url("/")]);
        assert_eq!(out.code, Some(1), "{location}: {}", out.stderr);
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn location_with_spaces_and_non_ascii_is_encoded() {
    let s = Scripted::start(vec![redirect("302 Found", "/a b/caf\u{e9}"), reply(response("200 OK", &[], b"ok"))]);
    let out = http_get(&[&s.url("/")]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(s.requests()[1].starts_with("GET /a%20b/caf%C3%A9 HTTP/1.1\r\n"), "{}", s.requests()[1]);
}

#[test]
fn credentials_stay_with_their_host() {
    let other = Scripted::start(vec![reply(response("200 OK", &[], b"ok"))]);
    let s = Scripted::start(vec![redirect("302 Found", "/same"), redirect("302 Found", &other.url("/x"))]);
    let url = format!("http://user:pa%20ss@{}/start", s.addr);
    let out = http_get(&["-H", "X-Keep: 1", &url]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let reqs = s.requests();
    let auth = "\r\nAuthorization: Basic dXNlcjpwYSBzcw==\r\n";
    assert!(reqs[0].contains(auth), "{}", reqs[0]);
    assert!(reqs[1].contains(auth), "same host keeps it: {}", reqs[1]);
    let away = &other.requests()[0];
    assert!(!away.contains("Authorization"), "{away}");
    assert!(away.contains("\r\nX-Keep: 1\r\n"));
    // -H Authorization is dropped the same way.
    let other = Scripted::start(vec![reply(response("200 OK", &[], b"ok"))]);
    let s = Scripted::start(vec![redirect("302 Found", &other.url("/x"))]);
    let out = http_get(&["-H", "Authorization: Bearer t0k3n", &s.url("/")]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(s.requests()[0].contains("\r\nAuthorization: Bearer t0k3n\r\n"));
    assert!(!other.requests()[0].contains("t0k3n"));
}
