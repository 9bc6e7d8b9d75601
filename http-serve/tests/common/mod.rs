//! Starting the real http-serve binary on port 0 in a temp folder, and
//! reading the address from its start-up line.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

#[allow(unused_imports)]
pub use harness::TempDir;
#[allow(unused_imports)]
pub use harness::http::{Conn, Response, exchange, get};
use harness::{Capture, Running};

/// A running server and the folder it serves.
pub struct Server {
    /// Where to send plain HTTP: the server, or with `--tls` a front that
    /// carries each connection to it over TLS.
    pub addr: SocketAddr,
    pub run: Running,
    /// With `--tls`: the server's own address, and the front.
    #[cfg(all(feature = "tls", not(any(target_os = "macos", target_os = "freebsd"))))]
    pub tls: Option<(SocketAddr, String, harness::tls::Front)>,
}

impl Server {
    /// Serves `dir` with `args` added, on a free loopback port. With
    /// `--tls` among them, `addr` is a TLS-terminating front, so a test
    /// written for plain HTTP runs unchanged over TLS.
    pub fn start(dir: &Path, args: &[&str]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_http-serve"));
        cmd.args(["-p", "0"]).args(args).arg(dir);
        let run = harness::start(cmd, Capture::Both);
        #[cfg(all(feature = "tls", not(any(target_os = "macos", target_os = "freebsd"))))]
        if args.contains(&"--tls") {
            let lines = run.stdout.as_ref().expect("stdout captured");
            let addr =
                lines.wait_for(harness::START_TIMEOUT, |l| harness::addr_after(&l.replacen("https://", "", 1), " at "));
            let fingerprint = lines.wait_for(harness::START_TIMEOUT, harness::tls::fingerprint_in);
            let front = harness::tls::front(addr, &fingerprint);
            return Server { addr: front.addr, run, tls: Some((addr, fingerprint, front)) };
        }
        let addr = run.addr_on_stdout(" at ");
        Server {
            addr,
            run,
            #[cfg(all(feature = "tls", not(any(target_os = "macos", target_os = "freebsd"))))]
            tls: None,
        }
    }

    /// The access log lines so far.
    pub fn log(&self) -> Vec<String> {
        self.run.stderr.as_ref().map(|l| l.all()).unwrap_or_default()
    }

    /// Waits for an access log line containing `needle`.
    pub fn wait_log(&self, needle: &str) -> String {
        let lines = self.run.stderr.as_ref().expect("stderr captured");
        lines.wait_for(std::time::Duration::from_secs(20), |l| l.contains(needle).then(|| l.to_string()))
    }
}

/// Removes the Date field's value so heads can be compared byte by byte.
pub fn without_date(head: &str) -> String {
    head.lines().map(|l| if l.starts_with("Date: ") { "Date: *" } else { l }).collect::<Vec<_>>().join("\r\n")
}

/// A request with the usual fields and any extras.
pub fn request(method: &str, path: &str, extra: &[&str]) -> Vec<u8> {
    let mut r = format!("{method} {path} HTTP/1.1\r\nHost: test\r\n");
    for e in extra {
        r.push_str(e);
        r.push_str("\r\n");
    }
    r.push_str("\r\n");
    r.into_bytes()
}
