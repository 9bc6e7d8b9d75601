//! The start-up lines: every URL printed is one the server answers at, and
//! every address of every interface that is up and running is printed;
//! the QR code on a terminal; Python's habits (`http-serve 9000`, `-d`).
//!
//! The network cases run in network namespaces the test makes itself
//! (Linux, as root): interfaces with documentation addresses, one of them
//! without carrier, so what is printed can be checked against what exists
//! and fetched with curl from inside. Where a namespace cannot be made the
//! test says so in one line and checks this machine's own interfaces.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::process::Command;
use std::time::Duration;

use common::*;
use harness::Capture;

fn http_serve(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_http-serve")).args(args).output().unwrap()
}

/// The addresses a browser elsewhere can use, by the interfaces' own
/// account: up, running, not loopback, not IPv6 link-local.
fn lan_addresses(v4: bool, v6: bool) -> BTreeSet<IpAddr> {
    let mut out = BTreeSet::new();
    for i in shared::sys::interfaces::interfaces().unwrap() {
        if !(i.up && i.running && !i.loopback) {
            continue;
        }
        for a in i.addrs {
            let keep = match a {
                IpAddr::V4(_) => v4,
                IpAddr::V6(v) => v6 && (v.segments()[0] & 0xffc0) != 0xfe80,
            };
            if keep && !a.is_loopback() {
                out.insert(a);
            }
        }
    }
    out
}

/// The addresses in the `also at` lines, once every expected one is seen.
fn printed(s: &harness::Running, expect: usize) -> Vec<String> {
    let lines = s.stdout.as_ref().unwrap();
    let mut count = 0;
    lines.wait_for(Duration::from_secs(20), |_| {
        count += 1;
        (count > expect).then_some(())
    });
    lines.all()
}

