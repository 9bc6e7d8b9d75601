//! tcp-echo moving data: both directions at once, half-close on each side,
//! late replies, the echo service, `-k`, CRLF, an early-closed stdout.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use harness::{Capture, Running, TempDir};

const EXIT: Duration = Duration::from_secs(60);

fn tcp_echo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tcp-echo"))
}

/// Starts `tcp-echo -l 127.0.0.1:0 ARGS` and reads the port it prints.
fn listener(args: &[&str], stdin: Stdio) -> (Running, SocketAddr) {
    let mut cmd = tcp_echo();
    cmd.arg("-l").args(args).arg("127.0.0.1:0").stdin(stdin);
    let mut run = harness::start(cmd, Capture::Stderr);
    let addr = run.addr_on_stderr("listening on ");
    // Nobody reads what the listener prints here; keep its pipe flowing.
    if let Some(out) = run.raw_stdout.take() {
        std::thread::spawn(move || drain(out));
    }
    (run, addr)
}

fn drain(mut r: impl Read) -> Vec<u8> {
    let mut v = Vec::new();
    let _ = r.read_to_end(&mut v);
    v
}

fn hash(data: &[u8]) -> u64 {
    // FNV-1a: enough to compare two copies.
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[test]
fn sixty_four_mib_each_way_at_once() {
    let dir = TempDir::new("tcp64");
    let size = 64 * 1024 * 1024;
    let to_client = harness::pseudo_random(1, size);
    let to_server = harness::pseudo_random(2, size);
    std::fs::write(dir.join("server-in"), &to_client).unwrap();
    std::fs::write(dir.join("client-in"), &to_server).unwrap();
    let mut server_cmd = tcp_echo();
    server_cmd
        .args(["-l", "127.0.0.1:0"])
        .stdin(File::open(dir.join("server-in")).unwrap())
        .stdout(File::create(dir.join("server-out")).unwrap())
        .stderr(Stdio::piped());
    let mut server = server_cmd.spawn().unwrap();
    let lines = harness::Lines::collect(server.stderr.take().unwrap(), "[server] ".into());
    let addr = lines.wait_for(harness::START_TIMEOUT, |l| harness::addr_after(l, "listening on "));
    let mut client = tcp_echo()
        .arg(addr.to_string())
        .stdin(File::open(dir.join("client-in")).unwrap())
        .stdout(File::create(dir.join("client-out")).unwrap())
        .spawn()
        .unwrap();
    assert!(harness::wait_timeout(&mut client, EXIT).success());
    assert!(harness::wait_timeout(&mut server, EXIT).success());
    let server_got = std::fs::read(dir.join("server-out")).unwrap();
    let client_got = std::fs::read(dir.join("client-out")).unwrap();
    assert_eq!(server_got.len(), size);
    assert_eq!(client_got.len(), size);
    assert_eq!(hash(&server_got), hash(&to_server));
    assert_eq!(hash(&client_got), hash(&to_client));
}

#[test]
fn line_through_echo_service_returns_at_once() {
    let (_echo, addr) = listener(&["--echo"], Stdio::null());
    let out = harness::run(
        {
            let mut c = tcp_echo();
            c.arg(addr.to_string());
            c
        },
        Some(b"hi\n"),
        Duration::from_secs(10),
    );
    assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"hi\n"[..]), "{}", out.stderr);
}

#[test]
fn reply_after_the_clients_fin_still_arrives() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let peer = std::thread::spawn(move || {
        let (mut s, _) = server.accept().unwrap();
        let request = drain(&mut s);
        std::thread::sleep(Duration::from_secs(1));
        s.write_all(b"late reply to ").unwrap();
        s.write_all(&request).unwrap();
    });
    let mut cmd = tcp_echo();
    cmd.arg(addr.to_string());
    let out = harness::run(cmd, Some(b"request\n"), Duration::from_secs(20));
    peer.join().unwrap();
    assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"late reply to request\n"[..]), "{}", out.stderr);
}

