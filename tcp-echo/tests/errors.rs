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

/// Options people bring from nc, ncat and socat: one line on stderr, exit
/// 2, never clap's `-- -p` tip.
#[test]
fn habits_from_other_tools_get_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (&["-u", "127.0.0.1", "53"], "tcp-echo: -u: use udp-echo for UDP\n"),
        (&["-lu", "9000"], "tcp-echo: -u: use udp-echo for UDP\n"),
        (&["-t", "127.0.0.1", "23"], "tcp-echo: -t: Telnet negotiation is not supported\n"),
        (&["--bogus", "127.0.0.1:1"], "tcp-echo: unknown option `--bogus` (see tcp-echo --help)\n"),
        (&["-n", "localhost", "80"], "tcp-echo: `localhost` is a name, and -n takes numeric addresses only\n"),
        (&["-l"], "tcp-echo: -l needs a port: -l PORT, or -l -p PORT\n"),
        (&["-l", "-p", "9000", "9000"], "tcp-echo: the port is given twice (-p and a word)\n"),
        (
            &["TCP-LISTEN:9000"],
            "tcp-echo: `TCP-LISTEN:9000` is socat's address syntax; here: tcp-echo -l PORT (-k for more clients)\n",
        ),
    ];
    for (args, want) in cases {
        let out = tcp_echo(args, None);
        assert_eq!((out.code, out.stderr.as_str()), (Some(2), *want), "{args:?}");
    }
    let out = tcp_echo(&["-w", "soon", "127.0.0.1:1"], None);
    assert_eq!(out.code, Some(2));
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

/// `--help` shows an example per mode and says where our options differ
/// from nc's and ncat's.
#[test]
fn help_has_examples_and_the_differences() {
    let out = tcp_echo(&["--help"], None);
    assert_eq!(out.code, Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "tcp-echo backup-host 9000",
        "tcp-echo -l 9000",
        "tcp-echo -l --echo 7007",
        "tcp-echo -z example.org 20-25",
        "\n  -C  ",
        "\n  -d  ",
        "\n  -i  ",
        "\n  -q  ",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
}

/// `-s ADDR -p PORT` when connecting: the connection comes from there.
#[test]
fn connect_from_a_chosen_local_port() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let local_port = closed_port();
    let peer = std::thread::spawn(move || {
        let (mut s, from) = server.accept().unwrap();
        s.write_all(b"hello").unwrap();
        from
    });
    let out = tcp_echo(
        &["-n", "-s", "127.0.0.1", "-p", &local_port.to_string(), "127.0.0.1", &addr.port().to_string()],
        Some(b""),
    );
    assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"hello"[..]), "{}", out.stderr);
    assert_eq!(peer.join().unwrap(), format!("127.0.0.1:{local_port}").parse().unwrap());
}

/// `-i` is ncat's idle timeout, the same as `-w`; a bare number is seconds.
#[test]
fn idle_timeout_by_i_and_bare_seconds() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let _peer = std::thread::spawn(move || {
        let conns: Vec<_> = (0..2).filter_map(|_| server.accept().ok()).collect();
        std::thread::sleep(Duration::from_secs(20));
        drop(conns);
    });
    for timeout in [["-i", "300ms"], ["-w", "0.3"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tcp-echo"))
            .args(timeout)
            .arg(addr.to_string())
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let status = harness::wait_timeout(&mut child, Duration::from_secs(20));
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert_eq!(
            (status.code(), err),
            (Some(1), format!("tcp-echo: {addr}: no data either way for 300ms: timed out\n")),
            "{timeout:?}"
        );
    }
}

/// `-x`: a proxy that is not there, one that never answers, one that
/// answers something else; each one line and exit 1; usage is exit 2.
#[test]
fn proxy_trouble_is_one_line() {
    let closed = closed_port();
    let out = tcp_echo(&["-x", &format!("127.0.0.1:{closed}"), "example.org", "80"], Some(b"x"));
    assert_eq!(
        (out.code, out.stderr),
        (Some(1), format!("tcp-echo: connect to proxy 127.0.0.1:{closed}: connection refused\n"))
    );
    // Accepts, reads, never answers: -w bounds the wait.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let at = silent.local_addr().unwrap();
    let _held = std::thread::spawn(move || {
        let held: Vec<_> = silent.incoming().take(2).collect();
        std::thread::sleep(Duration::from_secs(20));
        drop(held);
    });
    let out = tcp_echo(&["-w", "300ms", "-x", &at.to_string(), "example.org", "80"], Some(b"x"));
    assert_eq!(
        (out.code, out.stderr),
        (Some(1), format!("tcp-echo: socks5h proxy {at}, asked for example.org:80: timed out\n"))
    );
    // Something that is not a SOCKS5 proxy (an HTTP server, say).
    let http = TcpListener::bind("127.0.0.1:0").unwrap();
    let at = http.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = http.accept() {
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        }
    });
    let out = tcp_echo(&["-x", &at.to_string(), "example.org", "80"], Some(b"x"));
    assert_eq!(
        (out.code, out.stderr),
        (
            Some(1),
            format!(
                "tcp-echo: socks5h proxy {at}, asked for example.org:80: not a proxy answer: SOCKS version 72 in the greeting\n"
            )
        )
    );
    let cases: &[(&[&str], &str)] = &[
        (&["-X", "5", "h", "80"], "the following required arguments were not provided: --proxy <HOST[:PORT]>"),
        (
            &["-x", "p", "-X", "6", "h", "80"],
            "invalid value '6' for '--proxy-type <5|4|connect>': expected 5, 4 or connect",
        ),
        (
            &["-n", "-x", "proxy.example", "10.0.0.1", "80"],
            "`proxy.example` is a name, and -n takes numeric addresses only",
        ),
        (&["-P", "me", "-x", "p", "h", "80"], "-P: use --proxy-auth USER:PASS"),
    ];
    for (args, want) in cases {
        let out = tcp_echo(args, None);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.starts_with(&format!("tcp-echo: {want}")) && out.stderr.lines().count() == 1,
            "{args:?}: {}",
            out.stderr
        );
    }
}