fn url_ip(line: &str) -> Option<IpAddr> {
    let url = line.split("http://").nth(1)?;
    let host = url.rsplit_once(':')?.0;
    host.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

#[test]
fn lan_lists_loopback_and_every_running_interface_of_this_machine() {
    let dir = TempDir::new("lan");
    for (flag, v4, v6) in [(&["--lan"][..], true, true), (&["-b", "0.0.0.0"], true, false), (&["-b", "::"], true, true)]
    {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_http-serve"));
        cmd.args(["-p", "0"]).args(flag).arg(dir.path());
        let run = harness::start(cmd, Capture::Both);
        let first = run.addr_on_stdout(" at ");
        assert!(first.ip().is_loopback(), "{first}");
        let want = lan_addresses(v4, v6);
        // Loopback, plus 127.0.0.1 beside [::1] on a dual-stack socket.
        let loopbacks = if v6 { 2 } else { 1 };
        let lines = printed(&run, loopbacks + want.len() - 1);
        let got: BTreeSet<IpAddr> = lines.iter().filter_map(|l| url_ip(l)).filter(|a| !a.is_loopback()).collect();
        assert_eq!(got, want, "{flag:?}: {lines:?}");
        assert!(!lines.iter().any(|l| l.contains("(all interfaces)")), "{lines:?}");
        // Loopback is answered at every loopback URL printed.
        for l in lines.iter().filter(|l| url_ip(l).is_some_and(|a| a.is_loopback())) {
            let ip = url_ip(l).unwrap();
            let r = get(std::net::SocketAddr::new(ip, first.port()), "/");
            assert_eq!(r.status, 200, "{l}");
        }
    }
}

#[test]
fn a_port_where_the_folder_goes_says_what_to_type() {
    let out = http_serve(&["9000"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "http-serve: 9000 is not a folder; to serve . on port 9000 use -p 9000\n"
    );
    assert!(out.stdout.is_empty());
    // -d/--directory, as Python's server takes it.
    let dir = TempDir::new("dash-d");
    std::fs::write(dir.join("x.txt"), "from -d").unwrap();
    for flag in ["-d", "--directory"] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_http-serve"));
        cmd.args(["-p", "0", flag]).arg(dir.path());
        let run = harness::start(cmd, Capture::Both);
        let addr = run.addr_on_stdout(" at ");
        assert_eq!(get(addr, "/x.txt").text(), "from -d");
    }
    let out = http_serve(&["-d", "a", "b"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn qr_off_a_terminal_says_why_in_one_line() {
    let dir = TempDir::new("qr-pipe");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_http-serve"));
    cmd.args(["-p", "0", "--qr", "--lan"]).arg(dir.path());
    let run = harness::start(cmd, Capture::Both);
    run.addr_on_stdout(" at ");
    let err = run.stderr.as_ref().unwrap();
    err.wait_for(Duration::from_secs(20), |l| {
        (l == "http-serve: --qr: stdout is not a terminal, so no QR code is drawn").then_some(())
    });
    assert!(!run.stdout.as_ref().unwrap().all().iter().any(|l| l.contains('\u{2580}')));
}

#[cfg(target_os = "linux")]
mod netns {
    use super::*;
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::process::Stdio;

    /// Two namespaces joined by veth pairs, removed on drop: in `inner`,
    /// `v0` (198.51.100.7, 2001:db8:15::7) whose peer is up, and `v2`
    /// (203.0.113.9) whose peer is down, so it has no carrier.
    struct Net {
        inner: String,
        outer: String,
    }

    impl Net {
        fn make() -> Option<Net> {
            let id = std::process::id();
            let net = Net { inner: format!("nk15-in-{id}"), outer: format!("nk15-out-{id}") };
            let (i, o) = (net.inner.as_str(), net.outer.as_str());
            let steps: &[&[&str]] = &[
                &["netns", "add", i],
                &["netns", "add", o],
                &["-n", i, "link", "set", "lo", "up"],
                &["-n", i, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", o],
                &["-n", i, "link", "add", "v2", "type", "veth", "peer", "name", "v3", "netns", o],
                &["-n", i, "addr", "add", "198.51.100.7/24", "dev", "v0"],
                &["-n", i, "addr", "add", "2001:db8:15::7/64", "dev", "v0", "nodad"],
                &["-n", i, "addr", "add", "203.0.113.9/24", "dev", "v2"],
                &["-n", i, "link", "set", "v0", "up"],
                &["-n", o, "link", "set", "v1", "up"],
                &["-n", i, "link", "set", "v2", "up"],
            ];
            for step in steps {
                let ok = Command::new("ip").args(*step).stdout(Stdio::null()).stderr(Stdio::null()).status();
                if !ok.is_ok_and(|s| s.success()) {
                    eprintln!("skipped: cannot make a network namespace (ip {})", step.join(" "));
                    return None;
                }
            }
            Some(net)
        }

        fn exec(&self, program: &str) -> Command {
            let mut cmd = Command::new("ip");
            cmd.args(["netns", "exec", &self.inner, program]);
            cmd
        }
    }

    impl Drop for Net {
        fn drop(&mut self) {
            for ns in [&self.inner, &self.outer] {
                let _ = Command::new("ip").args(["netns", "del", ns]).status();
            }
        }
    }

    #[test]
    fn lan_prints_exactly_the_namespace_addresses_and_each_answers() {
        let Some(net) = Net::make() else { return };
        let dir = TempDir::new("netns-lan");
        std::fs::write(dir.join("hello.txt"), "hello from the namespace").unwrap();
        let mut cmd = net.exec(env!("CARGO_BIN_EXE_http-serve"));
        cmd.args(["--lan", "-p", "0"]).arg(dir.path());
        let run = harness::start(cmd, Capture::Both);
        let first = run.addr_on_stdout(" at ");
        let port = first.port();
        let lines = printed(&run, 3);
        let root = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(
            lines,
            vec![
                format!("Serving {} at http://[::1]:{port}/", shared::io_text::path(&root)),
                format!("  also at http://127.0.0.1:{port}/"),
                format!("  also at http://198.51.100.7:{port}/ (v0)"),
                format!("  also at http://[2001:db8:15::7]:{port}/ (v0)"),
            ]
        );
        // Every URL printed answers, fetched from inside the namespace.
        if !harness::peer("curl") {
            return;
        }
        for line in &lines {
            let url = format!("{}hello.txt", line.split(" at ").nth(1).unwrap().split(' ').next().unwrap());
            let mut curl = net.exec("curl");
            curl.args(["-s", "--max-time", "10", &url]);
            let out = harness::run(curl, None, Duration::from_secs(30));
            assert_eq!(String::from_utf8_lossy(&out.stdout), "hello from the namespace", "{url}");
        }
    }

    #[test]
    fn qr_on_a_terminal_shows_the_first_network_url_in_black_on_white() {
        let Some(net) = Net::make() else { return };
        let dir = TempDir::new("netns-qr");
        let (mut master, slave) = pty();
        let _ = &mut master;
        let mut cmd = net.exec(env!("CARGO_BIN_EXE_http-serve"));
        cmd.args(["--lan", "--qr", "-p", "0"]).arg(dir.path()).stdout(Stdio::from(slave)).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        // The slave's last copy goes with the command, so the master reads
        // an end once the child is gone.
        drop(cmd);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = master.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let mut seen = Vec::new();
        while !(String::from_utf8_lossy(&seen).contains("(scan for ") && seen.ends_with(b"\n")) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(bytes) => seen.extend_from_slice(&bytes),
                Err(_) => break,
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        let text = String::from_utf8_lossy(&seen).replace("\r\n", "\n");
        assert!(text.contains("  also at http://198.51.100.7:"), "{text}");
        let scan = text.lines().find(|l| l.starts_with("  (scan for ")).unwrap();
        assert!(scan.starts_with("  (scan for http://198.51.100.7:"), "{scan}");
        let rows: Vec<&str> = text.lines().filter(|l| l.contains('\u{2580}')).collect();
        // A version 2 code for this URL: 25 modules and 8 of quiet zone,
        // two to a line.
        assert!(rows.len() >= 16, "{}", rows.len());
        for row in &rows {
            assert!(row.starts_with("\x1b[38;5;231;48;5;231m\u{2580}"), "quiet zone is white: {row:?}");
            assert!(row.ends_with("\x1b[0m"), "colours reset: {row:?}");
            assert!(!row.contains("\x1b[3") || !row.contains("\x1b[39m"), "no theme colours");
        }
        assert!(rows.iter().any(|r| r.contains("\x1b[38;5;16;")), "dark modules are black");
    }

    /// A pseudo-terminal: the master to read, the slave for the child.
    fn pty() -> (std::fs::File, OwnedFd) {
        let (mut m, mut s) = (0, 0);
        // SAFETY: openpty writes two new descriptors into the ints we own.
        let rc =
            unsafe { libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut()) };
        assert_eq!(rc, 0, "openpty");
        // SAFETY: both descriptors are new and owned by nobody else.
        unsafe { (std::fs::File::from_raw_fd(m), OwnedFd::from_raw_fd(s)) }
    }
}
