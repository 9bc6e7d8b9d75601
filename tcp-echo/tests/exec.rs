//! `-e PROGRAM` and `-c 'SHELL COMMAND'`: the connection is the program's
//! stdin and stdout. Programs that read everything before writing, write
//! before reading, exit early, never read; nothing lost, nothing hangs;
//! the program's exit status is tcp-echo's; a program per connection with
//! `-l -k`. The shell-command tests need /bin/sh: Unix only.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use harness::{Capture, Running};

const LIMIT: Duration = Duration::from_secs(60);

fn tcp_echo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tcp-echo"))
}

/// Starts `tcp-echo -l ARGS 127.0.0.1:0` and reads its address.
fn listener(args: &[&str]) -> (Running, SocketAddr) {
    let mut cmd = tcp_echo();
    cmd.arg("-l").args(args).arg("127.0.0.1:0").stdin(Stdio::null());
    let run = harness::start(cmd, Capture::Both);
    let addr = run.addr_on_stderr("listening on ");
    (run, addr)
}

/// Connects to `addr`, sends `data` from a thread of its own (then a
/// half-close), and reads everything that comes back. True for the
/// sending when every byte was taken.
fn exchange(addr: SocketAddr, data: Vec<u8>) -> (Vec<u8>, bool) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(LIMIT)).unwrap();
    let mut w = s.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let sent = w.write_all(&data).is_ok();
        let _ = w.shutdown(Shutdown::Write);
        sent
    });
    let mut got = Vec::new();
    s.read_to_end(&mut got).unwrap();
    (got, writer.join().unwrap())
}

/// A program that runs everywhere: tcp-echo itself, asked its version.
#[test]
fn a_program_without_a_shell_on_every_system() {
    let program = format!("{} --version", env!("CARGO_BIN_EXE_tcp-echo"));
    let (mut run, addr) = listener(&["-e", &program]);
    let (got, _) = exchange(addr, Vec::new());
    assert_eq!(String::from_utf8_lossy(&got), format!("tcp-echo {}\n", env!("CARGO_PKG_VERSION")));
    assert_eq!(run.wait_exit(LIMIT).code(), Some(0));
}

#[test]
fn a_program_that_cannot_start_is_refused_before_listening() {
    let mut cmd = tcp_echo();
    cmd.args(["-l", "-e", "/no/such/program --flag", "127.0.0.1:0"]);
    let out = harness::run(cmd, None, LIMIT);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (Some(1), "tcp-echo: cannot start `/no/such/program --flag`: not found, or not executable\n")
    );
}

#[cfg(unix)]
mod shell {
    use super::*;
    use std::time::Instant;

    #[test]
    fn reads_everything_then_writes() {
        let (mut run, addr) = listener(&["-e", "sort"]);
        let input: String = (0..5000).rev().map(|i| format!("line {i:05}\n")).collect();
        let (got, sent) = exchange(addr, input.clone().into_bytes());
        let mut want: Vec<&str> = input.lines().collect();
        want.sort_unstable();
        assert!(sent);
        assert_eq!(String::from_utf8(got).unwrap(), want.join("\n") + "\n");
        assert_eq!(run.wait_exit(LIMIT).code(), Some(0));
    }

    #[test]
    fn writes_before_reading() {
        let (mut run, addr) = listener(&["-c", "echo hello; cat"]);
        let (got, _) = exchange(addr, b"ping\n".to_vec());
        assert_eq!(got, b"hello\nping\n");
        assert_eq!(run.wait_exit(LIMIT).code(), Some(0));
    }

    #[test]
    fn exits_early_and_the_rest_is_dropped_not_reset() {
        let (mut run, addr) = listener(&["-c", "head -c 5"]);
        let (got, sent) = exchange(addr, harness::pseudo_random(3, 4 * 1024 * 1024));
        assert_eq!(got, &harness::pseudo_random(3, 5)[..]);
        assert!(sent, "the peer could send all it had");
        assert_eq!(run.wait_exit(LIMIT).code(), Some(0));
    }

    #[test]
    fn never_reads() {
        let (mut run, addr) = listener(&["-c", "echo done"]);
        let (got, sent) = exchange(addr, harness::pseudo_random(4, 4 * 1024 * 1024));
        assert_eq!(got, b"done\n");
        assert!(sent, "the peer could send all it had");
        assert_eq!(run.wait_exit(LIMIT).code(), Some(0));
    }

    #[test]
    fn nothing_lost_through_cat_both_ways_at_once() {
        let (mut run, addr) = listener(&["-e", "cat"]);
        let data = harness::pseudo_random(5, 16 * 1024 * 1024);
        let (got, sent) = exchange(addr, data.clone());
        assert!(sent);
        assert!(got == data, "16 MiB came back unchanged ({} bytes)", got.len());
        assert_eq!(run.wait_exit(LIMIT).code(), Some(0));
    }

