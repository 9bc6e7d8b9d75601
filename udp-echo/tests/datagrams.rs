//! udp-echo end to end: many peers at once, the largest datagrams, empty
//! datagrams, refusals, and ten thousand datagrams in a row.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Command, Stdio};
use std::time::Duration;

use harness::{Capture, Running};

const LIMIT: Duration = Duration::from_secs(30);

fn udp_echo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_udp-echo"))
}

/// Starts `udp-echo -l ARGS ADDR` and reads the address it prints.
fn receiver(args: &[&str], addr: &str, stdin: Stdio) -> (Running, SocketAddr) {
    let mut cmd = udp_echo();
    cmd.arg("-l").args(args).arg(addr).stdin(stdin);
    let run = harness::start(cmd, Capture::Stderr);
    let bound = run.addr_on_stderr("listening on ");
    (run, bound)
}

fn send(args: &[&str], stdin: &[u8]) -> harness::Finished {
    let mut cmd = udp_echo();
    cmd.args(args);
    harness::run(cmd, Some(stdin), LIMIT)
}

#[test]
fn three_senders_each_get_their_own_datagrams() {
    let (_echo, addr) = receiver(&["--echo"], "127.0.0.1:0", Stdio::null());
    let senders: Vec<_> = (0..3)
        .map(|i| {
            std::thread::spawn(move || {
                let input: String = (0..200).map(|j| format!("sender {i} line {j}\n")).collect();
                // -w 2s: on a loaded machine (the whole suite at once) the
                // last replies may come more than half a second late.
                let out = send(&["-w", "2s", &addr.to_string()], input.as_bytes());
                (input, out)
            })
        })
        .collect();
    for s in senders {
        let (input, out) = s.join().unwrap();
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        let mut want: Vec<&str> = input.lines().collect();
        let text = String::from_utf8(out.stdout).unwrap();
        let mut got: Vec<&str> = text.lines().collect();
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, want);
    }
}

#[test]
fn largest_datagram_round_trips_and_one_more_byte_is_refused() {
    let (_echo, addr) = receiver(&["--echo"], "127.0.0.1:0", Stdio::null());
    let payload = harness::pseudo_random(7, 65_507);
    let out = send(&["--chunk", "65507", &addr.to_string()], &payload);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout == payload, "65,507 bytes came back whole");
    let mut line = vec![b'x'; 65_507];
    line.push(b'\n');
    let out = send(&[&addr.to_string()], &line);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("does not fit in one datagram"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
    // Asking for chunks larger than IPv4 allows is a usage error.
    let out = send(&["--chunk", "65508", &addr.to_string()], b"x");
    assert_eq!(out.code, Some(2), "{}", out.stderr);
}

#[test]
fn largest_ipv6_datagram_round_trips() {
    if UdpSocket::bind("[::1]:0").is_err() {
        eprintln!("skipped: no IPv6 loopback on this machine");
        return;
    }
    let (_echo, addr) = receiver(&["--echo"], "[::1]:0", Stdio::null());
    let payload = harness::pseudo_random(8, 65_527);
    let out = send(&["--chunk", "65527", &addr.to_string()], &payload);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout == payload, "65,527 bytes came back whole");
}

#[test]
fn empty_datagram_is_counted_and_does_not_stop_anything() {
    let mut cmd = udp_echo();
    cmd.args(["-l", "-v", "--count", "3", "127.0.0.1:0"]).stdin(Stdio::null());
    let mut run = harness::start(cmd, Capture::Stderr);
    let addr = run.addr_on_stderr("listening on ");
    let mut stdout = run.raw_stdout.take().unwrap();
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    for d in [&b"a"[..], b"", b"b"] {
        peer.send_to(d, addr).unwrap();
    }
    assert!(run.wait_exit(LIMIT).success());
    let mut out = Vec::new();
    stdout.read_to_end(&mut out).unwrap();
    assert_eq!(out, b"ab");
    let me = peer.local_addr().unwrap();
    run.stderr.as_ref().unwrap().wait_for(LIMIT, |l| (l == format!("udp-echo: from {me}: 0 bytes")).then_some(()));
}

