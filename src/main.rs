//! The `sstar` command line: parse, run, map errors to exit codes.

use std::io::IsTerminal;

use sstar::cli::{parse, run};
use tracing_subscriber::EnvFilter;

fn main() {
    let cli = parse();
    let level = match (cli.global.quiet, cli.global.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        (false, _) => "trace",
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_env("SSTAR_LOG").unwrap_or_else(|_| EnvFilter::new(level)),
        )
        .without_time()
        // Colours only on a terminal: a log file or CI capture gets plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let code = match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            error.exit_code()
        }
    };
    std::process::exit(code);
}
