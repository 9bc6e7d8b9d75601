//! `--allow` and `--deny`: a listener admits only the peers the lists
//! let through, closes the others at once (a line with `-v`), and a
//! `--deny` wins over an `--allow`. Peers come from 127.0.0.1 and
//! 127.0.0.2, both loopback.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use harness::{Capture, Running};
use socket2::{Domain, Socket, Type};

const LIMIT: Duration = Duration::from_secs(30);

fn tcp_echo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tcp-echo"))
}

/// An echo service on 127.0.0.1 with `lists`, logging with `-v`.
fn echo(lists: &[&str]) -> (Running, SocketAddr) {
    let mut cmd = tcp_echo();
    cmd.args(["-v", "-l", "-k", "--echo"]).args(lists).arg("127.0.0.1:0").stdin(Stdio::null());
    let run = harness::start(cmd, Capture::Stderr);
    let addr = run.addr_on_stderr("listening on ");
    (run, addr)
}

/// Connects to `to` from `from` (port chosen by the system), sends a
/// line, half-closes, and returns what came back and the local address.
fn round_trip(from: &str, to: SocketAddr) -> Option<(Vec<u8>, SocketAddr)> {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let local: SocketAddr = format!("{from}:0").parse().unwrap();
    socket.bind(&local.into()).ok()?;
    socket.connect_timeout(&to.into(), LIMIT).unwrap();
    let mut s: TcpStream = socket.into();
    let me = s.local_addr().unwrap();
    s.set_read_timeout(Some(LIMIT)).unwrap();
    let _ = s.write_all(b"let me in\n");
    let _ = s.shutdown(Shutdown::Write);
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    Some((got, me))
}

#[test]
fn allow_admits_only_its_peers() {
    if !harness::loopback::second_address() {
        return;
    }
    let (run, addr) = echo(&["--allow", "127.0.0.2"]);
    let (got, me) = round_trip("127.0.0.1", addr).unwrap();
    assert!(got.is_empty(), "127.0.0.1 was closed at once: {got:?}");
    let want = format!("tcp-echo: refusing {me}: not allowed (--allow, --deny)");
    run.stderr.as_ref().unwrap().wait_for(LIMIT, |l| (l == want).then_some(()));
    let (got, _) = round_trip("127.0.0.2", addr).unwrap();
    assert_eq!(got, b"let me in\n", "127.0.0.2 was served");
}

#[test]
fn deny_wins_over_allow() {
    if !harness::loopback::second_address() {
        return;
    }
    let (run, addr) = echo(&["--allow", "127.0.0.0/8", "--deny", "127.0.0.2/32"]);
    let (got, me) = round_trip("127.0.0.2", addr).unwrap();
    assert!(got.is_empty(), "127.0.0.2 was refused");
    let want = format!("tcp-echo: refusing {me}: not allowed (--allow, --deny)");
    run.stderr.as_ref().unwrap().wait_for(LIMIT, |l| (l == want).then_some(()));
    let (got, _) = round_trip("127.0.0.1", addr).unwrap();
    assert_eq!(got, b"let me in\n", "127.0.0.1 was served");
}

#[test]
fn a_single_session_listener_waits_for_an_admitted_peer() {
    if !harness::loopback::second_address() {
        return;
    }
    let mut cmd = tcp_echo();
    cmd.args(["-l", "--deny", "127.0.0.1", "127.0.0.1:0"]).stdin(Stdio::null());
    let mut run = harness::start(cmd, Capture::Both);
    let addr = run.addr_on_stderr("listening on ");
    let (got, _) = round_trip("127.0.0.1", addr).unwrap();
    assert!(got.is_empty());
    assert!(run.child.try_wait().unwrap().is_none(), "still waiting after the refused one");
    round_trip("127.0.0.2", addr).unwrap();
    assert!(run.wait_exit(LIMIT).success());
    assert_eq!(run.stdout.as_ref().unwrap().until_end(LIMIT), ["let me in"]);
}

#[test]
fn usage() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["-l", "--allow", "lan", "0"],
            "--allow/--deny: `lan`: expected an address or a CIDR block (10.0.0.0/8, fe80::/10)",
        ),
        (
            &["-l", "--deny", "10.0.0.0/33", "0"],
            "--allow/--deny: `10.0.0.0/33`: expected an address or a CIDR block (10.0.0.0/8, fe80::/10)",
        ),
        (&["--allow", "10.0.0.0/8", "127.0.0.1", "9"], "the following required arguments were not provided: --listen"),
        (
            &["--allowfile", "hosts", "-l", "0"],
            "--allowfile: files of hosts are not supported: give --allow CIDR or --deny CIDR for each",
        ),
    ];
    for (args, want) in cases {
        let mut cmd = tcp_echo();
        cmd.args(*args);
        let out = harness::run(cmd, None, LIMIT);
        assert_eq!((out.code, out.stderr.as_str()), (Some(2), format!("tcp-echo: {want}\n").as_str()), "{args:?}");
    }
    #[cfg(unix)]
    {
        let mut cmd = tcp_echo();
        cmd.args(["-l", "--allow", "127.0.0.1", "-U", "/tmp/never-made.sock"]);
        let out = harness::run(cmd, None, LIMIT);
        let want = "tcp-echo: --allow and --deny judge IP addresses; a Unix socket's peers have none\n";
        assert_eq!((out.code, out.stderr.as_str()), (Some(2), want));
    }
}
