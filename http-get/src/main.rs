//! `http-get`: see the crate docs and `http-get --help`. Parses the command
//! line, runs, prints the error once and exits with the code
//! [`http_get::error::exit_code`] chooses for it.

#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match http_get::cli::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(refused) => return ExitCode::from(refused.report()),
    };
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
