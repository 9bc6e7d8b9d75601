//! `-U PATH`: Unix stream sockets, connecting and listening; a dead
//! listener's socket file replaced, a live one's refused; Linux abstract
//! names; probing a socket and waiting for it. Unix only: on Windows `-U`
//! is one line and exit 2.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

fn tcp_echo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tcp-echo"))
}

#[cfg(windows)]
#[test]
fn not_supported_on_windows() {
    let mut cmd = tcp_echo();
    cmd.args(["-U", "x.sock"]);
    let out = harness::run(cmd, Some(b""), LIMIT);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (Some(2), "tcp-echo: -U: Unix sockets are not supported on this system\n")
    );
}

#[cfg(unix)]
mod unix {
    use super::*;
    use std::fs::File;
    use std::io::{Read, Write};
    use std::os::unix::net::UnixListener;
    use std::process::Stdio;

    use harness::{Capture, Running, TempDir};

    /// Starts `tcp-echo -v -l ARGS -U PATH` and waits until it listens.
    fn listener(args: &[&str], path: &std::path::Path, stdin: Stdio) -> Running {
        let mut cmd = tcp_echo();
        cmd.args(["-v", "-l"]).args(args).arg("-U").arg(path).stdin(stdin);
        let run = harness::start(cmd, Capture::Stderr);
        let want = format!("tcp-echo: listening on {}", path.display());
        run.stderr.as_ref().unwrap().wait_for(LIMIT, |l| (l == want).then_some(()));
        run
    }

    #[test]
    fn both_directions_through_a_socket_file() {
        let dir = TempDir::new("unix-both");
        let path = dir.join("s");
        let size = 4 * 1024 * 1024;
        std::fs::write(dir.join("a-in"), harness::pseudo_random(31, size)).unwrap();
        std::fs::write(dir.join("b-in"), harness::pseudo_random(32, size)).unwrap();
        let mut cmd = tcp_echo();
        cmd.args(["-v", "-l", "-U"])
            .arg(&path)
            .stdin(File::open(dir.join("a-in")).unwrap())
            .stdout(File::create(dir.join("a-out")).unwrap());
        let mut server = harness::start(cmd, Capture::StderrOnly);
        let want = format!("tcp-echo: listening on {}", path.display());
        server.stderr.as_ref().unwrap().wait_for(LIMIT, |l| (l == want).then_some(()));
        let mut client = tcp_echo()
            .arg("-U")
            .arg(&path)
            .stdin(File::open(dir.join("b-in")).unwrap())
            .stdout(File::create(dir.join("b-out")).unwrap())
            .spawn()
            .unwrap();
        assert!(harness::wait_timeout(&mut client, LIMIT).success());
        assert!(server.wait_exit(LIMIT).success());
        let read = |n: &str| std::fs::read(dir.join(n)).unwrap();
        assert!(read("a-out") == read("b-in") && read("b-out") == read("a-in"), "4 MiB each way, unchanged");
        assert!(!path.exists(), "the listener removed its socket file");
    }

    #[test]
    fn a_dead_listeners_file_is_replaced_a_live_one_refused() {
        let dir = TempDir::new("unix-stale");
        let path = dir.join("s");
        drop(UnixListener::bind(&path).unwrap());
        let _live = listener(&["--echo"], &path, Stdio::null());
        let mut cmd = tcp_echo();
        cmd.arg("-lU").arg(&path);
        let out = harness::run(cmd, None, LIMIT);
        let line = format!("tcp-echo: cannot listen on {}: a live listener is already there\n", path.display());
        assert_eq!((out.code, out.stderr), (Some(1), line));
        let file = dir.join("f");
        std::fs::write(&file, b"keep me").unwrap();
        let mut cmd = tcp_echo();
        cmd.arg("-lU").arg(&file);
        let out = harness::run(cmd, None, LIMIT);
        let line = format!("tcp-echo: cannot listen on {}: it exists and is not a socket\n", file.display());
        assert_eq!((out.code, out.stderr), (Some(1), line));
        assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
    }

