//! `http-get`: see the crate docs and `http-get --help`. Parses the command
//! line, runs, prints the error once and exits with the code
//! [`http_get::error::exit_code`] chooses for it.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = http_get::cli::Cli::parse();
    let quiet = cli.silent && !cli.show_error;
    let finished = http_get::run(cli);
    if let Err(e) = &finished.result
        && !quiet
    {
        eprintln!("http-get: {e}");
    }
    finished.print_write_out();
    ExitCode::from(finished.result.as_ref().err().map_or(0, http_get::error::exit_code))
}
