//! clap structs: exactly what the user can type (SPEC §4).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::problem::TestSelection;

#[derive(Debug, Parser)]
#[command(
    name = "sstar",
    version,
    about = "Sample, debug and select programs the S* way"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Accepted anywhere on the line, before or after the subcommand.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// More log output (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// No progress bars.
    #[arg(long, global = true)]
    pub no_progress: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one program on a problem's tests.
    Judge(JudgeArgs),
    /// Judge every bundled solution of a set: references must be accepted, `wrong_*` must not.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct JudgeArgs {
    /// The problem directory (holding problem.toml).
    pub problem: PathBuf,
    /// The Python program to judge.
    pub program: PathBuf,
    /// Which tests to run.
    #[arg(long, value_enum, default_value_t = Tests::All)]
    pub tests: Tests,
    /// Run every test instead of stopping at the first failure.
    #[arg(long)]
    pub all_tests: bool,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The problem set directory.
    pub set: PathBuf,
    /// Which tests to run.
    #[arg(long, value_enum, default_value_t = Tests::All)]
    pub tests: Tests,
    /// Only these problem ids (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Print JSON lines instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Tests {
    Public,
    Hidden,
    All,
}

impl From<Tests> for TestSelection {
    fn from(tests: Tests) -> Self {
        match tests {
            Tests::Public => TestSelection::Public,
            Tests::Hidden => TestSelection::Hidden,
            Tests::All => TestSelection::All,
        }
    }
}
