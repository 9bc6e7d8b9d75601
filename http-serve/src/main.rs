//! `http-serve`: see the crate docs and `http-serve --help`.

use std::process::ExitCode;

fn main() -> ExitCode {
    match http_serve::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("http-serve: {e:#}");
            ExitCode::from(1)
        }
    }
}
