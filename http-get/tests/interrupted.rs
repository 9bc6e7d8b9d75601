//! Interrupted downloads: no hidden temporary file, ever; `FILE.part`
//! kept on a signal and on a failure with `-c`, and resumed by `-c`;
//! nothing left by a failure without `-c`; a `--retry` after body bytes
//! reached the file continues with a Range request.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;

use common::*;

fn names_in(dir: &TempDir) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A 206 answering `Range: bytes=FROM-` with `rest`, of `total` bytes, after
/// checking the request asked for it.
fn partial(from: u64, rest: &'static [u8], total: u64) -> Script {
    Box::new(move |s, request| {
        let request = String::from_utf8_lossy(request);
        let status = if request.contains(&format!("\r\nRange: bytes={from}-\r\n")) {
            let range = format!("Content-Range: bytes {from}-{}/{total}", total - 1);
            response("206 Partial Content", &[&range], rest)
        } else {
            response("400 Bad Request", &[], b"no range")
        };
        let _ = s.write_all(&status);
    })
}

/// Killed by SIGINT, SIGTERM or SIGHUP mid-body, http-get leaves exactly
/// `FILE.part` with what arrived (no hidden file, before or after), and a
/// later `-c` resumes it.
#[cfg(unix)]
#[test]
fn a_signal_keeps_the_part_and_continue_resumes_it() {
    use std::time::{Duration, Instant};
    for signal in ["INT", "TERM", "HUP"] {
        let dir = TempDir::new("signal");
        let stall = Box::new(|s: &mut std::net::TcpStream, _: &[u8]| {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n");
            let _ = s.write_all(&[b'a'; 1000]);
            let _ = s.set_read_timeout(Some(Duration::from_secs(20)));
            let _ = std::io::Read::read(s, &mut [0u8; 1]);
        });
        let s = Scripted::start(vec![stall, partial(1000, &[b'b'; 1000], 2000)]);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_http-get"))
            .args(["-s", "-o", "f", &s.url("/f")])
            .current_dir(dir.path())
            .spawn()
            .unwrap();
        // Polling the file's size, bounded: the bytes are on disk when it
        // says 1000.
        let deadline = Instant::now() + HANG;
        while std::fs::metadata(dir.join("f.part")).map(|m| m.len()).unwrap_or(0) < 1000 {
            assert!(Instant::now() < deadline, "{signal}: the first 1000 bytes never reached f.part");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(names_in(&dir), ["f.part"], "{signal}: while downloading, no hidden file");
        let killed = std::process::Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status();
        assert!(killed.unwrap().success());
        let status = harness::wait_timeout(&mut child, HANG);
        assert!(!status.success(), "{signal}");
        assert_eq!(names_in(&dir), ["f.part"], "{signal}: only the part is left");
        assert_eq!(std::fs::read(dir.join("f.part")).unwrap(), [b'a'; 1000]);
        let r = http_get_in(dir.path(), &["-c", "-o", "f", &s.url("/f")]);
        assert_eq!(r.code, Some(0), "{signal}: {}", r.stderr);
        assert_eq!(names_in(&dir), ["f"]);
        let mut want = vec![b'a'; 1000];
        want.extend_from_slice(&[b'b'; 1000]);
        assert_eq!(std::fs::read(dir.join("f")).unwrap(), want, "{signal}");
    }
}

/// A failure with `-c` keeps `FILE.part`; without `-c` nothing is left.
#[test]
fn a_failure_keeps_the_part_only_with_continue() {
    for (args, left) in [(&["-c"][..], &["f.part"][..]), (&[], &[])] {
        let dir = TempDir::new("fail-part");
        let s = Scripted::start(vec![reply(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234".to_vec())]);
        let url = s.url("/f");
        let mut all = args.to_vec();
        all.extend(["-o", "f", &url]);
        let r = http_get_in(dir.path(), &all);
        assert_eq!(r.code, Some(18), "{args:?}: {}", r.stderr);
        assert_eq!(names_in(&dir), left, "{args:?}");
    }
}

/// `--retry` after body bytes reached the file asks for the rest with a
/// Range request and appends it; to stdout, where bytes cannot be taken
/// back, it does not retry.
#[test]
fn a_retry_continues_the_file_with_a_range() {
    let dir = TempDir::new("retry-range");
    let s = Scripted::start(vec![
        reply(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234".to_vec()),
        partial(5, b"56789", 10),
    ]);
    let r = http_get_in(dir.path(), &["--retry", "1", "-o", "f", &s.url("/f")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(names_in(&dir), ["f"]);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"0123456789");
    assert!(!s.requests()[0].contains("Range:"));
    // A server that ignores the Range: the file starts over, whole.
    let s = Scripted::start(vec![
        reply(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234".to_vec()),
        reply(response("200 OK", &[], b"ABCDEFGHIJ")),
    ]);
    let r = http_get_in(dir.path(), &["--retry", "1", "-o", "g", &s.url("/g")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join("g")).unwrap(), b"ABCDEFGHIJ");
    // To stdout: not retried once bytes went out.
    let s = Scripted::start(vec![reply(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234".to_vec())]);
    let r = http_get(&["--retry", "1", &s.url("/")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(18), &b"01234"[..]), "{}", r.stderr);
    assert!(!r.stderr.contains("retrying"), "{}", r.stderr);
}

/// Without `-c`, a part another run left is started over, not trusted.
#[test]
fn without_continue_an_old_part_is_started_over() {
    let dir = TempDir::new("old-part");
    std::fs::write(dir.join("f.part"), b"stale bytes").unwrap();
    let s = Scripted::start(vec![reply(response("200 OK", &[], b"fresh"))]);
    let r = http_get_in(dir.path(), &["-o", "f", &s.url("/f")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(names_in(&dir), ["f"]);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"fresh");
    assert!(!s.requests()[0].contains("Range:"));
}
