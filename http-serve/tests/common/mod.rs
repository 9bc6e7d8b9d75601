//! Starting the real http-serve binary on port 0 in a temp folder, and
//! reading the address from its start-up line.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

pub use harness::TempDir;
#[allow(unused_imports)]
pub use harness::http::{Conn, Response, exchange, get};
use harness::{Capture, Running};

/// A running server and the folder it serves.
pub struct Server {
    pub addr: SocketAddr,
    pub run: Running,
}

impl Server {
    /// Serves `dir` with `args` added, on a free loopback port.
    pub fn start(dir: &Path, args: &[&str]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_http-serve"));
        cmd.args(["-p", "0"]).args(args).arg(dir);
        let run = harness::start(cmd, Capture::Both);
        let addr = run.addr_on_stdout(" at ");
        Server { addr, run }
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
