//! `udp-echo`: see the crate docs and `udp-echo --help`.
//!
//! Parse, run, and on failure print the one line and exit with the status
//! [`udp_echo::exit_code`] picks.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use udp_echo::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match udp_echo::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("udp-echo: {e}");
            ExitCode::from(udp_echo::exit_code(&e))
        }
    }
}
