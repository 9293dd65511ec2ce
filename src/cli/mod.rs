//! The command line: what the user typed (clap), turned into calls on the library.

mod args;
mod eval_cmd;
mod fix_cmd;
mod import_cmd;
mod judge_cmd;
mod merge_cmd;
mod model_args;
mod output;
mod packages_cmd;
mod report_cmd;
mod solve_cmd;
mod verify_cmd;

pub use args::{Cli, Command};

use crate::error::{Error, EXIT_ERROR};

/// The command line of this process; on a usage error (or `--help`, `--version`) prints
/// clap's message and exits: 2 for an error, 0 for help.
pub fn parse() -> Cli {
    use clap::Parser;
    match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { EXIT_ERROR } else { 0 });
        }
    }
}

/// Runs one parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32, Error> {
    let output = output::Output::new(&cli.global);
    match cli.command {
        Command::Judge(args) => judge_cmd::run(args, &output),
        Command::Verify(args) => verify_cmd::run(args, &output),
        Command::Solve(args) => solve_cmd::run(*args, &output),
        Command::Eval(args) => eval_cmd::run(args, &output),
        Command::Merge(args) => merge_cmd::run(args, &output),
        Command::Import(args) => import_cmd::run(args, &output),
        Command::Fix(args) => fix_cmd::run(*args, &output),
        Command::Report(args) => report_cmd::run(args, &output),
        Command::Packages(command) => packages_cmd::run(command, &output),
    }
}
