//! Several URLs in one run: outputs paired in command-line order, one
//! connection kept alive between requests to the same place, every URL
//! run and the first failure's exit code, and `-Z` fetching at once while
//! stdout still gets each body whole and in order.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use common::*;
use harness::scripted::read_request;

/// A script that answers `bodies.len()` requests on one connection, each
/// with its body, keeping the connection open between them; the requests
/// after the first are kept in `seen`.
fn keep_alive(bodies: &[&'static [u8]], seen: Arc<Mutex<Vec<String>>>) -> Script {
    let bodies = bodies.to_vec();
    Box::new(move |s, _| {
        for (i, body) in bodies.iter().enumerate() {
            if i > 0 {
                let request = read_request(s);
                if request.is_empty() {
                    return;
                }
                seen.lock().unwrap().push(String::from_utf8_lossy(&request).into_owned());
            }
            let _ = s.write_all(&response("200 OK", &[], body));
        }
    })
}

#[test]
fn consecutive_requests_share_one_connection() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Scripted::start(vec![keep_alive(&[b"one", b"two", b"three"], seen.clone())]);
    let r = http_get(&["-v", &s.url("/1"), &s.url("/2"), &s.url("/3")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"onetwothree"[..]), "{}", r.stderr);
    assert_eq!(s.requests().len(), 1, "one connection");
    let seen = seen.lock().unwrap();
    assert!(seen[0].starts_with("GET /2 HTTP/1.1\r\n") && seen[1].starts_with("GET /3 HTTP/1.1\r\n"), "{seen:?}");
    assert!(!s.requests()[0].contains("Connection:"), "keep-alive is HTTP/1.1's default: {}", s.requests()[0]);
    assert_eq!(r.stderr.matches("* reusing the connection").count(), 2, "{}", r.stderr);
}

/// A server that closed the kept connection meanwhile: the request goes
/// again on a new one.
#[test]
fn a_connection_closed_while_idle_is_replaced() {
    let s = Scripted::start(vec![reply(response("200 OK", &[], b"first")), reply(response("200 OK", &[], b"second"))]);
    let r = http_get(&[&s.url("/1"), &s.url("/2")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"firstsecond"[..]), "{}", r.stderr);
    assert_eq!(s.requests().len(), 2);
}

/// curl's rule: the n-th -o or -O goes with the n-th URL, wherever each
/// was written; URLs without one go to stdout.
#[test]
fn outputs_pair_with_urls_in_order() {
    let dir = TempDir::new("many-outputs");
    let s = Scripted::start(vec![
        reply(response("200 OK", &[], b"to a")),
        reply(response("200 OK", &[], b"to remote")),
        reply(response("200 OK", &[], b"to stdout")),
    ]);
    let r = http_get_in(dir.path(), &["-o", "a", &s.url("/x"), &s.url("/remote.txt"), "-O", &s.url("/y")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"to stdout"[..]), "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join("a")).unwrap(), b"to a");
    assert_eq!(std::fs::read(dir.join("remote.txt")).unwrap(), b"to remote");
    let r = http_get_in(dir.path(), &["-o", "a", "-o", "b", &s.url("/x")]);
    assert_eq!(r.code, Some(2));
    assert_eq!(r.stderr, "http-get: 2 outputs (-o, -O) for 1 URLs: each output goes with one URL, in order\n");
    let r = http_get(&["-c", "cookies.txt", "http://h/"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("(curl's -c is --cookie-jar; here -c is --continue)"), "{}", r.stderr);
}

/// Every URL runs; each failure has its line; the exit code is the first
/// failure's in command-line order (curl gives the last's).
#[test]
fn every_url_runs_and_the_first_failure_decides() {
    let s = Scripted::start(vec![
        reply(response("200 OK", &[], b"a")),
        reply(response("404 Not Found", &[], b"nope")),
        reply(response("200 OK", &[], b"c")),
    ]);
    let refused = "http://127.0.0.1:1/";
    let r = http_get(&["-w", "[%{http_code}]", &s.url("/a"), &s.url("/b"), &s.url("/c"), refused, "a b"]);
    assert_eq!(r.code, Some(22), "{}", r.stderr);
    assert_eq!(String::from_utf8_lossy(&r.stdout), "a[200][404]c[200][000][000]");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stderr);
    assert!(lines[0].ends_with("HTTP 404 Not Found") && lines[1].contains("cannot connect"), "{}", r.stderr);
    assert!(lines[2].contains("a b: malformed URL"), "{}", r.stderr);
}

/// -Z: the transfers run at once (the first server answers only after the
/// other two were asked), yet stdout gets each body whole and in order,
/// each followed by its -w.
#[test]
fn parallel_runs_at_once_and_prints_in_order() {
    let (tx, rx) = mpsc::channel::<()>();
    let rx = Mutex::new(rx);
    let big = harness::pseudo_random(5, 3 << 20);
    let big_body = big.clone();
    let saw_others = Arc::new(Mutex::new(false));
    let flag = saw_others.clone();
    let first = Scripted::start(vec![Box::new(move |s: &mut std::net::TcpStream, _: &[u8]| {
        let rx = rx.lock().unwrap();
        let both = (0..2).all(|_| rx.recv_timeout(Duration::from_secs(10)).is_ok());
        *flag.lock().unwrap() = both;
        let _ = s.write_all(&response("200 OK", &[], &big_body));
    })]);
    let answer = |body: &'static [u8], tx: mpsc::Sender<()>| -> Script {
        Box::new(move |s, _| {
            let _ = tx.send(());
            let _ = s.write_all(&response("200 OK", &[], body));
        })
    };
    let second = Scripted::start(vec![answer(b"second", tx.clone())]);
    let third = Scripted::start(vec![answer(b"third", tx)]);
    let r = http_get(&["-Z", "-w", "|%{url_effective}\\n", &first.url("/1"), &second.url("/2"), &third.url("/3")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(*saw_others.lock().unwrap(), "the transfers ran at once");
    let mut want = big;
    want.extend_from_slice(
        format!("|{}\nsecond|{}\nthird|{}\n", first.url("/1"), second.url("/2"), third.url("/3")).as_bytes(),
    );
    assert!(r.stdout == want, "bodies whole and in order ({} bytes)", r.stdout.len());
}

/// -Z with --parallel-max 1 is one at a time; failures still decide the
/// exit code in command-line order.
#[test]
fn parallel_failures_in_order() {
    let s = Scripted::start(vec![
        reply(response("500 Internal Server Error", &[], b"x")),
        reply(response("200 OK", &[], b"fine")),
    ]);
    let r = http_get(&["-Z", "--parallel-max", "1", &s.url("/a"), &s.url("/b"), "http://127.0.0.1:1/"]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(22), &b"fine"[..]), "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert!(lines.len() == 2 && lines[0].ends_with("HTTP 500 Internal Server Error"), "{}", r.stderr);
}
