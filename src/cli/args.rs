//! clap structs: exactly what the user can type (docs/cli.md).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::program::{Language, LanguageChoice};

use super::model_args::LlmArgs;
use crate::config::{SandboxChoice, ENV_SANDBOX};
use crate::error::Error;
use crate::pipeline::SelectMethod;
use crate::problem::TestSelection;
use crate::schema::Shard;
use sstar_sandbox::Backend;

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
    /// Merge shard runs (`solve --shard K/N`) into one run directory.
    Merge(MergeArgs),
    /// Write problems from another benchmark's file (JSON lines, optionally .gz) into a set.
    Import(ImportArgs),
    /// Propose a fix for a failing test of a Python repository, as a unified diff.
    Fix(Box<FixArgs>),
    /// Write one self-contained HTML page for a run (reads only the run directory).
    Report(ReportArgs),
    /// The packages a judge can offer programs beyond the standard library: list, install.
    #[command(subcommand)]
    Packages(PackagesCommand),
}

#[derive(Debug, Subcommand)]
pub enum PackagesCommand {
    /// Each package of the pinned set: version, whether it is installed, where.
    List,
    /// Install packages of the pinned set from PyPI (versions and wheel hashes pinned) into
    /// sstar's cache, for the interpreter the process sandbox runs [default: all of them].
    Install {
        /// Package names.
        names: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The run directory.
    pub run: PathBuf,
    /// Where to write the page [default: RUN/report.html].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// The repository (never written: the tests run on a copy, in the sandbox).
    pub repo: PathBuf,
    /// The test command, run by /bin/sh in the copy's root, e.g. "python3 -m pytest -q".
    #[arg(long, value_name = "CMD")]
    pub test: String,
    /// The file holding the function, relative to REPO's root.
    #[arg(long, value_name = "PATH")]
    pub file: PathBuf,
    /// The top-level function to fix.
    #[arg(long, value_name = "NAME")]
    pub function: String,
    /// Candidate fixes sampled.
    #[arg(long, default_value_t = 8)]
    pub samples: usize,
    /// Debugging rounds after the first attempt.
    #[arg(long, default_value_t = 2)]
    pub rounds: usize,
    #[command(flatten)]
    pub llm: LlmArgs,
    /// Also write the patch here.
    #[arg(long, value_name = "PATCH")]
    pub out: Option<PathBuf>,
    /// Write a Markdown pull-request comment here.
    #[arg(long, value_name = "FILE")]
    pub comment: Option<PathBuf>,
    /// Where the run is recorded and cached (re-running with it resumes); it must be yours
    /// alone [default: under ~/.cache/sstar/fix, named after REPO, CMD, PATH and NAME].
    #[arg(long, value_name = "DIR")]
    pub run_dir: Option<PathBuf>,
    /// Seed for the last tie-break between equally good fixes.
    #[arg(long = "select-seed", default_value_t = 0)]
    pub select_seed: u64,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The benchmark's format.
    #[arg(value_enum)]
    pub format: ImportFormat,
    /// The benchmark file (JSON lines, gzip-compressed or not, or one JSON array).
    pub input: PathBuf,
    /// The problem set directory to write into (created if absent; re-imported problems are
    /// replaced).
    pub set: PathBuf,
    /// Keep problems whose contest_date is on or after YYYY-MM-DD (livecodebench).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: Option<String>,
    /// Keep problems whose contest_date is on or before YYYY-MM-DD (livecodebench).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub until: Option<String>,
    /// Keep only these platforms, comma-separated (livecodebench: leetcode, atcoder, codeforces).
    #[arg(long, value_delimiter = ',')]
    pub platform: Vec<String>,
    /// Read at most this many rows.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Most reference programs (and, separately, wrong_* programs) kept per problem.
    #[arg(long, default_value_t = 3)]
    pub max_solutions: usize,
    /// Time limit for every imported problem, overriding the benchmark's.
    #[arg(long)]
    pub time_limit_ms: Option<u64>,
    /// Where reference solutions run (apps, humaneval and mbpp compute expected values).
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportFormat {
    Livecodebench,
    Codecontests,
    Apps,
    Humaneval,
    Mbpp,
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
    #[command(flatten)]
    pub sandbox: SandboxArgs,
    /// Samples per problem (the fixed N; with --adaptive, the most taken).
    #[arg(long, default_value_t = 16)]
    pub samples: usize,
    /// Take samples (or the given candidates, in the file's order) in waves of 4 until one
    /// behaviour group leads clearly.
    #[arg(long)]
    pub adaptive: bool,
    /// The most samples per problem (default: --samples, or every given candidate); implies
    /// --adaptive.
    #[arg(long, value_name = "N")]
    pub max_samples: Option<usize>,
    /// Dollars the model may cost per problem (needs prices: --input-price or --price-file).
    #[arg(long, value_name = "USD")]
    pub budget_usd: Option<f64>,
    /// Tokens (prompt and completion) the model may spend per problem.
    #[arg(long, value_name = "N")]
    pub budget_tokens: Option<u64>,
    /// Dollars the model may cost over the whole run, shared among its problems.
    #[arg(long, value_name = "USD")]
    pub run_budget_usd: Option<f64>,
    /// Tokens the model may spend over the whole run, shared among its problems.
    #[arg(long, value_name = "N")]
    pub run_budget_tokens: Option<u64>,
    /// Debugging rounds after the first attempt.
    #[arg(long, default_value_t = 2)]
    pub rounds: usize,
    /// How to pick among the candidates.
    #[arg(long, value_enum, default_value_t = SelectMethod::Sstar)]
    pub select: SelectMethod,
    /// Select among these programs instead of generating (JSONL {"id","code"} or LiveCodeBench
    /// output JSON).
    #[arg(long, value_name = "FILE")]
    pub candidates: Option<PathBuf>,
    /// Extra inputs for selection, JSONL {"id", "input", "output"?}. An output is never
    /// trusted as a test: it only ranks behaviour groups when no model judges.
    #[arg(long, value_name = "FILE")]
    pub inputs: Option<PathBuf>,
    /// Only these problem ids (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Seed for random choices (mutations, tie-breaks, `--select random`).
    #[arg(long = "select-seed", default_value_t = 0)]
    pub select_seed: u64,
    /// The language the prompts ask the model to write (`any`: the model chooses). Function
    /// problems are always answered in Python. C++ needs `--sandbox process`.
    #[arg(long, value_enum, default_value_t = LanguageChoice::Python)]
    pub language: LanguageChoice,
    /// Behaviour groups that enter the pairwise tournament.
    #[arg(long, default_value_t = 8)]
    pub max_groups: usize,
    /// Problems worked on at once.
    #[arg(long, default_value_t = 4)]
    pub problem_concurrency: usize,
    /// Solve only shard K of N (1-based): a deterministic split of the set by sorted id.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    let (k, n) = text.split_once('/').ok_or("expected K/N, e.g. 1/4")?;
    let (index, count): (usize, usize) = (
        k.trim().parse().map_err(|_| "K is not a number")?,
        n.trim().parse().map_err(|_| "N is not a number")?,
    );
    if index == 0 || index > count {
        return Err(format!("shard {index}/{count}: K must be between 1 and N"));
    }
    Ok(Shard { index, count })
}

/// `value` of `flag`, or a usage error when it is below `min` (`why` says why, if not obvious).
pub(super) fn at_least(flag: &str, value: usize, min: usize, why: &str) -> Result<usize, Error> {
    if value < min {
        return Err(Error::Usage(format!(
            "{flag} must be at least {min}{why}, got {value}"
        )));
    }
    Ok(value)
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard run directories.
    #[arg(required = true)]
    pub runs: Vec<PathBuf>,
    /// The merged run directory (new).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The run directory.
    pub run: PathBuf,
    /// The problem set (default: the one recorded in run.json).
    #[arg(long)]
    pub set: Option<PathBuf>,
    /// Compare with another run (its eval.json, or evaluated now): paired difference of pass@1.
    #[arg(long, value_name = "RUN_B")]
    pub against: Option<PathBuf>,
    /// Print eval.json to stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

#[derive(Debug, Args)]
pub struct JudgeArgs {
    /// The problem directory (holding problem.toml).
    pub problem: PathBuf,
    /// The program to judge: Python, or C++ (`.cpp`, `.cc`, `.cxx`).
    pub program: PathBuf,
    /// The program's language (default: from the file's extension, else from its text).
    #[arg(long, value_parser = parse_language, value_name = "python|cpp")]
    pub language: Option<Language>,
    /// Which tests to run.
    #[arg(long, value_enum, default_value_t = Tests::All)]
    pub tests: Tests,
    /// Run every test instead of stopping at the first failure.
    #[arg(long)]
    pub all_tests: bool,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
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
    #[command(flatten)]
    pub sandbox: SandboxArgs,
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

/// Where candidate programs run (every command that runs programs takes these).
#[derive(Debug, Args, Clone, Default)]
pub struct SandboxArgs {
    /// The sandbox backend: `process` (warm, namespaced CPython workers) or `wasm` (CPython
    /// for WASI on wasmtime: no host kernel access; needs a `--features wasm` build).
    /// Default: $SSTAR_SANDBOX, else `process`.
    #[arg(long = "sandbox", value_enum, value_name = "BACKEND")]
    pub backend: Option<SandboxBackend>,
    /// The CPython WASI module for `--sandbox wasm` (default: $SSTAR_WASM_PYTHON, else where
    /// `scripts/setup-wasm` installs it).
    #[arg(long, value_name = "FILE")]
    pub wasm_python: Option<PathBuf>,
    /// Flags C++ programs are compiled with, space-separated [default: $SSTAR_CXXFLAGS, else
    /// `-std=gnu++17 -O2 -pipe`].
    #[arg(long, value_name = "FLAGS", allow_hyphen_values = true)]
    pub cxx_flags: Option<String>,
}

/// `--sandbox`'s values, the sandbox crate's [`Backend`]s.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SandboxBackend {
    Process,
    Wasm,
}

impl SandboxArgs {
    /// The flags, falling back to `$SSTAR_SANDBOX`; `recorded` (a run's own backend) comes
    /// before the environment, so `eval` grades where `solve` ran unless told otherwise.
    pub fn choice(&self, recorded: Option<Backend>) -> Result<SandboxChoice, Error> {
        let backend = match (self.backend, recorded) {
            (Some(SandboxBackend::Process), _) => Backend::Process,
            (Some(SandboxBackend::Wasm), _) => Backend::Wasm,
            (None, Some(recorded)) => recorded,
            (None, None) => SandboxChoice::from_env()?.backend,
        };
        if self.wasm_python.is_some() && backend != Backend::Wasm {
            return Err(Error::Usage(format!(
                "--wasm-python is for --sandbox wasm (the backend here is `{backend}`; see also {ENV_SANDBOX})"
            )));
        }
        Ok(SandboxChoice {
            backend,
            wasm_python: self.wasm_python.clone(),
            cxx_flags: self
                .cxx_flags
                .as_deref()
                .map(|flags| flags.split_whitespace().map(str::to_owned).collect())
                .or_else(crate::config::cxx_flags_from_env),
        })
    }
}

/// `--language`'s value: a language's name (`python`, `cpp`, or another spelling of one).
fn parse_language(name: &str) -> Result<Language, String> {
    Language::parse(name)
        .ok_or_else(|| format!("`{name}` is not a language sstar runs (python or cpp)"))
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use crate::pipeline::SelectMethod;

    #[test]
    fn one_spelling_on_the_command_line_in_json_and_in_results() {
        for &method in SelectMethod::value_variants() {
            let flag = method.to_possible_value().expect("visible");
            assert_eq!(flag.get_name(), method.name());
            assert_eq!(
                serde_json::to_value(method).expect("serialises"),
                method.name()
            );
        }
    }
}
