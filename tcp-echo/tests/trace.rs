//! `--trace`: the socket primitives of each mode, in the lesson's order
//! (connect, listen, `--echo`, `-z`). Only the sequence is checked: every
//! number (descriptors, ports, byte counts) is read as `N`.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use harness::Capture;
use harness::trace::{assert_in_order, count, shapes};

const EXIT: Duration = Duration::from_secs(60);

fn tcp_echo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tcp-echo"))
}

/// A client and a one-shot listener: each shows its own side of the lesson.
#[test]
fn connect_and_listen_show_their_primitives() {
    let mut cmd = tcp_echo();
    cmd.args(["-l", "--trace", "127.0.0.1:0"]).stdin(Stdio::null());
    let mut server = harness::start(cmd, Capture::Stderr);
    let addr = server.addr_on_stderr("listening on ");
    let mut client = tcp_echo();
    client.args(["--trace", "127.0.0.1", &addr.port().to_string()]);
    let out = harness::run(client, Some(b"hello\n"), EXIT);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let lines: Vec<String> = out.stderr.lines().map(String::from).collect();
    assert_in_order(
        &lines,
        &[
            "socket(AF_INET, SOCK_STREAM) = fd N",
            "connect(fd N, N.N.N.N:N)",
            "send(fd N) = N bytes",
            "shutdown(fd N, write)",
            "close(fd N)",
        ],
    );
    assert_eq!(count(&lines, "connect("), 1, "{:?}", shapes(&lines));
    // The listener's end of the stream came (by recv, or by splice on Linux).
    assert!(shapes(&lines).iter().any(|l| l.ends_with("= N (end of stream)")), "{lines:?}");

    assert!(server.wait_exit(EXIT).success());
    let lines = server.stderr.as_ref().unwrap().until_end(EXIT);
    assert_in_order(
        &lines,
        &[
            "socket(AF_INET, SOCK_STREAM) = fd N",
            "bind(fd N, N.N.N.N:N) = port N",
            "listen(fd N, backlog N)",
            "accept(fd N) = fd N, peer N.N.N.N:N",
            "close(fd N)",
        ],
    );
    // Its stdin was empty: it half-closed at once; the client's six bytes
    // and its end arrived.
    let shapes = shapes(&lines);
    assert!(shapes.contains(&"shutdown(fd N, write)".to_string()), "{shapes:?}");
    assert!(shapes.iter().any(|l| l.ends_with("= N bytes") && !l.starts_with("send")), "{shapes:?}");
    assert!(shapes.iter().any(|l| l.ends_with("= N (end of stream)")), "{shapes:?}");
}

/// `--echo`: accept, then receive and send the same bytes back, the
/// client's end, a half-close back, close.
#[test]
fn echo_receives_sends_back_and_closes() {
    let mut cmd = tcp_echo();
    cmd.args(["-l", "--echo", "--trace", "127.0.0.1:0"]).stdin(Stdio::null());
    let server = harness::start(cmd, Capture::Stderr);
    let addr = server.addr_on_stderr("listening on ");
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.write_all(b"ping").unwrap();
    conn.shutdown(Shutdown::Write).unwrap();
    let mut back = Vec::new();
    conn.read_to_end(&mut back).unwrap();
    assert_eq!(back, b"ping");
    let stderr = server.stderr.as_ref().unwrap();
    stderr.wait_for(EXIT, |l| l.starts_with("close(").then_some(()));
    assert_in_order(
        &stderr.all(),
        &[
            "socket(AF_INET, SOCK_STREAM) = fd N",
            "bind(fd N, N.N.N.N:N) = port N",
            "listen(fd N, backlog N)",
            "accept(fd N) = fd N, peer N.N.N.N:N",
            "recv(fd N) = N bytes",
            "send(fd N) = N bytes",
            "recv(fd N) = N (end of stream)",
            "shutdown(fd N, write)",
            "close(fd N)",
        ],
    );
}

/// 64 MiB in a few lines: calls are shown one by one for the first MiB,
/// then summarised, and the end says the whole.
#[test]
fn bulk_data_is_summarised() {
    let dir = harness::TempDir::new("trace-bulk");
    let size = 64 << 20;
    std::fs::write(dir.join("in"), harness::pseudo_random(3, size)).unwrap();
    let mut cmd = tcp_echo();
    cmd.args(["-l", "--trace", "127.0.0.1:0"]).stdin(Stdio::null());
    let mut server = harness::start(cmd, Capture::Stderr);
    let addr = server.addr_on_stderr("listening on ");
    let out = server.raw_stdout.take().unwrap();
    let got = std::thread::spawn(move || {
        let mut out = out;
        let mut n = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        while let Ok(k @ 1..) = out.read(&mut buf) {
            n += k as u64;
        }
        n
    });
    let mut client = tcp_echo();
    client.args(["--trace", "127.0.0.1", &addr.port().to_string()]).stdin(std::fs::File::open(dir.join("in")).unwrap());
    // stdin a file: the client sends it by sendfile where it can.
    let mut client = harness::start(client, Capture::Stderr);
    assert!(client.wait_exit(EXIT).success());
    assert!(server.wait_exit(EXIT).success());
    assert_eq!(got.join().unwrap(), size as u64);
    let lines = server.stderr.as_ref().unwrap().until_end(EXIT);
    let moves = shapes(&lines).into_iter().filter(|l| l.starts_with("recv(") || l.starts_with("splice(")).count();
    // One line per call would be hundreds; the first MiB call by call is
    // at most 16 lines of 64 KiB (a few more where calls come shorter).
    assert!(moves < 100, "{moves} lines for 64 MiB:\n{}", lines.join("\n"));
    assert!(shapes(&lines).iter().any(|l| l.ends_with(" MiB in N calls in all")), "{lines:?}");
    let client_lines = client.stderr.as_ref().unwrap().until_end(EXIT);
    assert!(client_lines.len() < 100, "{} lines for 64 MiB", client_lines.len());
    assert!(shapes(&client_lines).iter().any(|l| l.ends_with(" MiB in N calls in all")), "{client_lines:?}");
}

/// `-z`: a socket and a non-blocking connect per port, its answer, close.
#[test]
fn probe_connects_and_closes_each_port() {
    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let port = open.local_addr().unwrap().port();
    let mut cmd = tcp_echo();
    cmd.args(["-z", "--trace", "127.0.0.1", &port.to_string(), &closed.to_string()]);
    let out = harness::run(cmd, None, EXIT);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let lines: Vec<String> = out.stderr.lines().map(String::from).collect();
    assert_in_order(
        &lines,
        &["socket(AF_INET, SOCK_STREAM) = fd N", "connect(fd N, N.N.N.N:N) = in progress", "close(fd N)"],
    );
    let shapes = shapes(&lines);
    assert_eq!(count(&lines, "connect(fd N, N.N.N.N:N) = in progress"), 2, "{shapes:?}");
    assert!(shapes.contains(&"connect(fd N, N.N.N.N:N)".to_string()), "{shapes:?}");
    assert!(shapes.contains(&"connect(fd N, N.N.N.N:N) = connection refused".to_string()), "{shapes:?}");
    assert_eq!(count(&lines, "close("), 2, "{shapes:?}");
}