#[test]
fn ping_and_no_one_listening() {
    let (_echo, addr) = receiver(&["--echo"], "127.0.0.1:0", Stdio::null());
    let out = send(&[&addr.to_string()], b"ping\n");
    assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"ping\n"[..]), "{}", out.stderr);
    let closed = UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let out = send(&[&closed.to_string()], b"ping\n");
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stderr, format!("udp-echo: no one is listening on {closed}\n"));
}

#[test]
fn ten_thousand_numbered_datagrams_all_arrive() {
    let mut cmd = udp_echo();
    cmd.args(["-l", "--count", "10000", "127.0.0.1:0"]).stdin(Stdio::null());
    let mut run = harness::start(cmd, Capture::Stderr);
    let addr = run.addr_on_stderr("listening on ");
    let mut stdout = run.raw_stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        stdout.read_to_end(&mut v).unwrap();
        v
    });
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    for n in 0..10_000 {
        peer.send_to(format!("{n}\n").as_bytes(), addr).unwrap();
        if n % 100 == 99 {
            // A moderate pace: the kernel's buffer never fills.
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    assert!(run.wait_exit(LIMIT).success());
    let text = String::from_utf8(reader.join().unwrap()).unwrap();
    let numbers: Vec<u32> = text.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(numbers, (0..10_000).collect::<Vec<u32>>());
}

#[test]
fn typed_lines_go_to_the_latest_peer() {
    let mut cmd = udp_echo();
    cmd.args(["-l", "127.0.0.1:0"]).stdin(Stdio::piped());
    let mut run = harness::start(cmd, Capture::Both);
    let addr = run.addr_on_stderr("listening on ");
    let mut stdin = run.child.stdin.take().unwrap();
    // Nobody to send to yet.
    stdin.write_all(b"too early\n").unwrap();
    run.stderr.as_ref().unwrap().wait_for(LIMIT, |l| l.contains("no datagram has arrived yet").then_some(()));
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    a.set_read_timeout(Some(LIMIT)).unwrap();
    b.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    b.send_to(b"from b\n", addr).unwrap();
    run.stdout.as_ref().unwrap().wait_for(LIMIT, |l| (l == "from b").then_some(()));
    a.send_to(b"from a\n", addr).unwrap();
    run.stdout.as_ref().unwrap().wait_for(LIMIT, |l| (l == "from a").then_some(()));
    stdin.write_all(b"answer\n").unwrap();
    let mut reply = [0u8; 64];
    let (n, _) = a.recv_from(&mut reply).unwrap();
    assert_eq!(&reply[..n], b"answer\n");
    assert!(b.recv_from(&mut reply).is_err(), "b was not the latest peer");
}

#[test]
fn usage_errors_exit_2() {
    let cases: &[&[&str]] = &[&[], &["::1:80"], &["h:65536"], &["h"], &["--echo", "h:1"], &["h:0"]];
    for args in cases {
        let out = send(args, b"");
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
    }
}

/// An echo service prints nothing but its log: the datagrams go back to
/// their senders, never to stdout.
#[test]
fn echo_writes_nothing_to_stdout() {
    let mut cmd = udp_echo();
    cmd.args(["-l", "--echo", "-v", "127.0.0.1:0"]).stdin(Stdio::null());
    let mut run = harness::start(cmd, Capture::Both);
    let addr = run.addr_on_stderr("listening on ");
    let out = send(&["-w", "300ms", &addr.to_string()], b"one\ntwo\n");
    assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"one\ntwo\n"[..]), "{}", out.stderr);
    run.stderr.as_ref().unwrap().wait_for(LIMIT, |l| l.ends_with(": 4 bytes").then_some(()));
    let _ = run.child.kill();
    let _ = run.child.wait();
    let printed = run.stdout.as_ref().unwrap().until_end(LIMIT);
    assert!(printed.is_empty(), "nothing on stdout: {printed:?}");
}

