//! tcp-echo and udp-echo when the world misbehaves: a peer that resets
//! mid-transfer, stdout closed early, stdin that is a terminal, a pipe or
//! /dev/null, and a probe over a thousand closed ports.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::{Capture, TempDir};

const LIMIT: Duration = Duration::from_secs(30);

fn tcp_echo() -> Command {
    Command::new(harness::bin("tcp-echo"))
}

/// A server that sends `greeting` and closes.
fn greeter(greeting: &'static [u8]) -> std::net::SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let _ = s.write_all(greeting);
    });
    addr
}

#[test]
fn reset_while_sending_a_large_stdin() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut some = [0u8; 4096];
        let _ = s.read(&mut some);
        socket2::SockRef::from(&s).set_linger(Some(Duration::ZERO)).unwrap();
    });
    let dir = TempDir::new("reset-send");
    std::fs::write(dir.join("in"), harness::pseudo_random(4, 64 * 1024 * 1024)).unwrap();
    let start = Instant::now();
    let mut child = tcp_echo()
        .arg(addr.to_string())
        .stdin(File::open(dir.join("in")).unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = harness::wait_timeout(&mut child, LIMIT);
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.starts_with(&format!("tcp-echo: {addr}: ")) && err.lines().count() == 1, "{err}");
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn stdin_null_and_pipe() {
    // /dev/null: stdin ends at once, the half-close tells the peer.
    let addr = greeter(b"from null\n");
    let out = tcp_echo().arg(addr.to_string()).stdin(Stdio::null()).output().unwrap();
    assert_eq!((out.status.code(), out.stdout.as_slice()), (Some(0), &b"from null\n"[..]));
    // A pipe that stays open: the peer's close alone does not end a stream
    // still being typed into a pipe; -q bounds the wait after stdin ends,
    // so close it once the greeting is in.
    let addr = greeter(b"from pipe\n");
    let mut child = tcp_echo().arg(addr.to_string()).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut got = [0u8; 10];
    child.stdout.as_mut().unwrap().read_exact(&mut got).unwrap();
    assert_eq!(&got, b"from pipe\n");
    drop(child.stdin.take());
    assert!(harness::wait_timeout(&mut child, LIMIT).success());
}

/// A terminal on stdin: when the peer closes, nobody is typing a stream
/// that must be delivered, so tcp-echo ends without waiting for Ctrl-D.
#[cfg(unix)]
#[test]
fn stdin_terminal() {
    use std::os::fd::{FromRawFd, OwnedFd};
    let addr = greeter(b"from tty\n");
    let (mut master_fd, mut slave_fd) = (0, 0);
    // SAFETY: openpty writes two new descriptors into the ints we keep.
    let rc = unsafe {
        libc::openpty(&mut master_fd, &mut slave_fd, std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut())
    };
    assert_eq!(rc, 0, "openpty");
    // SAFETY: the descriptors were just made by openpty and are ours alone.
    let (master_owned, slave_owned) = unsafe { (OwnedFd::from_raw_fd(master_fd), OwnedFd::from_raw_fd(slave_fd)) };
    let mut child =
        tcp_echo().arg(addr.to_string()).stdin(Stdio::from(slave_owned)).stdout(Stdio::piped()).spawn().unwrap();
    let status = harness::wait_timeout(&mut child, LIMIT);
    let mut out = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    assert!(status.success());
    assert_eq!(out, b"from tty\n");
    drop(master_owned);
}

/// A window of 1000 loopback ports with no listener, found from the
/// kernel's socket tables.
fn quiet_window() -> u16 {
    let mut busy = std::collections::HashSet::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        for line in std::fs::read_to_string(table).unwrap_or_default().lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.get(3) == Some(&"0A")
                && let Some(port) = fields.get(1).and_then(|a| a.rsplit(':').next())
            {
                busy.insert(u16::from_str_radix(port, 16).unwrap_or(0));
            }
        }
    }
    (20_000u16..60_000).step_by(1000).find(|&start| (start..start + 1000).all(|p| !busy.contains(&p))).unwrap()
}

#[test]
fn probe_over_a_thousand_closed_ports() {
    let start_port = quiet_window();
    let start = Instant::now();
    let out = tcp_echo().args(["-z", "127.0.0.1", &format!("{start_port}-{}", start_port + 999)]).output().unwrap();
    let took = start.elapsed();
    eprintln!("probed 1000 closed ports in {took:?}");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "none reported open");
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn udp_receiver_with_stdout_closed_early() {
    // Like `udp-echo -l 0 | head -c 5`: the reader takes five bytes and
    // goes away; the receiver must end quietly with exit 0.
    let mut cmd = Command::new(harness::bin("udp-echo"));
    cmd.args(["-l", "127.0.0.1:0"]).stdin(Stdio::null());
    let mut run = harness::start(cmd, Capture::Stderr);
    let addr = run.addr_on_stderr("listening on ");
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.send_to(b"datagram 0\n", addr).unwrap();
    let mut reader = run.raw_stdout.take().unwrap();
    let mut five = [0u8; 5];
    reader.read_exact(&mut five).unwrap();
    assert_eq!(&five, b"datag");
    drop(reader);
    // Datagrams until the receiver has noticed its reader is gone (bounded).
    let mut status = None;
    for i in 1..2000 {
        let _ = peer.send_to(format!("datagram {i}\n").as_bytes(), addr);
        status = run.child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = match status {
        Some(s) => s,
        None => run.wait_exit(LIMIT),
    };
    assert_eq!(status.code(), Some(0));
    let noise: Vec<String> =
        run.stderr.as_ref().unwrap().all().into_iter().filter(|l| !l.contains("listening on")).collect();
    assert!(noise.is_empty(), "{noise:?}");
}
