//! `-z --wait`: the wait-for-port loop, without the shell loop around it.
//! Ports that open while tcp-echo waits, ports that never do, names that
//! never resolve, addresses that never answer.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use harness::Capture;
use socket2::{Domain, Socket, Type};

const LIMIT: Duration = Duration::from_secs(30);

fn tcp_echo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tcp-echo"))
}

/// A loopback port that refuses connections until `listen` is called on
/// the returned socket: bound, so nobody else can take it, not listening.
fn refusing_port() -> (Socket, u16) {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    socket.bind(&any.into()).unwrap();
    let port = socket.local_addr().unwrap().as_socket().unwrap().port();
    (socket, port)
}

#[test]
fn waits_until_every_port_opens() {
    let (a, port_a) = refusing_port();
    let (b, port_b) = refusing_port();
    let mut cmd = tcp_echo();
    cmd.args(["-v", "-z", "--wait", "30s", "127.0.0.1", &port_a.to_string(), "localhost", &port_b.to_string()]);
    let mut run = harness::start(cmd, Capture::Both);
    let stderr = run.stderr.clone().unwrap();
    // Both were tried and refused; only then do they start listening.
    for (socket, shown) in [(&a, format!("127.0.0.1:{port_a}")), (&b, format!("localhost:{port_b}"))] {
        let want = format!("tcp-echo: {shown} not open yet: connection refused; trying again every 250ms");
        stderr.wait_for(LIMIT, |l| (l == want).then_some(()));
        socket.listen(8).unwrap();
    }
    let status = run.wait_exit(LIMIT);
    let mut opened = run.stdout.as_ref().unwrap().until_end(LIMIT);
    opened.sort();
    assert_eq!(status.code(), Some(0));
    let mut want = vec![format!("127.0.0.1:{port_a} open"), format!("localhost:{port_b} open")];
    want.sort();
    assert_eq!(opened, want);
}

#[test]
fn gives_up_with_a_line_per_closed_port() {
    let (_a, port_a) = refusing_port();
    let (b, port_b) = refusing_port();
    b.listen(8).unwrap();
    let started = Instant::now();
    let mut cmd = tcp_echo();
    cmd.args(["-z", "--wait", "500ms", "127.0.0.1", &port_a.to_string(), &port_b.to_string()]);
    let out = harness::run(cmd, None, LIMIT);
    let took = started.elapsed();
    assert_eq!(out.code, Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("127.0.0.1:{port_b} open\n"));
    assert_eq!(out.stderr, format!("tcp-echo: 127.0.0.1:{port_a} still closed after 500ms: connection refused\n"));
    assert!(took >= Duration::from_millis(500) && took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_port_that_never_answers_is_bounded_by_the_wait() {
    let hole = harness::black_hole();
    let started = Instant::now();
    let mut cmd = tcp_echo();
    cmd.args(["-z", "--wait", "1s", "-w", "300ms", "127.0.0.1", &hole.addr.port().to_string()]);
    let out = harness::run(cmd, None, LIMIT);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(out.stderr, format!("tcp-echo: {} still closed after 1s: timed out\n", hole.addr));
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
}

#[test]
fn a_name_that_never_resolves_is_retried_until_the_end() {
    let mut cmd = tcp_echo();
    cmd.args(["-z", "--wait", "300ms", "no-such-host.invalid", "80"]);
    let out = harness::run(cmd, None, LIMIT);
    assert_eq!(out.code, Some(1));
    let line = out.stderr.trim_end();
    assert!(line.starts_with("tcp-echo: no-such-host.invalid:80 still closed after 300ms: "), "{line}");
    assert!(line.contains("no-such-host.invalid"), "{line}");
    assert_eq!(out.stderr.lines().count(), 1);
}

#[test]
fn without_wait_one_open_port_is_enough_and_order_is_kept() {
    let (a, port_a) = refusing_port();
    let (b, port_b) = refusing_port();
    a.listen(8).unwrap();
    b.listen(8).unwrap();
    let (_closed, port_c) = refusing_port();
    let mut cmd = tcp_echo();
    cmd.args(["-z", "127.0.0.1", &port_b.to_string(), &port_c.to_string(), &format!("127.0.0.1:{port_a}")]);
    let out = harness::run(cmd, None, LIMIT);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("127.0.0.1:{port_b} open\n127.0.0.1:{port_a} open\n"));
    let mut cmd = tcp_echo();
    cmd.args(["-z", "127.0.0.1", &port_c.to_string()]);
    let out = harness::run(cmd, None, LIMIT);
    assert_eq!((out.code, out.stderr), (Some(1), format!("tcp-echo: no open port: 127.0.0.1 {port_c}\n")));
}

#[test]
fn wait_without_z_is_a_usage_error() {
    let out = harness::run(
        {
            let mut c = tcp_echo();
            c.args(["--wait", "5", "127.0.0.1", "80"]);
            c
        },
        None,
        LIMIT,
    );
    assert_eq!(out.code, Some(2));
    assert_eq!(
        out.stderr,
        "tcp-echo: --wait goes with -z, to wait for ports to open (ncat's --wait, a connect timeout, is -w here)\n"
    );
}