    #[test]
    fn echo_service_and_probe_on_a_socket() {
        let dir = TempDir::new("unix-echo");
        let path = dir.join("echo.sock");
        let mut cmd = tcp_echo();
        cmd.arg("-z").arg("-U").arg(&path);
        let out = harness::run(cmd, None, LIMIT);
        let line = format!("tcp-echo: {} closed: no such file or directory\n", path.display());
        assert_eq!((out.code, out.stderr), (Some(1), line));
        let _echo = listener(&["--echo"], &path, Stdio::null());
        for _ in 0..3 {
            let mut cmd = tcp_echo();
            cmd.arg("-U").arg(&path);
            let out = harness::run(cmd, Some(b"round trip\n"), LIMIT);
            assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"round trip\n"[..]), "{}", out.stderr);
        }
        let mut cmd = tcp_echo();
        cmd.arg("-z").arg("-U").arg(&path);
        let out = harness::run(cmd, None, LIMIT);
        assert_eq!(
            (out.code, String::from_utf8_lossy(&out.stdout).into_owned()),
            (Some(0), format!("{} open\n", path.display()))
        );
    }

    #[test]
    fn wait_for_a_socket_to_appear() {
        let dir = TempDir::new("unix-wait");
        let path = dir.join("later.sock");
        let mut cmd = tcp_echo();
        cmd.args(["-v", "-z", "--wait", "30s", "-U"]).arg(&path);
        let mut waiter = harness::start(cmd, Capture::Both);
        let want =
            format!("tcp-echo: {} not open yet: no such file or directory; trying again every 250ms", path.display());
        waiter.stderr.as_ref().unwrap().wait_for(LIMIT, |l| (l == want).then_some(()));
        let _socket = UnixListener::bind(&path).unwrap();
        assert!(waiter.wait_exit(LIMIT).success());
        assert_eq!(waiter.stdout.as_ref().unwrap().until_end(LIMIT), [format!("{} open", path.display())]);
        let mut cmd = tcp_echo();
        cmd.args(["-z", "--wait", "300ms", "-U"]).arg(dir.join("never.sock"));
        let out = harness::run(cmd, None, LIMIT);
        let line = format!(
            "tcp-echo: {} still closed after 300ms: no such file or directory\n",
            dir.join("never.sock").display()
        );
        assert_eq!((out.code, out.stderr), (Some(1), line));
    }

    #[test]
    fn our_client_against_a_plain_unix_listener() {
        let dir = TempDir::new("unix-peer");
        let path = dir.join("s");
        let server = UnixListener::bind(&path).unwrap();
        let peer = std::thread::spawn(move || {
            let (mut s, _) = server.accept().unwrap();
            let mut got = Vec::new();
            s.read_to_end(&mut got).unwrap();
            s.write_all(b"late reply to ").unwrap();
            s.write_all(&got).unwrap();
        });
        let mut cmd = tcp_echo();
        cmd.arg("-U").arg(&path);
        let out = harness::run(cmd, Some(b"question"), LIMIT);
        peer.join().unwrap();
        assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"late reply to question"[..]), "{}", out.stderr);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn abstract_names() {
        let name = format!("@netkit-test-{}", std::process::id());
        let mut cmd = tcp_echo();
        cmd.args(["-v", "-l", "--echo", "-U", &name]);
        let run = harness::start(cmd, Capture::Stderr);
        let want = format!("tcp-echo: listening on {name}");
        run.stderr.as_ref().unwrap().wait_for(LIMIT, |l| (l == want).then_some(()));
        let mut cmd = tcp_echo();
        cmd.args(["-U", &name]);
        let out = harness::run(cmd, Some(b"no file\n"), LIMIT);
        assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"no file\n"[..]), "{}", out.stderr);
        let mut cmd = tcp_echo();
        cmd.args(["-l", "-U", &name]);
        let out = harness::run(cmd, None, LIMIT);
        assert_eq!(
            (out.code, out.stderr),
            (Some(1), format!("tcp-echo: cannot listen on {name}: a live listener is already there\n"))
        );
    }

    #[cfg(not(target_os = "linux"))]
    #[test]
    fn abstract_names_only_on_linux() {
        let mut cmd = tcp_echo();
        cmd.args(["-U", "@x"]);
        let out = harness::run(cmd, None, LIMIT);
        assert_eq!(
            (out.code, out.stderr.as_str()),
            (Some(2), "tcp-echo: `@x`: abstract socket names (@name) exist only on Linux\n")
        );
    }

    #[test]
    fn words_with_u_are_a_usage_error() {
        let mut cmd = tcp_echo();
        cmd.args(["-U", "/tmp/x.sock", "host", "80"]);
        let out = harness::run(cmd, None, LIMIT);
        assert_eq!(
            (out.code, out.stderr.as_str()),
            (Some(2), "tcp-echo: with -U the socket's path is the address; `host 80` has no place\n")
        );
    }
}
