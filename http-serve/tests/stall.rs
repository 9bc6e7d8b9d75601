//! Nobody can hold the one thread hostage: silent and dribbling
//! connections, clients that stop reading, the connection limit, timeouts.
//! Times asserted here are generous bounds that catch a blocked server
//! (which would take the whole `--timeout` of 60 s), not speed targets.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;

/// Each case as it is, again with uploads on (the same one thread also
/// reads request bodies then), and again over TLS (each connection carried
/// to the server over TLS by a front, so every stall happens inside TLS).
macro_rules! modes {
    ($($(#[$attr:meta])* $name:ident),* $(,)?) => {
        mod plain {
            $($(#[$attr])* #[test] fn $name() { super::$name(&[]) })*
        }
        mod with_upload {
            $($(#[$attr])* #[test] fn $name() { super::$name(&["--upload"]) })*
        }
        #[cfg(all(feature = "tls", not(any(target_os = "macos", target_os = "freebsd"))))]
        mod over_tls {
            $($(#[$attr])* #[test] fn $name() { super::$name(&["--tls"]) })*
        }
    };
}

modes!(
    silent_connection_does_not_delay_a_request,
    slow_drip_connections_do_not_delay_fetches,
    incomplete_head_gets_408_after_timeout,
    client_that_stops_reading_is_dropped_and_others_served_meanwhile,
    oldest_idle_connection_gives_way_past_the_limit,
    #[cfg(unix)]
    interrupt_stops_promptly,
    access_log_escapes_control_characters,
);

fn site(mode: &[&str], args: &[&str]) -> (TempDir, Server) {
    let dir = TempDir::new("stall");
    for i in 0..100 {
        std::fs::write(dir.join(format!("f{i}.txt")), format!("file {i}")).unwrap();
    }
    let s = Server::start(dir.path(), &[mode, args].concat());
    (dir, s)
}

fn silent_connection_does_not_delay_a_request(mode: &[&str]) {
    let (_dir, s) = site(mode, &["--timeout", "60s"]);
    let _silent = TcpStream::connect(s.addr).unwrap();
    let _half = {
        let mut c = TcpStream::connect(s.addr).unwrap();
        c.write_all(b"GET /f1.txt HTTP/1.1\r\nHo").unwrap();
        c
    };
    let start = Instant::now();
    let r = get(s.addr, "/f0.txt");
    let took = start.elapsed();
    eprintln!("answered in {took:?} with a silent and a half-sent connection open");
    assert_eq!(r.text(), "file 0");
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

fn slow_drip_connections_do_not_delay_fetches(mode: &[&str]) {
    let (_dir, s) = site(mode, &["--timeout", "60s"]);
    let addr = s.addr;
    let mut drips: Vec<TcpStream> = (0..50).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let dripper = std::thread::spawn(move || {
        let head = b"GET /f0.txt HTTP/1.1\r\nHost: t\r\nX-Pad: aaaaaaaaaaaaaaaaaaaaaaaa\r\n";
        // Bounded: one byte per connection per round, at most 200 rounds.
        for round in 0..200 {
            if stop2.load(std::sync::atomic::Ordering::Relaxed) {
                break;
            }
            for d in &mut drips {
                let _ = d.write_all(&head[round % head.len()..][..1]);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let mut c = Conn::open(addr);
    let mut slowest = Duration::ZERO;
    for i in 0..100 {
        let start = Instant::now();
        let r = c.request(&request("GET", &format!("/f{i}.txt"), &[]));
        slowest = slowest.max(start.elapsed());
        assert_eq!(r.text(), format!("file {i}"));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    dripper.join().unwrap();
    eprintln!("slowest of 100 fetches beside 50 dribbling connections: {slowest:?}");
    assert!(slowest < Duration::from_secs(2), "slowest {slowest:?}");
}

fn incomplete_head_gets_408_after_timeout(mode: &[&str]) {
    let (_dir, s) = site(mode, &["--timeout", "300ms"]);
    let mut c = Conn::open(s.addr);
    c.send(b"GET /f0.txt HTTP/1.1\r\nHost: t\r\n");
    let r = c.read(false);
    assert_eq!((r.status, r.header("Connection")), (408, Some("close")));
    assert!(c.closed_by_peer());
    // A fresh connection that sends nothing at all gets the same.
    let mut silent = Conn::open(s.addr);
    assert_eq!(silent.read(false).status, 408);
    // An idle kept-alive connection is closed quietly.
    let mut kept = Conn::open(s.addr);
    assert_eq!(kept.request(&request("GET", "/f0.txt", &[])).status, 200);
    assert!(kept.closed_by_peer());
    s.wait_log("\"GET /f0.txt HTTP/1.1\" 408");
}

fn client_that_stops_reading_is_dropped_and_others_served_meanwhile(mode: &[&str]) {
    let dir = TempDir::new("stopreader");
    std::fs::write(dir.join("big.bin"), vec![7u8; 64 * 1024 * 1024]).unwrap();
    std::fs::write(dir.join("small.txt"), "small").unwrap();
    let s = Server::start(dir.path(), &[mode, &["--timeout", "500ms"]].concat());
    let mut stuck = TcpStream::connect(s.addr).unwrap();
    stuck.write_all(&request("GET", "/big.bin", &[])).unwrap();
    // Read a little so the response has surely started, then stop.
    let mut first = [0u8; 16];
    stuck.read_exact(&mut first).unwrap();
    assert_eq!(&first[..], b"HTTP/1.1 200 OK\r");
    // Others are served while the big response is parked.
    for _ in 0..5 {
        assert_eq!(get(s.addr, "/small.txt").text(), "small");
    }
    let line = s.wait_log("(dropped: client stopped reading)");
    assert!(line.contains("\"GET /big.bin HTTP/1.1\" 200 67108864"), "{line}");
    assert_eq!(get(s.addr, "/small.txt").text(), "small");
}

fn oldest_idle_connection_gives_way_past_the_limit(mode: &[&str]) {
    let (_dir, s) = site(mode, &["--max-connections", "3", "--timeout", "60s"]);
    let mut idle: Vec<Conn> = (0..3).map(|_| Conn::open(s.addr)).collect();
    // Make sure all three are accepted before the fourth arrives.
    for c in &mut idle {
        assert_eq!(c.request(&request("GET", "/f1.txt", &[])).status, 200);
    }
    let r = get(s.addr, "/f2.txt");
    assert_eq!(r.text(), "file 2");
    assert!(idle[0].closed_by_peer(), "the oldest idle connection was closed");
    assert_eq!(idle[2].request(&request("GET", "/f3.txt", &[])).text(), "file 3");
}

#[cfg(unix)]
fn interrupt_stops_promptly(mode: &[&str]) {
    let (_dir, mut s) = site(mode, &[]);
    let _open = Conn::open(s.addr);
    let pid = s.run.child.id() as i32;
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let status = s.run.wait_exit(Duration::from_secs(10));
    assert!(!status.success());
}

fn access_log_escapes_control_characters(mode: &[&str]) {
    let (_dir, s) = site(mode, &[]);
    let r = exchange(s.addr, b"GET /f0.txt\x1b[31m HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(r.status, 400);
    let line = s.wait_log("400");
    assert!(line.contains("GET /f0.txt\\x1b[31m HTTP/1.1"), "{line}");
    assert!(!line.contains('\x1b'));
    let ok = get(s.addr, "/f0.txt");
    assert_eq!(ok.status, 200);
    let line = s.wait_log("\"GET /f0.txt HTTP/1.1\" 200 6 ");
    // ADDR [TIME] "REQUEST" STATUS BYTES DURATION
    let parts: Vec<&str> = line.split(' ').collect();
    assert!(parts[0].starts_with("127.0.0.1:"), "{line}");
    assert!(parts[1].starts_with('[') && parts[1].ends_with("Z]"), "{line}");
    assert!(parts.last().unwrap().ends_with('s'), "{line}");
}
