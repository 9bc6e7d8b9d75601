//! `tcp-echo`: see the crate docs and `tcp-echo --help`.

#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(tcp_echo::main_code())
}
