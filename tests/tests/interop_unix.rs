//! tcp-echo and udp-echo over Unix sockets against socat and OpenBSD
//! netcat, both directions: stream sockets with 4 MiB each way at once,
//! datagram sockets with replies coming back to the sender's own path.
//! Unix only (the peers are Linux programs, and Windows has no `-U` here).

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]
#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use harness::sides::Sides;
use harness::{Capture, Running, TempDir, peer};

const SIZE: usize = 4 * 1024 * 1024;
const EXIT: Duration = Duration::from_secs(60);

fn tcp_echo() -> Command {
    Command::new(harness::bin("tcp-echo"))
}

/// Starts a peer listener and waits for its line saying it listens.
fn their_listener(files: &Sides, program: &str, args: &[&str], ready: &str) -> Running {
    let mut cmd = Command::new(program);
    cmd.args(args).stdin(files.input("b")).stdout(files.output("b"));
    let run = harness::start(cmd, Capture::StderrOnly);
    run.stderr.as_ref().unwrap().wait_for(harness::START_TIMEOUT, |l| l.contains(ready).then_some(()));
    run
}

fn our_client(files: &Sides, extra: &[&str]) {
    let mut child = tcp_echo()
        .args(extra)
        .arg("-U")
        .arg(files.path("s"))
        .stdin(files.input("a"))
        .stdout(files.output("a"))
        .spawn()
        .unwrap();
    assert!(harness::wait_timeout(&mut child, EXIT).success(), "tcp-echo exited 0 by itself");
}

fn our_listener(files: &Sides) -> Running {
    let mut cmd = tcp_echo();
    cmd.args(["-v", "-l", "-U"]).arg(files.path("s")).stdin(files.input("a")).stdout(files.output("a"));
    let run = harness::start(cmd, Capture::StderrOnly);
    run.stderr.as_ref().unwrap().wait_for(harness::START_TIMEOUT, |l| l.contains("listening on").then_some(()));
    run
}

fn their_client(files: &Sides, program: &str, args: &[&str]) {
    let mut child = Command::new(program).args(args).stdin(files.input("b")).stdout(files.output("b")).spawn().unwrap();
    let status = harness::wait_timeout(&mut child, EXIT);
    assert!(status.success(), "{program} exited 0 by itself: {status}");
}

fn path_str(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn our_client_to_socat_unix_listener() {
    if !peer("socat") {
        return;
    }
    let files = Sides::new("ux-socat-listen", SIZE, 41);
    let listen = format!("UNIX-LISTEN:{}", path_str(&files.path("s")));
    let mut socat = their_listener(&files, "socat", &["-d", "-d", "-t", "30", &listen, "STDIO"], "listening on");
    our_client(&files, &[]);
    assert!(socat.wait_exit(EXIT).success(), "socat exited by itself");
    files.check();
}

#[test]
fn socat_client_to_our_unix_listener() {
    if !peer("socat") {
        return;
    }
    let files = Sides::new("ux-socat-client", SIZE, 41);
    let mut ours = our_listener(&files);
    their_client(&files, "socat", &["-t", "30", "STDIO", &format!("UNIX-CONNECT:{}", path_str(&files.path("s")))]);
    assert!(ours.wait_exit(EXIT).success());
    files.check();
}

#[test]
fn our_client_to_nc_unix_listener() {
    if !peer("nc") {
        return;
    }
    let files = Sides::new("ux-nc-listen", SIZE, 41);
    let socket = path_str(&files.path("s"));
    let mut nc = their_listener(&files, "nc", &["-lvNU", &socket], "Listening on");
    // As over TCP (see interop_tcp.rs): OpenBSD nc -l may stop sending
    // when its peer half-closes while its own buffer is empty; our side
    // stays open and nc's -N ends the exchange.
    our_client(&files, &["--no-shutdown"]);
    assert!(nc.wait_exit(EXIT).success(), "nc exited by itself");
    files.check();
}

#[test]
fn nc_client_to_our_unix_listener() {
    if !peer("nc") {
        return;
    }
    let files = Sides::new("ux-nc-client", SIZE, 41);
    let mut ours = our_listener(&files);
    their_client(&files, "nc", &["-NU", &path_str(&files.path("s"))]);
    assert!(ours.wait_exit(EXIT).success());
    files.check();
}

fn udp_echo() -> Command {
    Command::new(harness::bin("udp-echo"))
}

#[test]
fn our_datagram_sender_against_socat_echo() {
    if !peer("socat") {
        return;
    }
    let dir = TempDir::new("ux-dgram-socat");
    let path = dir.join("echo.sock");
    let mut cmd = Command::new("socat");
    cmd.args(["-d", "-d", &format!("UNIX-RECVFROM:{},fork", path_str(&path)), "EXEC:cat"]);
    let socat = harness::start(cmd, Capture::StderrOnly);
    socat.stderr.as_ref().unwrap().wait_for(harness::START_TIMEOUT, |l| l.contains("receiving on").then_some(()));
    let mut cmd = udp_echo();
    cmd.args(["-w", "500ms", "-U"]).arg(&path);
    let out = harness::run(cmd, Some(b"first\nsecond\n"), EXIT);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    // socat forks a cat for each datagram: the two answers race.
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["first", "second"]);
}

#[test]
fn socat_and_nc_datagram_senders_against_our_echo() {
    let dir = TempDir::new("ux-dgram-ours");
    let path = dir.join("echo.sock");
    let mut cmd = udp_echo();
    cmd.args(["-v", "-l", "--echo", "-U"]).arg(&path).stdin(Stdio::null());
    let echo = harness::start(cmd, Capture::Stderr);
    echo.stderr.as_ref().unwrap().wait_for(harness::START_TIMEOUT, |l| l.contains("listening on").then_some(()));
    if peer("socat") {
        let sendto = format!("UNIX-SENDTO:{},bind={}", path_str(&path), path_str(&dir.join("socat.sock")));
        let mut cmd = Command::new("socat");
        cmd.args(["-t", "1", "STDIO", &sendto]);
        let out = harness::run(cmd, Some(b"from socat\n"), EXIT);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "from socat\n", "{}", out.stderr);
    }
    if peer("nc") {
        let mut cmd = Command::new("nc");
        cmd.args(["-uU", "-w", "1", &path_str(&path)]);
        let out = harness::run(cmd, Some(b"from nc\n"), EXIT);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "from nc\n", "{}", out.stderr);
    }
}
