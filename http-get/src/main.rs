//! `http-get`: see the crate docs and `http-get --help`.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(http_get::main_code())
}
