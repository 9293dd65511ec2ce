//! What a fix run did, as `fix.json` in the run directory records it.

use serde::Serialize;
use sstar_sandbox::{Outcome, Termination};

use super::junit::Junit;
use super::locate::Location;
use super::record::{self, Baseline};
use crate::pipeline::{truncate, Comparison};
use crate::store::Totals;

/// Longest test output kept in records (head and tail).
const KEPT_OUTPUT_CHARS: usize = 20_000;

/// One run of the test command.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TestCounts {
    pub tests: u64,
    pub passed: u64,
    pub failed: u64,
    pub errors: u64,
    pub skipped: u64,
}

impl TestRun {
    /// A run of the test command as [`super::record::wrap`] ran it. `before` is the run
    /// before the change, when this one is a candidate's: then an exit 0 passes only on a
    /// record at least as good as its.
    pub(crate) fn of(outcome: &Outcome, before: Option<&TestRun>) -> Self {
        let stopped = match &outcome.termination {
            Termination::Finished
            | Termination::RuntimeError { .. }
            | Termination::CompileError { .. } => None,
            // A limit; a sandbox failure never gets here (the runner stops at it).
            ending => Some(ending.to_string()),
        };
        let stdout = String::from_utf8_lossy(&outcome.stdout);
        let (shown, xml) = record::split(&stdout);
        let junit = xml.and_then(Junit::parse);
        let mut output = shown.to_owned();
        if !outcome.stderr.is_empty() {
            // The driver's own failure (e.g. a tree it could not unpack) lands here.
            output.push_str(&String::from_utf8_lossy(&outcome.stderr));
        }
        let exited_zero = outcome.termination == Termination::Finished;
        let refused = if exited_zero {
            let baseline = match before {
                None => Baseline::Unchanged,
                Some(b) => b
                    .record
                    .as_ref()
                    .map_or(Baseline::Unknown, Baseline::Record),
            };
            record::refusal(junit.as_ref(), baseline)
        } else {
            None
        };
        Self {
            passed: exited_zero && refused.is_none(),
            exit_code: if stopped.is_some() {
                None
            } else {
                outcome.exit_code
            },
            stopped,
            tests: junit.as_ref().map(|j| TestCounts {
                tests: j.tests,
                passed: j.passed(),
                failed: j.failures,
                errors: j.errors,
                skipped: j.skipped,
            }),
            refused,
            output: truncate(&output, KEPT_OUTPUT_CHARS),
            record: junit,
        }
    }

    /// "exit code 1; 7 passed, 1 failed", or what stopped it, or why exit 0 is no pass.
    pub fn status(&self) -> String {
        let mut status = match (&self.stopped, self.exit_code) {
            (Some(why), _) => return format!("stopped: {why}"),
            (None, Some(code)) => format!("exit code {code}"),
            (None, None) => "no exit code".to_owned(),
        };
        if let Some(counts) = &self.tests {
            status.push_str(&format!("; {} passed", counts.passed));
            for (n, what) in [
                (counts.failed, "failed"),
                (counts.errors, "errors"),
                (counts.skipped, "skipped"),
            ] {
                if n > 0 {
                    status.push_str(&format!(", {n} {what}"));
                }
            }
        }
        if let Some(why) = &self.refused {
            status.push_str(&format!(", but {why}"));
        }
        status
    }
}

/// One debugging round of one sample.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// The definition the model answered; `None` when its answer held no code block.
    pub code: Option<String>,
    /// The answer itself when it held no code (for diagnosis).
    pub reply: Option<String>,
    pub test: Option<TestRun>,
}

/// One sample, through its debugging rounds.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateRecord {
    pub sample: u32,
    pub attempts: Vec<Attempt>,
    pub passed: bool,
}

/// Candidates that behave alike on every distinguishing input.
#[derive(Debug, Clone, Serialize)]
pub struct GroupRecord {
    /// Indices into `survivors`.
    pub members: Vec<usize>,
    /// Lines its smallest change adds and removes.
    pub change_lines: usize,
    /// What it did on each kept input, as shown to the judge.
    pub results: Vec<String>,
}

/// A surviving (test-passing, distinct) fix.
#[derive(Debug, Clone, Serialize)]
pub struct Survivor {
    /// The sample it came from.
    pub sample: u32,
    pub code: String,
    pub change_lines: usize,
}

/// How a fix run ended, `fix.json`'s `outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FixEnd {
    /// The test command passes as the repository is: nothing was sampled.
    NothingToFix,
    /// No candidate made the command pass.
    NoFix,
    /// A fix was chosen: `diff` is the change.
    Proposed,
}

/// Everything `sstar fix` did, written to `<run>/fix.json`: one shape however it ended.
#[derive(Debug, Clone, Serialize)]
pub struct FixReport {
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
