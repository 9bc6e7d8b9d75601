//! tcp-echo through real proxies on loopback: microsocks (SOCKS5, with
//! and without a user and password), Dante (SOCKS4 and SOCKS5) and
//! tinyproxy (HTTP CONNECT), each carrying 4 MiB there and 4 MiB back to
//! a target named by name where the protocol allows (the proxy resolves
//! it); refusals said in one line; and an ssh client using tcp-echo as
//! its ProxyCommand.
//!
//! The exchange is framed (the target answers once it has read 4 MiB),
//! and where a proxy tears the tunnel down at the first half-close
//! (microsocks, tinyproxy) tcp-echo keeps its side open
//! (`--no-shutdown`); Dante passes the half-close on.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]
#![cfg(unix)]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener};
use std::process::Command;
use std::time::Duration;

use harness::{Capture, Running, TempDir, peer, peers};

const LIMIT: Duration = Duration::from_secs(60);
const SIZE: usize = 4 * 1024 * 1024;

fn tcp_echo() -> Command {
    Command::new(harness::bin("tcp-echo"))
}

fn root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Waits until something accepts on `addr`: tcp-echo's own wait-for-port,
/// for peers that say nothing when they are ready.
fn wait_listening(addr: SocketAddr) {
    let mut cmd = tcp_echo();
    cmd.args(["-z", "--wait", "20s", &addr.ip().to_string(), &addr.port().to_string()]);
    let out = harness::run(cmd, None, LIMIT);
    assert_eq!(out.code, Some(0), "{addr} never listened: {}", out.stderr);
}

/// An in-process target: reads exactly `SIZE` bytes, then sends `reply`
/// and closes; hands back what it read.
struct Target {
    port: u16,
    done: std::thread::JoinHandle<Vec<u8>>,
}

fn target(reply: Vec<u8>) -> Target {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let done = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(LIMIT)).unwrap();
        let mut got = vec![0u8; SIZE];
        s.read_exact(&mut got).unwrap();
        s.write_all(&reply).unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        got
    });
    Target { port, done }
}

/// 4 MiB there and 4 MiB back through `proxy_args`, to `host`.
fn there_and_back(proxy_args: &[&str], host: &str) {
    let ours = harness::pseudo_random(71, SIZE);
    let theirs = harness::pseudo_random(72, SIZE);
    let t = target(theirs.clone());
    let mut cmd = tcp_echo();
    cmd.args(proxy_args).args([host, &t.port.to_string()]);
    let out = harness::run(cmd, Some(&ours), LIMIT);
    assert_eq!(out.code, Some(0), "{proxy_args:?}: {}", out.stderr);
    assert!(out.stdout == theirs, "{proxy_args:?}: the target's 4 MiB arrived unchanged");
    assert!(t.done.join().unwrap() == ours, "{proxy_args:?}: our 4 MiB arrived unchanged");
}

fn microsocks(extra: &[&str]) -> (Running, u16) {
    let port = peers::free_tcp_port();
    let mut cmd = Command::new("microsocks");
    cmd.args(["-i", "127.0.0.1", "-p", &port.to_string()]).args(extra);
    let run = harness::start(cmd, Capture::StderrOnly);
    wait_listening(SocketAddr::from(([127, 0, 0, 1], port)));
    (run, port)
}

#[test]
fn socks5_through_microsocks() {
    if !peer("microsocks") {
        return;
    }
    let (_proxy, port) = microsocks(&[]);
    there_and_back(&["--no-shutdown", "-x", &format!("127.0.0.1:{port}")], "localhost");
    there_and_back(&["--no-shutdown", "-x", &format!("127.0.0.1:{port}"), "-X", "5"], "localhost");
}

#[test]
fn socks5_with_a_user_and_password() {
    if !peer("microsocks") {
        return;
    }
    let (_proxy, port) = microsocks(&["-u", "netkit", "-P", "s3cret"]);
    let at = format!("127.0.0.1:{port}");
    there_and_back(&["--no-shutdown", "-x", &at, "--proxy-auth", "netkit:s3cret"], "localhost");
    let t = TcpListener::bind("127.0.0.1:0").unwrap();
    let tport = t.local_addr().unwrap().port().to_string();
    let cases: &[(&[&str], String)] = &[
        (&[], format!("tcp-echo: socks5h proxy {at} wants a user and password: give --proxy-auth USER:PASS\n")),
        (
            &["--proxy-auth", "netkit:wrong"],
            format!(
                "tcp-echo: socks5h proxy {at}, asked for localhost:{tport}: the SOCKS5 proxy refused the user and password\n"
            ),
        ),
    ];
    for (extra, want) in cases {
        let mut cmd = tcp_echo();
        cmd.args(["-x", &at]).args(*extra).args(["localhost", &tport]);
        let out = harness::run(cmd, Some(b"x"), LIMIT);
        assert_eq!((out.code, out.stderr.as_str()), (Some(1), want.as_str()), "{extra:?}");
    }
}

