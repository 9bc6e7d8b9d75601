//! `udp-echo`: see the crate docs and `udp-echo --help`.

#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(udp_echo::main_code())
}
