//! `http-serve`: see the crate docs and `http-serve --help`.

#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    match http_serve::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("http-serve: {e}");
            ExitCode::from(http_serve::exit_code(&e))
        }
    }
}
