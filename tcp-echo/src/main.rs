//! `tcp-echo`: see the crate docs and `tcp-echo --help`.
//!
//! Parse, run, and on failure print the one line and exit with the status
//! [`tcp_echo::exit_code`] picks.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use tcp_echo::habits::{self, Refusal};

fn main() -> ExitCode {
    let cli = match habits::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(Refusal::Shown(text)) => {
            return match shared::io_text::stdout_text(&text) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    let e = tcp_echo::Error::WritingStdout(e);
                    eprintln!("tcp-echo: {e}");
                    ExitCode::from(tcp_echo::exit_code(&e))
                }
            };
        }
        Err(Refusal::Usage(line)) => {
            shared::io_text::stderr_line(&format!("tcp-echo: {line}"));
            return ExitCode::from(tcp_echo::error::EXIT_USAGE);
        }
    };
    match tcp_echo::run(&cli) {
        Ok(status) => ExitCode::from(status),
        Err(e) => {
            eprintln!("tcp-echo: {e}");
            ExitCode::from(tcp_echo::exit_code(&e))
        }
    }
}
