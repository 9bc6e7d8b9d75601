//! udp-echo against socat and OpenBSD netcat: their senders, several at
//! once, against our echo service (each gets its own replies); our sender
//! against socat's echo.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::Duration;

use harness::{Capture, peer, peers};

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn socat_and_nc_senders_against_our_echo() {
    let mut cmd = Command::new(harness::bin("udp-echo"));
    cmd.args(["-l", "--echo", "127.0.0.1:0"]);
    let echo = harness::start(cmd, Capture::Stderr);
    let addr = echo.addr_on_stderr("listening on ");
    let mut senders = Vec::new();
    for i in 0..3 {
        for program in ["socat", "nc"] {
            if !peer(program) {
                continue;
            }
            let line = format!("{program} sender {i}\n");
            let args: Vec<String> = match program {
                // -t: how long socat waits for replies after stdin ends.
                "socat" => vec!["-t".into(), "1".into(), "STDIO".into(), format!("UDP:{addr}")],
                // -w: nc exits after this long without traffic.
                _ => vec!["-u".into(), "-w".into(), "2".into(), "127.0.0.1".into(), addr.port().to_string()],
            };
            senders.push(std::thread::spawn(move || {
                let mut cmd = Command::new(program);
                cmd.args(&args);
                let out = harness::run(cmd, Some(line.as_bytes()), LIMIT);
                (program, line, out)
            }));
        }
    }
    for s in senders {
        let (program, line, out) = s.join().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), line, "{program} got exactly its own datagram back");
    }
}

#[test]
fn our_sender_against_socat_echo() {
    if !peer("socat") {
        return;
    }
    let (_socat, port) = peers::start_on_probed_port(
        |port| {
            let mut c = Command::new("socat");
            c.args(["-d", "-d", &format!("UDP-RECVFROM:{port},bind=127.0.0.1,fork"), "EXEC:cat"]);
            c
        },
        "receiving on",
        true,
    );
    let mut cmd = Command::new(harness::bin("udp-echo"));
    cmd.args(["-w", "500ms", &format!("127.0.0.1:{port}")]);
    let out = harness::run(cmd, Some(b"one\n"), LIMIT);
    assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"one\n"[..]), "{}", out.stderr);
    let payload = harness::pseudo_random(5, 8000);
    let mut cmd = Command::new(harness::bin("udp-echo"));
    cmd.args(["--chunk", "8000", "-w", "500ms", &format!("127.0.0.1:{port}")]);
    let out = harness::run(cmd, Some(&payload), LIMIT);
    assert!(out.stdout == payload, "an 8000-byte datagram came back whole");
}