#[test]
fn listener_keeps_sending_after_the_clients_fin() {
    let dir = TempDir::new("tcpfin");
    let data = harness::pseudo_random(5, 8 * 1024 * 1024);
    std::fs::write(dir.join("in"), &data).unwrap();
    let (mut server, addr) = listener(&[], Stdio::from(File::open(dir.join("in")).unwrap()));
    let mut client = TcpStream::connect(addr).unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    client.set_read_timeout(Some(EXIT)).unwrap();
    let got = drain(&mut client);
    assert_eq!(got.len(), data.len());
    assert_eq!(hash(&got), hash(&data));
    assert!(server.wait_exit(EXIT).success());
}

#[test]
fn keep_open_serves_three_clients_in_turn() {
    let mut cmd = tcp_echo();
    // nc's spelling: -l -k -p PORT -s ADDR.
    cmd.args(["-lk", "-p", "0", "-s", "127.0.0.1"]).stdin(Stdio::null());
    let mut run = harness::start(cmd, Capture::Stderr);
    let addr = run.addr_on_stderr("listening on ");
    let mut stdout = run.raw_stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    for i in 0..3 {
        let mut c = TcpStream::connect(addr).unwrap();
        c.set_read_timeout(Some(EXIT)).unwrap();
        c.write_all(format!("client {i};").as_bytes()).unwrap();
        c.shutdown(Shutdown::Write).unwrap();
        // The server's stdin is empty, so it half-closes at once: EOF here.
        assert_eq!(drain(&mut c), b"");
    }
    let want = b"client 0;client 1;client 2;";
    let mut got = Vec::new();
    while got.len() < want.len() {
        got.extend(rx.recv_timeout(EXIT).expect("server output"));
    }
    assert_eq!(got, want);
    assert!(run.child.try_wait().unwrap().is_none(), "still serving");
}

#[test]
fn echo_serves_twenty_clients_at_once() {
    let (_echo, addr) = listener(&["--echo"], Stdio::null());
    let clients: Vec<_> = (0..20)
        .map(|i| {
            std::thread::spawn(move || {
                let payload = harness::pseudo_random(100 + i, 256 * 1024);
                let mut c = TcpStream::connect(addr).unwrap();
                c.set_read_timeout(Some(EXIT)).unwrap();
                let mut w = c.try_clone().unwrap();
                let sent = payload.clone();
                let writer = std::thread::spawn(move || {
                    w.write_all(&sent).unwrap();
                    w.shutdown(Shutdown::Write).unwrap();
                });
                let got = drain(&mut c);
                writer.join().unwrap();
                assert!(got == payload, "client {i} got its own bytes back");
            })
        })
        .collect();
    for c in clients {
        c.join().unwrap();
    }
}

#[test]
fn crlf_turns_line_ends_into_crlf() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let peer = std::thread::spawn(move || {
        let (mut s, _) = server.accept().unwrap();
        drain(&mut s)
    });
    let mut cmd = tcp_echo();
    cmd.args(["-C", &addr.to_string()]);
    let out = harness::run(cmd, Some(b"HELO a\nMAIL b\r\nQUIT\n"), Duration::from_secs(20));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(peer.join().unwrap(), b"HELO a\r\nMAIL b\r\nQUIT\r\n");
}

// Needs bash, a pipe to `head` and /dev/null.
#[cfg(unix)]
#[test]
fn stdout_closed_early_is_quiet() {
    let (_echo, addr) = listener(&["--echo"], Stdio::null());
    let dir = TempDir::new("tcphead");
    std::fs::write(dir.join("in"), harness::pseudo_random(3, 4 * 1024 * 1024)).unwrap();
    let script = format!(
        "set -o pipefail; {} {addr} < {} | head -c 10 > /dev/null; echo rc=$?",
        env!("CARGO_BIN_EXE_tcp-echo"),
        dir.join("in").display()
    );
    let out = Command::new("bash").args(["-c", &script]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "rc=0\n");
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn no_shutdown_keeps_the_write_side_open() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let peer = std::thread::spawn(move || {
        let (mut s, _) = server.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        let fin_seen = loop {
            match s.read(&mut buf) {
                Ok(0) => break true,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(_) => break false,
            }
        };
        s.write_all(b"bye").unwrap();
        (got, fin_seen)
    });
    let mut cmd = tcp_echo();
    cmd.args(["--no-shutdown", &addr.to_string()]);
    let out = harness::run(cmd, Some(b"data"), Duration::from_secs(20));
    let (got, fin_seen) = peer.join().unwrap();
    assert_eq!((got.as_slice(), fin_seen), (&b"data"[..], false));
    assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"bye"[..]), "{}", out.stderr);
}

