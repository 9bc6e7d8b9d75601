//! `udp-echo -z`: one empty datagram per port; "closed" when an ICMP port
//! unreachable comes back, "open" when a datagram does, "open|filtered"
//! when nothing does within `-w`.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::Capture;

const LIMIT: Duration = Duration::from_secs(30);

fn probe(args: &[&str]) -> harness::Finished {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_udp-echo"));
    cmd.arg("-z").args(args);
    harness::run(cmd, None, LIMIT)
}

/// Wine hands an ICMP port unreachable only to a receive already waiting
/// when it comes, never to the next one: under Wine no port is seen closed.
fn wine_sees_no_closed_port() -> bool {
    let wine = harness::under_wine();
    if wine {
        eprintln!("skipped: Wine hands an ICMP port unreachable only to a receive already waiting");
    }
    wine
}

#[test]
fn open_filtered_closed_and_open() {
    if wine_sees_no_closed_port() {
        return;
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_udp-echo"));
    cmd.args(["-l", "--echo", "127.0.0.1:0"]).stdin(Stdio::null());
    let echo = harness::start(cmd, Capture::Stderr);
    let echo_port = echo.addr_on_stderr("listening on ").port();
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let closed_port = UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = probe(&[
        "-v",
        "-w",
        "300ms",
        "127.0.0.1",
        &silent_port.to_string(),
        &closed_port.to_string(),
        &format!("127.0.0.1:{echo_port}"),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("127.0.0.1:{silent_port} open|filtered\n127.0.0.1:{echo_port} open\n")
    );
    assert_eq!(out.stderr, format!("udp-echo: 127.0.0.1:{closed_port} closed (port unreachable)\n"));
    // The silent socket got the one empty datagram.
    silent.set_read_timeout(Some(LIMIT)).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(silent.recv(&mut buf).unwrap(), 0);
}

#[test]
fn every_port_closed_is_exit_1() {
    if wine_sees_no_closed_port() {
        return;
    }
    let a = UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let started = Instant::now();
    let out = probe(&["127.0.0.1", &a.to_string()]);
    assert_eq!(out.code, Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(out.stderr, format!("udp-echo: closed (port unreachable): 127.0.0.1 {a}\n"));
    // The answer comes back at once; the wait is only for silence.
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn probe_usage_errors() {
    let cases: &[(&[&str], &str)] = &[
        (&["127.0.0.1"], "udp-echo: `127.0.0.1`: which ports? expected HOST PORT[-PORT]...\n"),
        (&["53", "h"], "udp-echo: `53`: a port before any host; expected HOST PORT[-PORT]...\n"),
        (&["-n", "localhost", "53"], "udp-echo: `localhost` is a name, and -n takes numeric addresses only\n"),
    ];
    for (args, want) in cases {
        let out = probe(args);
        assert_eq!((out.code, out.stderr.as_str()), (Some(2), *want), "{args:?}");
    }
}
