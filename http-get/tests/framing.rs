//! Every framing rule of RFC 9112 6.3 as http-get applies it, with the exit
//! code each broken response earns.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::time::Duration;

use common::*;

#[test]
fn framing_table() {
    let hold = Duration::from_secs(5);
    // (what the server does, extra args, exit code, stdout)
    let cases: Vec<(Script, &[&str], i32, &[u8])> = vec![
        (reply(response("200 OK", &[], b"hello")), &[], 0, b"hello"),
        (reply(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello".to_vec()), &[], 0, b"hello"),
        (reply(b"HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello".to_vec()), &[], 0, b"hello"),
        (reply(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!".to_vec()), &[], 8, b""),
        (reply(b"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello".to_vec()), &[], 8, b""),
        (reply(b"HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\nhello".to_vec()), &[], 8, b""),
        (reply(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nhello".to_vec()), &[], 8, b""),
        (
            reply(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n!\r\n0\r\nX-Trailer: y\r\n\r\n".to_vec()),
            &[],
            0,
            b"hello!",
        ),
        // Chunked wins over Content-Length.
        (
            reply(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".to_vec()),
            &[],
            0,
            b"hello",
        ),
        (reply(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n".to_vec()), &[], 18, b"hello"),
        (reply(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n".to_vec()), &[], 8, b""),
        (reply(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n".to_vec()), &[], 8, b""),
        (reply(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello".to_vec()), &[], 18, b"hello"),
        (reply(b"HTTP/1.0 200 OK\r\n\r\nuntil close".to_vec()), &[], 0, b"until close"),
        (reply_and_hold(b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n".to_vec(), hold), &[], 0, b""),
        (reply_and_hold(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n".to_vec(), hold), &[], 0, b""),
        (reply_and_hold(response("200 OK", &[], b"").to_vec(), hold), &[], 0, b""),
        (
            reply(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec()),
            &[],
            0,
            b"ok",
        ),
        (reply(Vec::new()), &[], 52, b""),
        (reply(b"HTTP/1.1 200 OK\r\nContent-Le".to_vec()), &[], 8, b""),
        (reply(b"SSH-2.0-OpenSSH_9.6\r\n\r\n".to_vec()), &[], 8, b""),
        (reply(b"HTTP/1.1 2000 OK\r\n\r\n".to_vec()), &[], 8, b""),
        (reply_and_reset(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nsome".to_vec()), &[], 56, b"some"),
        (reply(response("404 Not Found", &[], b"missing")), &[], 22, b""),
        (reply(response("404 Not Found", &[], b"missing")), &["--fail-with-body"], 22, b"missing"),
        (reply(response("404 Not Found", &[], b"missing")), &["--no-fail"], 0, b"missing"),
        (reply(response("500 Oops", &[], b"x")), &[], 22, b""),
        (reply(response("200 OK", &["X-A: b"], b"hi")), &["-i"], 0, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: b\r\n\r\nhi"),
    ];
    for (i, (script, args, code, stdout)) in cases.into_iter().enumerate() {
        let server = Scripted::start(vec![script]);
        let url = server.url("/x");
        let mut all: Vec<&str> = args.to_vec();
        all.push(&url);
        let out = http_get(&all);
        assert_eq!(out.code, Some(code), "case {i}: {}", out.stderr);
        assert_eq!(out.stdout, stdout, "case {i}");
        if code != 0 {
            assert_eq!(out.stderr.lines().count(), 1, "case {i}: one line: {}", out.stderr);
            assert!(out.stderr.starts_with(&format!("http-get: {url}")), "case {i}: names the URL: {}", out.stderr);
        } else {
            assert!(out.stderr.is_empty(), "case {i}: {}", out.stderr);
        }
    }
}

#[test]
fn head_request_prints_head_and_reads_no_body() {
    let server = Scripted::start(vec![reply_and_hold(
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/plain\r\n\r\n".to_vec(),
        Duration::from_secs(5),
    )]);
    let out = http_get(&["-I", &server.url("/")]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout, b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/plain\r\n\r\n");
    assert!(server.requests()[0].starts_with("HEAD / HTTP/1.1\r\n"));
}

#[test]
fn silent_server_hits_max_time() {
    let server = Scripted::start(vec![Box::new(|s, _| {
        let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
        let mut b = [0u8; 1];
        let _ = std::io::Read::read(s, &mut b);
    })]);
    let start = std::time::Instant::now();
    let out = http_get(&["-m", "500ms", &server.url("/")]);
    assert_eq!(out.code, Some(28), "{}", out.stderr);
    assert!(start.elapsed() < Duration::from_secs(8), "took {:?}", start.elapsed());
}

#[test]
fn endless_body_stops_at_max_time() {
    let server = Scripted::start(vec![Box::new(|s, _| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\n\r\n");
        for _ in 0..2000 {
            if s.write_all(&[b'x'; 1024]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    })]);
    let out = http_get(&["-m", "700ms", &server.url("/")]);
    assert_eq!(out.code, Some(28), "{}", out.stderr);
    assert!(!out.stdout.is_empty());
}

// bash and head: a Unix pipeline.
#[cfg(unix)]
#[test]
fn stdout_closed_early_is_quiet_success() {
    let body = vec![b'z'; 4 * 1024 * 1024];
    let server = Scripted::start(vec![reply(response("200 OK", &[], &body))]);
    let script = format!("{} {} | head -c 10", env!("CARGO_BIN_EXE_http-get"), server.url("/"));
    let bash = std::process::Command::new("bash")
        .args(["-c", &format!("set -o pipefail; {script}; echo \" rc=$?\"")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&bash.stdout);
    assert_eq!(text, "zzzzzzzzzz rc=0\n", "stderr: {}", String::from_utf8_lossy(&bash.stderr));
    assert!(bash.stderr.is_empty(), "{}", String::from_utf8_lossy(&bash.stderr));
}