#[test]
fn quit_after_gives_up_waiting_for_the_peer() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let _peer = std::thread::spawn(move || {
        let (s, _) = server.accept().unwrap();
        std::thread::sleep(Duration::from_secs(30));
        drop(s);
    });
    let mut cmd = tcp_echo();
    cmd.args(["-q", "200ms", &addr.to_string()]);
    let start = std::time::Instant::now();
    let out = harness::run(cmd, Some(b"x"), Duration::from_secs(20));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn receive_only_ignores_stdin() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let _peer = std::thread::spawn(move || {
        let (mut s, _) = server.accept().unwrap();
        s.write_all(b"just listen").unwrap();
    });
    // stdin is a pipe that never ends: only -d lets this finish.
    let mut child =
        tcp_echo().args(["-d", &addr.to_string()]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let out = drain(child.stdout.take().unwrap());
    assert!(harness::wait_timeout(&mut child, EXIT).success());
    assert_eq!(out, b"just listen");
}

#[test]
fn verbose_reports_counts() {
    let (_echo, addr) = listener(&["--echo"], Stdio::null());
    let mut cmd = tcp_echo();
    cmd.args(["-v", &addr.to_string()]);
    let out = harness::run(cmd, Some(b"12345"), Duration::from_secs(20));
    assert_eq!(out.code, Some(0));
    assert!(out.stderr.contains(&format!("tcp-echo: connected to {addr}\n")), "{}", out.stderr);
    assert!(out.stderr.contains("tcp-echo: sent 5 bytes, received 5 bytes in "), "{}", out.stderr);
}

#[test]
fn ipv6_loopback() {
    if TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: no IPv6 loopback on this machine");
        return;
    }
    let mut cmd = tcp_echo();
    cmd.args(["-l", "--echo", "[::1]:0"]);
    let run = harness::start(cmd, Capture::Stderr);
    let addr = run.addr_on_stderr("listening on ");
    assert!(addr.is_ipv6());
    let mut c = tcp_echo();
    c.arg(addr.to_string());
    let out = harness::run(c, Some(b"six\n"), Duration::from_secs(20));
    assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"six\n"[..]));
    let mut c = tcp_echo();
    c.args(["::1", &addr.port().to_string()]);
    let out = harness::run(c, Some(b"two args\n"), Duration::from_secs(20));
    assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"two args\n"[..]));
}

/// When the peer has finished, stdout ends at once (its reader sees the
/// end) while stdin, still open, is still sent: what ssh needs of a
/// ProxyCommand.
#[test]
fn stdout_ends_with_the_peer_while_stdin_goes_on() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let peer = std::thread::spawn(move || {
        let (mut s, _) = server.accept().unwrap();
        s.write_all(b"bye").unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        drain(&mut s)
    });
    let mut child = tcp_echo().arg(addr.to_string()).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(drain(stdout)));
    let out = rx.recv_timeout(EXIT).expect("stdout ended while stdin was still open");
    assert_eq!(out, b"bye");
    assert!(child.try_wait().unwrap().is_none(), "still running: stdin is open");
    stdin.write_all(b"late words").unwrap();
    drop(stdin);
    assert!(harness::wait_timeout(&mut child, EXIT).success());
    assert_eq!(peer.join().unwrap(), b"late words");
}
