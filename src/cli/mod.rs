//! The command line: what the user typed (clap), turned into calls on the library.

mod args;
mod eval_cmd;
mod fix_cmd;
mod import_cmd;
mod judge_cmd;
mod merge_cmd;
mod output;
mod report_cmd;
mod solve_cmd;
mod verify_cmd;

pub use args::{Cli, Command};

use crate::error::Error;

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
    }
}
