//! `cargo-soup`: parse, dispatch, exit code. Everything else is in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(cargo_soup::cli::run(std::env::args_os().collect()))
}
