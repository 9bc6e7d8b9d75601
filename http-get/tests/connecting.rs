//! Where connections go: `--resolve` and `--connect-to` (the request's
//! Host staying the URL's), `localhost` and `*.localhost` without DNS,
//! `-4`/`-6`, and `--unix-socket`.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

fn ok(body: &'static [u8]) -> Script {
    reply(response("200 OK", &[], body))
}

fn host_of(request: &str) -> &str {
    request.lines().find_map(|l| l.strip_prefix("Host: ")).unwrap_or_default()
}

#[test]
fn resolve_and_connect_to_keep_the_host() {
    let s = Scripted::start(vec![ok(b"pinned"), ok(b"moved"), ok(b"both")]);
    let port = s.addr.port();
    let r = http_get(&[
        "--resolve",
        &format!("pinned.invalid:{port}:127.0.0.1"),
        &format!("http://pinned.invalid:{port}/a"),
    ]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"pinned"[..]), "{}", r.stderr);
    let r = http_get(&["--connect-to", &format!("moved.invalid:80:127.0.0.1:{port}"), "http://moved.invalid/b"]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"moved"[..]), "{}", r.stderr);
    // --connect-to to a name, which --resolve answers.
    let r = http_get(&[
        "--connect-to",
        &format!("site.invalid::backend.invalid:{port}"),
        "--resolve",
        &format!("backend.invalid:{port}:[::1],127.0.0.1"),
        "http://site.invalid:8080/c",
    ]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"both"[..]), "{}", r.stderr);
    let hosts: Vec<String> = s.requests().iter().map(|r| host_of(r).to_string()).collect();
    assert_eq!(hosts, [format!("pinned.invalid:{port}"), "moved.invalid".into(), "site.invalid:8080".into()]);
    let r = http_get(&["--resolve", "bad", "http://h/"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert_eq!(r.stderr, "http-get: --resolve `bad`: expected HOST:PORT:ADDR[,ADDR...]\n");
}

/// `localhost` and names under it are 127.0.0.1 and ::1, both tried,
/// never asked of DNS; -4 and -6 keep one family.
#[test]
fn localhost_and_families() {
    let s = Scripted::start(vec![ok(b"a"), ok(b"b"), ok(b"c")]);
    let port = s.addr.port();
    for url in [
        format!("http://localhost:{port}/"),
        format!("http://app.localhost:{port}/"),
        format!("http://x.y.LOCALHOST.:{port}/"),
    ] {
        let r = http_get(&["-v", &url]);
        assert_eq!(r.code, Some(0), "{url}: {}", r.stderr);
        assert!(r.stderr.contains(&format!("* connected to 127.0.0.1:{port}")), "{}", r.stderr);
    }
    // The server is on 127.0.0.1 only: -6 finds nobody on ::1.
    let r = http_get(&["-6", &format!("http://localhost:{port}/")]);
    assert_eq!(r.code, Some(7), "{}", r.stderr);
    let r = http_get(&["-4", &format!("http://[::1]:{port}/")]);
    assert_eq!(r.code, Some(6), "{}", r.stderr);
    assert!(r.stderr.contains("`::1` has no IPv4 address"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn unix_socket() {
    use std::io::Write;
    let dir = TempDir::new("unix-socket");
    let path = dir.join("api.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && std::io::Read::read(&mut s, &mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        s.write_all(&response("200 OK", &[], b"over a socket")).unwrap();
        String::from_utf8_lossy(&head).into_owned()
    });
    let socket = path.display().to_string();
    let r = http_get(&["--unix-socket", &socket, "http://docker/v1.43/info"]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"over a socket"[..]), "{}", r.stderr);
    let head = server.join().unwrap();
    assert!(head.starts_with("GET /v1.43/info HTTP/1.1\r\nHost: docker\r\n"), "{head}");
    let r = http_get(&["--unix-socket", &dir.join("none.sock").display().to_string(), "http://h/"]);
    assert_eq!(r.code, Some(7), "{}", r.stderr);
    assert!(r.stderr.contains("none.sock: no such file or directory"), "{}", r.stderr);
}
