//! `--trace`: the lesson's UDP, seen from each side. No handshake: the
//! receiver learns its peer from each datagram (recvfrom) and names it to
//! answer (sendto); the sender connects its socket once (no packet goes
//! out for that) and sends. Only the sequence is checked: numbers read `N`.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::Duration;

use harness::Capture;
use harness::trace::{assert_in_order, count};

const EXIT: Duration = Duration::from_secs(60);

fn udp_echo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_udp-echo"))
}

/// A socket of the test's own that sends `what` to the tool at `to`, again
/// every 200 ms (a datagram may be lost), until an answer comes or `until` says to stop.
fn keep_sending(to: std::net::SocketAddr, what: &'static [u8], until: impl Fn() -> bool) -> UdpSocket {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    for _ in 0..100 {
        sock.send_to(what, to).unwrap();
        let mut buf = [0u8; 64];
        if sock.recv_from(&mut buf).is_ok() || until() {
            break;
        }
    }
    sock
}

#[test]
fn receive_learns_the_peer_from_each_datagram() {
    let mut cmd = udp_echo();
    cmd.args(["-l", "--trace", "--count", "1", "127.0.0.1:0"]).stdin(Stdio::null());
    let mut run = harness::start(cmd, Capture::Stderr);
    let addr = run.addr_on_stderr("listening on ");
    let lines = run.stderr.clone().unwrap();
    keep_sending(addr, b"hello", || lines.all().iter().any(|l| l.starts_with("recvfrom(")));
    assert!(run.wait_exit(EXIT).success());
    let lines = run.stderr.as_ref().unwrap().until_end(EXIT);
    assert_in_order(
        &lines,
        &[
            "socket(AF_INET, SOCK_DGRAM) = fd N",
            "bind(fd N, N.N.N.N:N) = port N",
            "recvfrom(fd N) = N bytes from N.N.N.N:N",
        ],
    );
    assert_eq!(count(&lines, "sendto("), 0, "{lines:?}");
}

#[test]
fn echo_answers_where_each_datagram_came_from() {
    let mut cmd = udp_echo();
    cmd.args(["-l", "--echo", "--trace", "127.0.0.1:0"]).stdin(Stdio::null());
    let run = harness::start(cmd, Capture::Stderr);
    let addr = run.addr_on_stderr("listening on ");
    let sock = keep_sending(addr, b"ping", || false);
    let ours = sock.local_addr().unwrap();
    let stderr = run.stderr.as_ref().unwrap();
    stderr.wait_for(EXIT, |l| l.starts_with("sendto(").then_some(()));
    let lines = stderr.all();
    assert_in_order(
        &lines,
        &[
            "socket(AF_INET, SOCK_DGRAM) = fd N",
            "bind(fd N, N.N.N.N:N) = port N",
            "recvfrom(fd N) = N bytes from N.N.N.N:N",
            "sendto(fd N, N.N.N.N:N) = N bytes",
        ],
    );
    // The answer goes to the address the datagram came from.
    let answer = lines.iter().find(|l| l.starts_with("sendto(")).unwrap();
    assert!(answer.contains(&format!(", {ours}) = 4 bytes")), "{answer}");
}

#[test]
fn send_binds_connects_sends_and_receives_the_reply() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = peer.local_addr().unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let echo = std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        let (n, from) = peer.recv_from(&mut buf).unwrap();
        peer.send_to(&buf[..n], from).unwrap();
    });
    let mut cmd = udp_echo();
    cmd.args(["--trace", "-w", "2s", "127.0.0.1", &to.port().to_string()]);
    let out = harness::run(cmd, Some(b"hello\n"), EXIT);
    echo.join().unwrap();
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout, b"hello\n");
    let lines: Vec<String> = out.stderr.lines().map(String::from).collect();
    assert_in_order(
        &lines,
        &[
            "socket(AF_INET, SOCK_DGRAM) = fd N",
            "bind(fd N, N.N.N.N:N) = port N",
            "connect(fd N, N.N.N.N:N)",
            "send(fd N) = N bytes",
        ],
    );
    assert_eq!(count(&lines, "recv(fd N) = N bytes"), 1, "{lines:?}");
}
