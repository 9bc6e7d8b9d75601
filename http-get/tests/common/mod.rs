//! Running the real http-get binary against in-process servers.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

#[allow(unused_imports)]
pub use harness::scripted::{Script, Scripted, reply, reply_and_hold, reply_and_reset, response};
#[allow(unused_imports)]
pub use harness::{Finished, TempDir};

/// How long any one run may take before the test fails as a hang.
pub const HANG: Duration = Duration::from_secs(30);

/// Runs http-get with `args` in the current directory.
pub fn http_get(args: &[&str]) -> Finished {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_http-get"));
    cmd.args(args);
    harness::run(cmd, None, HANG)
}

/// Runs http-get with `args` in `dir`.
pub fn http_get_in(dir: &Path, args: &[&str]) -> Finished {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_http-get"));
    cmd.args(args).current_dir(dir);
    harness::run(cmd, None, HANG)
}

/// Runs http-get with `args`, feeding `stdin`.
pub fn http_get_stdin(args: &[&str], stdin: &[u8]) -> Finished {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_http-get"));
    cmd.args(args);
    harness::run(cmd, Some(stdin), HANG)
}