    #[test]
    fn exit_status_and_stderr_stay_here() {
        let (mut run, addr) = listener(&["-c", "echo to-stderr >&2; echo to-peer; exit 3"]);
        let (got, _) = exchange(addr, Vec::new());
        assert_eq!(got, b"to-peer\n");
        assert_eq!(run.wait_exit(LIMIT).code(), Some(3));
        let lines = run.stderr.as_ref().unwrap().until_end(LIMIT);
        assert!(lines.iter().any(|l| l == "to-stderr"), "{lines:?}");
        let stdout = run.stdout.as_ref().unwrap().until_end(LIMIT);
        assert!(stdout.is_empty(), "tcp-echo's own stdout is not the program's: {stdout:?}");
    }

    #[test]
    fn killed_by_a_signal_is_128_plus_it() {
        let (mut run, addr) = listener(&["-c", "kill -TERM $$"]);
        let _ = exchange(addr, Vec::new());
        assert_eq!(run.wait_exit(LIMIT).code(), Some(128 + 15));
    }

    #[test]
    fn connecting_runs_the_program_too() {
        let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = server.local_addr().unwrap();
        let peer = std::thread::spawn(move || {
            let (mut s, _) = server.accept().unwrap();
            s.write_all(b"shout this\n").unwrap();
            s.shutdown(Shutdown::Write).unwrap();
            let mut got = Vec::new();
            s.read_to_end(&mut got).unwrap();
            got
        });
        let mut cmd = tcp_echo();
        cmd.args(["-e", "tr a-z A-Z", &addr.to_string()]);
        let out = harness::run(cmd, None, LIMIT);
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert_eq!(peer.join().unwrap(), b"SHOUT THIS\n");
        assert!(out.stdout.is_empty());
    }

    #[test]
    fn idle_timeout_ends_a_program_that_does_nothing() {
        let (mut run, addr) = listener(&["-w", "300ms", "-c", "exec sleep 30"]);
        let started = Instant::now();
        let s = TcpStream::connect(addr).unwrap();
        let status = run.wait_exit(LIMIT);
        assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
        assert_eq!(status.code(), Some(128 + 9), "killed");
        let lines = run.stderr.as_ref().unwrap().until_end(LIMIT);
        let want = format!("tcp-echo: {}: no data either way for 300ms: timed out", s.local_addr().unwrap());
        assert!(lines.contains(&want), "{lines:?}");
    }

    #[test]
    fn keep_open_runs_a_program_per_connection_at_once() {
        let (run, addr) = listener(&["-k", "-e", "cat"]);
        let clients: Vec<_> = (0..10)
            .map(|i| {
                std::thread::spawn(move || {
                    let data = harness::pseudo_random(50 + i, 256 * 1024);
                    let (got, _) = exchange(addr, data.clone());
                    assert!(got == data, "client {i} got its own bytes back");
                })
            })
            .collect();
        for c in clients {
            c.join().unwrap();
        }
        assert!(run.child.id() > 0);
    }

    #[test]
    fn max_clients_refuses_the_one_too_many() {
        let (run, addr) = listener(&["-k", "--max-clients", "1", "-e", "cat"]);
        let mut first = TcpStream::connect(addr).unwrap();
        first.write_all(b"held\n").unwrap();
        let mut echo = [0u8; 5];
        first.set_read_timeout(Some(LIMIT)).unwrap();
        first.read_exact(&mut echo).unwrap();
        let second = TcpStream::connect(addr).unwrap();
        let want = format!("tcp-echo: refusing {}: 1 clients already connected", second.local_addr().unwrap());
        run.stderr.as_ref().unwrap().wait_for(LIMIT, |l| (l == want).then_some(()));
    }

    #[test]
    fn usage() {
        let cases: &[(&[&str], &str)] = &[
            (
                &["-e", "cat", "-c", "cat", "127.0.0.1:9"],
                "the argument '--exec <PROGRAM>' cannot be used with '--sh-exec <COMMAND>'",
            ),
            (
                &["--max-clients", "3", "-e", "cat", "127.0.0.1:9"],
                "--max-clients goes with -l --echo, or with -l -k and -e or -c",
            ),
        ];
        for (args, want) in cases {
            let mut cmd = tcp_echo();
            cmd.args(*args);
            let out = harness::run(cmd, None, LIMIT);
            assert_eq!((out.code, out.stderr.as_str()), (Some(2), format!("tcp-echo: {want}\n").as_str()), "{args:?}");
        }
    }
}
