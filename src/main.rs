//! The `wsgauntlet` binary: parse the command line, run it, map the outcome
//! to an exit code (0 ok, 1 deviation found, 2 the tool could not do its job).
#![forbid(unsafe_code)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;

use wsgauntlet::cli;

fn main() -> ExitCode {
    cli::install_panic_hook();
    let args = match cli::parse(std::env::args_os()) {
        Ok(args) => args,
        Err(code) => return code,
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| cli::run(args, &mut std::io::stdout())));
    match outcome {
        Ok(Ok(code)) => code,
        Ok(Err(err)) => {
            eprintln!("{}", cli::error_line(&err));
            ExitCode::from(cli::EXIT_ERROR)
        }
        // The panic hook has printed the one-line error.
        Err(_) => ExitCode::from(cli::EXIT_ERROR),
    }
}
