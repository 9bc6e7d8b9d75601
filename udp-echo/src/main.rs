//! `udp-echo`: see the crate docs and `udp-echo --help`.
//!
//! Parse, run, and on failure print the one line and exit with the status
//! [`udp_echo::exit_code`] picks.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use udp_echo::habits::{self, Refusal};

fn main() -> ExitCode {
    let cli = match habits::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(Refusal::Shown(text)) => {
            return match shared::io_text::stdout_text(&text) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    let e = udp_echo::Error::WritingStdout(e);
                    eprintln!("udp-echo: {e}");
                    ExitCode::from(udp_echo::exit_code(&e))
                }
            };
        }
        Err(Refusal::Usage(line)) => {
            shared::io_text::stderr_line(&format!("udp-echo: {line}"));
            return ExitCode::from(udp_echo::error::EXIT_USAGE);
        }
    };
    match udp_echo::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("udp-echo: {e}");
            ExitCode::from(udp_echo::exit_code(&e))
        }
    }
}
