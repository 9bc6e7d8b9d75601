//! `http-get`: see the crate docs and `http-get --help`. Parses the command
//! line and runs it; the run prints each error once and gives the exit code
//! [`http_get::error::exit_code`] chose.

#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match http_get::cli::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(refused) => return ExitCode::from(refused.report()),
    };
    ExitCode::from(http_get::run(cli))
}
