//! `fix.json`: everything `sstar fix` did, one shape however it ended.

use serde::{Deserialize, Serialize};

use super::format::Format;

use super::ledger::Totals;
use super::selection::Comparison;
use crate::fix::{Junit, Location};

/// One run of the test command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestRun {
    /// Exit 0, and (see `refused`) a record that shows the tests ran and passed.
    pub passed: bool,
    /// The command's exit status; `None` when the sandbox stopped it (see `stopped`).
    pub exit_code: Option<i32>,
    /// How the sandbox stopped it (`time limit exceeded: CPU time`, `memory limit exceeded`,
    /// ...), if it did.
    pub stopped: Option<String>,
    /// What the command's own record (pytest's JUnit XML report) counted; `None` without one.
    pub tests: Option<TestCounts>,
    /// Why an exit 0 is not a pass (no record, failures on record, fewer tests passed than
    /// ran before the change).
    pub refused: Option<String>,
    /// stdout and stderr, merged, head and tail kept (the record itself left out).
    pub output: String,
    /// The record's test cases, to compare a candidate's run with the run before it.
    #[serde(skip)]
    pub(crate) record: Option<Junit>,
}

/// The counts of a test record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestCounts {
    pub tests: u64,
    pub passed: u64,
    pub failed: u64,
    pub errors: u64,
    pub skipped: u64,
}

/// One debugging round of one sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// The definition the model answered; `None` when its answer held no code block.
    pub code: Option<String>,
    /// The answer itself when it held no code (for diagnosis).
    pub reply: Option<String>,
    pub test: Option<TestRun>,
}

/// One sample, through its debugging rounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateRecord {
    pub sample: u32,
    pub attempts: Vec<Attempt>,
    pub passed: bool,
}

/// Candidates that behave alike on every distinguishing input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRecord {
    /// Indices into `survivors`.
    pub members: Vec<usize>,
    /// Lines its smallest change adds and removes.
    pub change_lines: usize,
    /// What it did on each kept input, as shown to the judge.
    pub results: Vec<String>,
}

/// A surviving (test-passing, distinct) fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Survivor {
    /// The sample it came from.
    pub sample: u32,
    pub code: String,
    pub change_lines: usize,
}

/// How a fix run ended, `fix.json`'s `outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FixEnd {
    /// The test command passes as the repository is: nothing was sampled.
    NothingToFix,
    /// No candidate made the command pass.
    NoFix,
    /// A fix was chosen: `diff` is the change.
    Proposed,
}

/// `fix.json`'s current format. 1: before the field; 2: adds `format`.
pub const FIX_FORMAT: u32 = 2;

/// Everything `sstar fix` did, written to `<run>/fix.json`: one shape however it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixReport {
    #[serde(default = "Format::unrecorded")]
    pub format: Format<FIX_FORMAT>,
    pub outcome: FixEnd,
    pub test: String,
    pub file: String,
    pub function: String,
    pub location: Option<Location>,
    pub before: TestRun,
    pub candidates: Vec<CandidateRecord>,
    pub survivors: Vec<Survivor>,
    /// Distinguishing inputs kept (JSON lists of arguments).
    pub inputs: Vec<String>,
    pub groups: Vec<GroupRecord>,
    /// Group pairs judged (indices into `groups`; `input` into `inputs`).
    pub comparisons: Vec<Comparison>,
    /// Index into `survivors`.
    pub chosen: Option<usize>,
    pub why: String,
    pub after: Option<TestRun>,
    pub diff: Option<String>,
    pub model: Option<Totals>,
    /// Sandbox runs made (cached ones excluded).
    pub executions: u64,
}
