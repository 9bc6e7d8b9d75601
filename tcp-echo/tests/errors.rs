//! tcp-echo when things go wrong: refused, a black hole, an idle peer, a
//! reset, bad usage; and port probes.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

fn tcp_echo(args: &[&str], stdin: Option<&[u8]>) -> harness::Finished {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tcp-echo"));
    cmd.args(args);
    harness::run(cmd, stdin, Duration::from_secs(30))
}

/// A port nobody listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn refused_names_the_address() {
    let port = closed_port();
    let out = tcp_echo(&[&format!("127.0.0.1:{port}")], Some(b"x"));
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stderr, format!("tcp-echo: connect to 127.0.0.1:{port}: connection refused\n"));
}

#[test]
fn black_hole_connect_times_out() {
    let hole = harness::black_hole();
    let addr = hole.addr;
    let start = Instant::now();
    let out = tcp_echo(&["-w", "200ms", &addr.to_string()], Some(b"x"));
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("timed out"), "{}", out.stderr);
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
}

#[test]
fn idle_peer_times_out() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let _peer = std::thread::spawn(move || {
        let (s, _) = server.accept().unwrap();
        std::thread::sleep(Duration::from_secs(20));
        drop(s);
    });
    // stdin stays open and silent: only the idle timeout can end this.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcp-echo"))
        .args(["-w", "300ms", &addr.to_string()])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = harness::wait_timeout(&mut child, Duration::from_secs(20));
    assert_eq!(status.code(), Some(1));
    assert!(start.elapsed() < Duration::from_secs(10));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(err, format!("tcp-echo: {addr}: no data either way for 300ms: timed out\n"));
}

#[test]
fn reset_mid_transfer_exits_1() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let _peer = std::thread::spawn(move || {
        let (mut s, _) = server.accept().unwrap();
        s.write_all(b"partial").unwrap();
        std::thread::sleep(Duration::from_millis(100));
        socket2::SockRef::from(&s).set_linger(Some(Duration::ZERO)).unwrap();
    });
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcp-echo"))
        .arg(addr.to_string())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = harness::wait_timeout(&mut child, Duration::from_secs(20));
    assert_eq!(status.code(), Some(1));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(err, format!("tcp-echo: {addr}: connection reset by peer\n"));
}

#[test]
fn probe_finds_open_and_closed() {
    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let open_port = open.local_addr().unwrap().port();
    let closed = closed_port();
    let out = tcp_echo(&["-z", "127.0.0.1", &open_port.to_string()], None);
    assert_eq!(
        (out.code, String::from_utf8_lossy(&out.stdout).into_owned()),
        (Some(0), format!("127.0.0.1:{open_port} open\n"))
    );
    let out = tcp_echo(&["-z", &format!("127.0.0.1:{closed}")], None);
    assert_eq!((out.code, out.stdout.len()), (Some(1), 0));
    let (lo, hi) = (open_port.min(closed), open_port.max(closed));
    if hi - lo < 2000 {
        let out = tcp_echo(&["-z", "127.0.0.1", &format!("{lo}-{hi}")], None);
        assert_eq!(out.code, Some(0));
        assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("127.0.0.1:{open_port} open\n")));
        assert!(!String::from_utf8_lossy(&out.stdout).contains(&format!(":{closed} open")));
    }
}

#[test]
fn usage_errors_exit_2() {
    let cases: &[&[&str]] = &[
        &[],
        &["::1:80"],
        &["host:65536"],
        &["host"],
        &["-k", "host:80"],
        &["-l", "--echo", "--max-clients", "0", "0"],
        &["-z", "host", "9-1"],
        &["--bogus", "host:1"],
    ];
    for args in cases {
        let out = tcp_echo(args, None);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
    }
    let out = tcp_echo(&["::1:80"], None);
    assert!(out.stderr.contains("needs brackets"), "{}", out.stderr);
    assert_eq!(tcp_echo(&["--version"], None).code, Some(0));
}

#[test]
fn listen_on_a_taken_port_exits_1() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let out = tcp_echo(&["-l", &addr.to_string()], None);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stderr, format!("tcp-echo: cannot listen on {addr}: address in use\n"));
}
