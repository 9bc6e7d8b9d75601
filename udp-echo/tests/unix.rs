//! `-U PATH`: Unix datagram sockets. The receiver answers each sender at
//! the path it bound; our sender binds one of its own in the temporary
//! folder and removes it; a sender bound to nothing cannot be answered and
//! is told once. Unix only: on Windows `-U` is one line and exit 2.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

fn udp_echo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_udp-echo"))
}

#[cfg(windows)]
#[test]
fn not_supported_on_windows() {
    let mut cmd = udp_echo();
    cmd.args(["-U", "x.sock"]);
    let out = harness::run(cmd, Some(b""), LIMIT);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (Some(2), "udp-echo: -U: Unix sockets are not supported on this system\n")
    );
}

#[cfg(unix)]
mod unix {
    use super::*;
    use std::os::unix::net::UnixDatagram;
    use std::process::Stdio;

    use harness::{Capture, Running, TempDir};

    fn receiver(args: &[&str], path: &std::path::Path) -> Running {
        let mut cmd = udp_echo();
        cmd.args(["-v", "-l"]).args(args).arg("-U").arg(path).stdin(Stdio::null());
        let run = harness::start(cmd, Capture::Stderr);
        let want = format!("udp-echo: listening on {}", path.display());
        run.stderr.as_ref().unwrap().wait_for(LIMIT, |l| (l == want).then_some(()));
        run
    }

    /// Files a sender with this process id left in the temporary folder.
    fn left_behind(pid: u32) -> Vec<String> {
        let prefix = format!("udp-echo-{pid}-");
        std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .filter(|n| n.starts_with(&prefix))
            .collect()
    }

    #[test]
    fn echo_answers_our_sender_which_cleans_up() {
        let dir = TempDir::new("udp-unix-echo");
        let path = dir.join("echo.sock");
        let _echo = receiver(&["--echo"], &path);
        let mut child = udp_echo()
            .args(["-w", "300ms", "-U"])
            .arg(&path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        let mut stdin = child.stdin.take().unwrap();
        let (out_thread, err_thread) = {
            let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
            (
                std::thread::spawn(move || {
                    let mut v = Vec::new();
                    std::io::Read::read_to_end(&mut out, &mut v).unwrap();
                    v
                }),
                std::thread::spawn(move || {
                    let mut v = String::new();
                    std::io::Read::read_to_string(&mut err, &mut v).unwrap();
                    v
                }),
            )
        };
        let big = harness::pseudo_random(9, 60_000);
        let mut input = b"one\n".to_vec();
        input.extend(big.iter().map(|b| if *b == b'\n' { b' ' } else { *b }));
        input.push(b'\n');
        std::io::Write::write_all(&mut stdin, &input).unwrap();
        drop(stdin);
        assert!(harness::wait_timeout(&mut child, LIMIT).success(), "{}", err_thread.join().unwrap());
        assert!(out_thread.join().unwrap() == input, "a 60,000-byte datagram came back whole");
        assert_eq!(left_behind(pid), Vec::<String>::new(), "the sender removed its own socket file");
    }

    #[test]
    fn receiver_prints_and_names_an_unbound_sender_once() {
        let dir = TempDir::new("udp-unix-recv");
        let path = dir.join("r.sock");
        let mut run = receiver(&["--count", "3"], &path);
        let mut stdout = run.raw_stdout.take().unwrap();
        let unbound = UnixDatagram::unbound().unwrap();
        for d in [&b"first\n"[..], b"", b"third\n"] {
            unbound.send_to(d, &path).unwrap();
        }
        assert!(run.wait_exit(LIMIT).success());
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut got).unwrap();
        assert_eq!(got, b"first\nthird\n");
        let lines = run.stderr.as_ref().unwrap().until_end(LIMIT);
        let told: Vec<String> = lines.into_iter().filter(|l| l.contains("cannot be answered")).collect();
        assert_eq!(
            told,
            ["udp-echo: a datagram came from an unbound socket, which cannot be answered (socat: add bind=PATH)"]
        );
    }

    #[test]
    fn no_one_listening_and_a_live_receiver_kept() {
        let dir = TempDir::new("udp-unix-none");
        let path = dir.join("none.sock");
        let mut cmd = udp_echo();
        cmd.arg("-U").arg(&path);
        let out = harness::run(cmd, Some(b"hello?\n"), LIMIT);
        assert_eq!((out.code, out.stderr), (Some(1), format!("udp-echo: no one is listening on {}\n", path.display())));
        // A file left by a receiver that died is taken over; a live one is not.
        drop(UnixDatagram::bind(&path).unwrap());
        let _live = receiver(&[], &path);
        let mut cmd = udp_echo();
        cmd.arg("-lU").arg(&path);
        let out = harness::run(cmd, None, LIMIT);
        let line = format!("udp-echo: cannot listen on {}: a live listener is already there\n", path.display());
        assert_eq!((out.code, out.stderr), (Some(1), line));
    }

    /// Linux's abstract names: no file, answered the same way.
    #[cfg(target_os = "linux")]
    #[test]
    fn abstract_names() {
        let name = format!("@netkit-udp-test-{}", std::process::id());
        let mut cmd = udp_echo();
        cmd.args(["-v", "-l", "--echo", "-U", &name]).stdin(Stdio::null());
        let run = harness::start(cmd, Capture::Stderr);
        let want = format!("udp-echo: listening on {name}");
        run.stderr.as_ref().unwrap().wait_for(LIMIT, |l| (l == want).then_some(()));
        let mut cmd = udp_echo();
        cmd.args(["-w", "300ms", "-U", &name]);
        let out = harness::run(cmd, Some(b"no file\n"), LIMIT);
        assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"no file\n"[..]), "{}", out.stderr);
    }
}
