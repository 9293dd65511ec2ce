//! What a fix run did, as `fix.json` in the run directory records it.

use serde::Serialize;
use sstar_sandbox::{Outcome, Termination};

use super::locate::Location;
use crate::llm::Totals;
use crate::pipeline::{truncate, Comparison};

/// Longest test output kept in records (head and tail).
const KEPT_OUTPUT_CHARS: usize = 20_000;

/// One run of the test command.
#[derive(Debug, Clone, Serialize)]
pub struct TestRun {
    pub passed: bool,
    /// The command's exit status; `None` when the sandbox stopped it (see `stopped`).
    pub exit_code: Option<i32>,
    /// Why the sandbox stopped it (time, memory or output limit), if it did.
    pub stopped: Option<String>,
    /// stdout and stderr, merged, head and tail kept.
    pub output: String,
}

impl TestRun {
    pub(crate) fn of(outcome: &Outcome) -> Self {
        let stopped = match &outcome.termination {
            Termination::Finished
            | Termination::RuntimeError { .. }
            | Termination::SandboxFailure { .. }
            | Termination::CompileError { .. } => None,
            Termination::TimeLimit { wall: false } => Some("CPU time limit".to_owned()),
            Termination::TimeLimit { wall: true } => Some("wall time limit".to_owned()),
            Termination::MemoryLimit => Some("memory limit".to_owned()),
            Termination::OutputLimit => Some("output limit".to_owned()),
        };
        let mut output = String::from_utf8_lossy(&outcome.stdout).into_owned();
        if !outcome.stderr.is_empty() {
            // The driver's own failure (e.g. a tree it could not unpack) lands here.
            output.push_str(&String::from_utf8_lossy(&outcome.stderr));
        }
        Self {
            passed: outcome.termination == Termination::Finished,
            exit_code: if stopped.is_some() {
                None
            } else {
                outcome.exit_code
            },
            stopped,
            output: truncate(&output, KEPT_OUTPUT_CHARS),
        }
    }

    /// "exit code 1", or what stopped it.
    pub fn status(&self) -> String {
        match (&self.stopped, self.exit_code) {
            (Some(why), _) => format!("stopped by the sandbox's {why}"),
            (None, Some(code)) => format!("exit code {code}"),
            (None, None) => "no exit code".to_owned(),
        }
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

/// Everything `sstar fix` did, written to `<run>/fix.json`.
#[derive(Debug, Clone, Serialize)]
pub struct FixReport {
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