/// Dante with a configuration of its own, on a probed port.
fn dante(dir: &TempDir) -> Option<(Running, u16)> {
    let bin = ["/usr/sbin/danted", "/usr/bin/danted"].into_iter().find(|p| std::path::Path::new(p).exists());
    let Some(bin) = bin else {
        peers::missing("danted");
        return None;
    };
    let user = if root() { "user.privileged: root\nuser.unprivileged: nobody\n" } else { "" };
    // `external: lo`: Dante may connect to either family of loopback.
    Some(peers::start_on_probed_port(
        |port| {
            let conf = dir.join(format!("danted-{port}.conf"));
            let text = format!(
                "logoutput: stderr\ninternal: 127.0.0.1 port = {port}\nexternal: lo\n\
                 clientmethod: none\nsocksmethod: none\n{user}\
                 client pass {{ from: 0/0 to: 0/0 }}\n\
                 socks pass {{ from: 0/0 to: 0/0 protocol: tcp }}\n"
            );
            std::fs::write(&conf, text).unwrap();
            let mut c = Command::new(bin);
            c.args([
                "-f",
                &conf.display().to_string(),
                "-N",
                "1",
                "-p",
                &dir.join(format!("d-{port}.pid")).display().to_string(),
            ]);
            c
        },
        "running",
        false,
    ))
}

/// Dante speaks SOCKS4 but not 4a (it refuses names there, curl's too):
/// `-X 4` gives it the address, which SOCKS4a sends as plain SOCKS4.
#[test]
fn socks4_and_socks5_through_dante() {
    let dir = TempDir::new("dante");
    let Some((_proxy, port)) = dante(&dir) else { return };
    wait_listening(SocketAddr::from(([127, 0, 0, 1], port)));
    let at = format!("127.0.0.1:{port}");
    there_and_back(&["-x", &at, "-X", "4"], "127.0.0.1");
    there_and_back(&["-x", &at, "-X", "5"], "localhost");
}

/// tinyproxy on a probed port; it says on stdout when it accepts.
fn tinyproxy(dir: &TempDir) -> (Running, u16) {
    let user = if root() { "User nobody\nGroup nogroup\n" } else { "" };
    let port = peers::free_tcp_port();
    let conf = dir.join("tinyproxy.conf");
    let text = format!("Port {port}\nListen 127.0.0.1\nTimeout 60\nAllow 127.0.0.1\n{user}LogLevel Info\n");
    std::fs::write(&conf, text).unwrap();
    let mut cmd = Command::new("tinyproxy");
    cmd.args(["-d", "-c", &conf.display().to_string()]);
    let run = harness::start(cmd, Capture::Both);
    run.stdout
        .as_ref()
        .unwrap()
        .wait_for(harness::START_TIMEOUT, |l| l.contains("Accepting connections").then_some(()));
    (run, port)
}

#[test]
fn http_connect_through_tinyproxy() {
    if !peer("tinyproxy") {
        return;
    }
    let dir = TempDir::new("tinyproxy");
    let (_proxy, port) = tinyproxy(&dir);
    let at = format!("127.0.0.1:{port}");
    there_and_back(&["--no-shutdown", "-x", &at, "-X", "connect"], "localhost");
    // A target nobody listens on: the proxy's answer, in one line.
    let closed = peers::free_tcp_port();
    let mut cmd = tcp_echo();
    cmd.args(["-x", &at, "-X", "connect", "127.0.0.1", &closed.to_string()]);
    let out = harness::run(cmd, Some(b"x"), LIMIT);
    assert_eq!(out.code, Some(1));
    let prefix = format!("tcp-echo: http proxy {at}, asked for 127.0.0.1:{closed}: CONNECT refused: ");
    assert!(out.stderr.starts_with(&prefix) && out.stderr.lines().count() == 1, "{}", out.stderr);
}

/// ssh with tcp-echo as its ProxyCommand, through microsocks: the target
/// (a stand-in for sshd) sees ssh's version line, so ssh spoke through
/// tcp-echo's stdin and stdout both ways.
#[test]
fn ssh_proxy_command_through_socks() {
    if !peer("microsocks") || !peer("ssh") {
        return;
    }
    let (_proxy, port) = microsocks(&[]);
    let sshd = TcpListener::bind("127.0.0.1:0").unwrap();
    let sshd_port = sshd.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = sshd.accept().unwrap();
        s.write_all(b"SSH-2.0-netkit-test\r\n").unwrap();
        s.set_read_timeout(Some(LIMIT)).unwrap();
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while !line.ends_with(b"\n") && s.read(&mut byte).unwrap_or(0) == 1 {
            line.push(byte[0]);
        }
        String::from_utf8_lossy(&line).into_owned()
    });
    let proxy_command = format!("{} -x 127.0.0.1:{port} -X 5 %h %p", harness::bin("tcp-echo").display());
    let mut cmd = Command::new("ssh");
    cmd.args([
        "-F",
        "/dev/null",
        "-o",
        &format!("ProxyCommand={proxy_command}"),
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-p",
        &sshd_port.to_string(),
        "nobody@localhost",
        "true",
    ]);
    let _ = harness::run(cmd, None, LIMIT);
    let line = server.join().unwrap();
    assert!(line.starts_with("SSH-2.0-"), "ssh's version line came through: {line:?}");
}