/// nc's spellings: `-u` and `-k` accepted, `-l -p PORT -s ADDR` to
/// receive, `-s ADDR -p PORT` to send from a chosen port.
#[test]
fn netcat_spellings() {
    let (_echo, addr) = {
        let mut cmd = udp_echo();
        cmd.args(["-ulk", "--echo", "-p", "0", "-s", "127.0.0.1"]).stdin(Stdio::null());
        let run = harness::start(cmd, Capture::Stderr);
        let bound = run.addr_on_stderr("listening on ");
        (run, bound)
    };
    let local = UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let args = [
        "-u",
        "-n",
        "-s",
        "127.0.0.1",
        "-p",
        &local.port().to_string(),
        "-v",
        "-w",
        "0.3",
        "127.0.0.1",
        &addr.port().to_string(),
    ];
    let out = send(&args, b"from a chosen port\n");
    assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"from a chosen port\n"[..]), "{}", out.stderr);
    assert!(out.stderr.contains(&format!("udp-echo: sending from {local} to {addr}\n")), "{}", out.stderr);
}

/// Options people bring from nc, ncat and socat: one line, exit 2.
#[test]
fn habits_from_other_tools_get_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (&["-C", "127.0.0.1", "9"], "udp-echo: -C: lines are sent as they are; CRLF conversion is not supported\n"),
        (&["-n", "localhost", "9"], "udp-echo: `localhost` is a name, and -n takes numeric addresses only\n"),
        (&["--bogus", "127.0.0.1:9"], "udp-echo: unknown option `--bogus` (see udp-echo --help)\n"),
        (
            &["UDP-LISTEN:53"],
            "udp-echo: `UDP-LISTEN:53` is socat's address syntax; here: udp-echo -l PORT (--echo to answer with each datagram)\n",
        ),
    ];
    for (args, want) in cases {
        let out = send(args, b"");
        assert_eq!((out.code, out.stderr.as_str()), (Some(2), *want), "{args:?}");
    }
}

/// `--allow`/`--deny`: datagrams from other peers are dropped unread
/// (a line with `-v`) and not counted; a `--deny` wins.
#[test]
fn allow_and_deny_drop_other_peers() {
    if !harness::loopback::second_address() {
        return;
    }
    let mut cmd = udp_echo();
    cmd.args(["-v", "-l", "--count", "1", "--allow", "127.0.0.0/8", "--deny", "127.0.0.1", "127.0.0.1:0"])
        .stdin(Stdio::null());
    let mut run = harness::start(cmd, Capture::Both);
    let addr = run.addr_on_stderr("listening on ");
    let refused = UdpSocket::bind("127.0.0.1:0").unwrap();
    refused.send_to(b"from .1\n", addr).unwrap();
    let want =
        format!("udp-echo: dropping a datagram from {}: not allowed (--allow, --deny)", refused.local_addr().unwrap());
    run.stderr.as_ref().unwrap().wait_for(LIMIT, |l| (l == want).then_some(()));
    let admitted = UdpSocket::bind("127.0.0.2:0").unwrap();
    admitted.send_to(b"from .2\n", addr).unwrap();
    assert!(run.wait_exit(LIMIT).success(), "--count 1 reached by the admitted datagram alone");
    assert_eq!(run.stdout.as_ref().unwrap().until_end(LIMIT), ["from .2"]);
    let out = send(&["-l", "--allow", "10.0.0.0/40", "0"], b"");
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            Some(2),
            "udp-echo: --allow/--deny: `10.0.0.0/40`: expected an address or a CIDR block (10.0.0.0/8, fe80::/10)\n"
        )
    );
}

/// The sender takes a burst of replies whole: 200 KB in 1400-byte
/// datagrams through an echo on loopback, every time, where the system
/// allows at least 1 MiB of the receive buffer the sender asks for (Linux's
/// net.core.rmem_max; elsewhere the test says it skipped).
#[test]
fn a_burst_of_replies_comes_back_whole() {
    let max = std::fs::read_to_string("/proc/sys/net/core/rmem_max").ok().and_then(|s| s.trim().parse::<u64>().ok());
    if max.is_none_or(|m| m < 1024 * 1024) {
        eprintln!("skipped: net.core.rmem_max is not known to allow a 1 MiB receive buffer here");
        return;
    }
    let (_echo, addr) = receiver(&["--echo"], "127.0.0.1:0", Stdio::null());
    let payload = harness::pseudo_random(10, 200 * 1024);
    for round in 0..5 {
        let out = send(&["--chunk", "1400", "-w", "500ms", &addr.to_string()], &payload);
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert_eq!(out.stdout.len(), payload.len(), "round {round}: every reply came back");
        assert!(out.stdout == payload, "round {round}: in order, unchanged");
    }
}
