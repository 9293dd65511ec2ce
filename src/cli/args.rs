//! clap structs: exactly what the user can type (SPEC §4).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::llm::LlmArgs;
use crate::pipeline::SelectMethod;
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
    /// Run the S* pipeline on every problem of a set (resumable).
    Solve(Box<SolveArgs>),
    /// Judge a run's selected programs on the hidden tests; write eval.json.
    Eval(EvalArgs),
}

#[derive(Debug, Args)]
pub struct SolveArgs {
    /// The problem set directory.
    pub set: PathBuf,
    /// The run directory (re-running with the same one resumes).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub llm: LlmArgs,
    /// Samples per problem.
    #[arg(long, default_value_t = 16)]
    pub samples: usize,
    /// Debugging rounds after the first attempt.
    #[arg(long, default_value_t = 2)]
    pub rounds: usize,
    /// How to pick among the candidates.
    #[arg(long, value_enum, default_value_t = SelectMethod::Sstar)]
    pub select: SelectMethod,
    /// Select among these programs instead of generating (JSONL {"id","code"} or LiveCodeBench output JSON).
    #[arg(long, value_name = "FILE")]
    pub candidates: Option<PathBuf>,
    /// Only these problem ids (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Seed for random choices (mutations, tie-breaks, `--select random`).
    #[arg(long = "select-seed", default_value_t = 0)]
    pub select_seed: u64,
    /// Behaviour groups that enter the pairwise tournament.
    #[arg(long, default_value_t = 8)]
    pub max_groups: usize,
    /// Problems worked on at once.
    #[arg(long, default_value_t = 4)]
    pub problem_concurrency: usize,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The run directory.
    pub run: PathBuf,
    /// The problem set (default: the one recorded in run.json).
    #[arg(long)]
    pub set: Option<PathBuf>,
    /// Print eval.json to stdout instead of a table.
    #[arg(long)]
    pub json: bool,
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
