//! What a fix run did, as `fix.json` in the run directory records it.

use sstar_sandbox::{Outcome, Termination};

use super::junit::Junit;
use super::record::{self, Baseline};
use crate::pipeline::truncate;
use crate::schema::{TestCounts, TestRun};

/// Longest test output kept in records (head and tail).
const KEPT_OUTPUT_CHARS: usize = 20_000;

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
