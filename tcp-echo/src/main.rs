//! `tcp-echo`: see the crate docs and `tcp-echo --help`.
//!
//! Parse, run, and on failure print the one line and exit with the status
//! [`tcp_echo::exit_code`] picks.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use tcp_echo::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match tcp_echo::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tcp-echo: {e}");
            ExitCode::from(tcp_echo::exit_code(&e))
        }
    }
}
