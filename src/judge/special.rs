//! The `program` checker: `checker.py INPUT EXPECTED ACTUAL`, itself run in the sandbox. A
//! checker that fails on one candidate's output (out of memory, time, a crash) has judged
//! that output, not broken the problem: only failing on the expected output does that.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use sha2::{Digest, Sha256};
use sstar_sandbox::{Execution, Limits, Outcome, ProgramKind, Sandbox, Termination};

use super::{printable, JudgeError};
use crate::check::CheckOutcome;
use crate::problem::{Problem, TestCase};

/// An output over this many times the expected one's length (and over [`MIN_BOUND`]) is a
/// wrong answer without running checker.py: a checker reading it whole could run out of
/// memory or time on a candidate's word.
const BOUND_FACTOR: usize = 16;
/// The bound for short expected outputs: a valid answer may differ from the expected one.
const MIN_BOUND: usize = 1 << 20;
/// Characters of what a checker said that are kept.
const SAID: usize = 200;

/// Checkers are trusted more than candidates but still run sandboxed, with room to spare.
fn checker_limits(problem: &Problem) -> Limits {
    let cpu = Duration::from_millis(problem.limits.time_limit_ms.max(2000) * 2);
    Limits::new(cpu, problem.limits.memory_limit_mb.max(512), 16)
}

/// The longest output checker.py is handed for a test whose expected output is
/// `expected_len` bytes long.
pub(super) fn output_bound(expected_len: usize) -> usize {
    expected_len.saturating_mul(BOUND_FACTOR).max(MIN_BOUND)
}

/// What one run of checker.py came to.
enum Said {
    Accepted,
    /// Exit 1: the output is wrong, for the reason given.
    Rejected(String),
    /// Anything else: a crash, a limit, another exit status (in words).
    Failed(String),
}

/// Exit 0 is accepted, exit 1 wrong answer (its stdout, if any, is the reason). A checker
/// that fails otherwise on `actual` is run on the expected output: if it passes there, the
/// failure is this output's wrong answer; if it fails there too, the checker is broken, which
/// is the problem's fault, not the program's.
pub(super) fn run_checker(
    sandbox: &Sandbox,
    problem: &Problem,
    test: &TestCase,
    actual: &[u8],
) -> Result<CheckOutcome, JudgeError> {
    let bound = output_bound(test.expected.len());
    if actual.len() > bound {
        return Ok(CheckOutcome::WrongAnswer(format!(
            "output far longer than expected ({} bytes, expected {}; checker.py reads at most {bound})",
            actual.len(),
            test.expected.len()
        )));
    }
    Ok(match run_once(sandbox, problem, test, actual)? {
        Said::Accepted => CheckOutcome::Accepted,
        Said::Rejected(reason) => CheckOutcome::WrongAnswer(reason),
        Said::Failed(why) => match fails_on_expected(sandbox, problem, test)? {
            None => CheckOutcome::WrongAnswer(format!("checker.py failed on this output ({why})")),
            Some(also) => {
                return Err(broken(
                    problem,
                    test,
                    format!("{why}; on the expected output too: {also}"),
                ))
            }
        },
    })
}

fn broken(problem: &Problem, test: &TestCase, reason: String) -> JudgeError {
    JudgeError::Checker {
        problem: problem.id.clone(),
        test: test.name.clone(),
        // Shown on a terminal as an error: what a checker printed may echo a program's output.
        reason: printable(&reason).into_owned(),
    }
}

/// How checker.py fails with the expected output as the actual one, `None` when it does not;
/// remembered per checker, test and limits, so many candidates' failures rerun it once.
fn fails_on_expected(
    sandbox: &Sandbox,
    problem: &Problem,
    test: &TestCase,
) -> Result<Option<String>, JudgeError> {
    static SEEN: OnceLock<Mutex<HashMap<[u8; 32], Option<String>>>> = OnceLock::new();
    let seen = SEEN.get_or_init(Mutex::default);
    let mut hasher = Sha256::new();
    let limits = checker_limits(problem);
    hasher.update(format!("{:?} {}", limits.cpu, limits.memory_bytes));
    for part in [
        problem
            .checker_program
            .as_deref()
            .unwrap_or_default()
            .as_bytes(),
        &test.input,
        &test.expected,
    ] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let key: [u8; 32] = hasher.finalize().into();
    let known = seen
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
        .cloned();
    if let Some(known) = known {
        return Ok(known);
    }
    let failure = match run_once(sandbox, problem, test, &test.expected)? {
        // A checker that rejects the expected output still works; whether the expected
        // output is right is the problem author's business (`sstar verify` shows it).
        Said::Accepted | Said::Rejected(_) => None,
        Said::Failed(why) => Some(why),
    };
    seen.lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, failure.clone());
    Ok(failure)
}

/// Runs checker.py once on `actual`. Errors only when there is no checker or no sandbox run.
fn run_once(
    sandbox: &Sandbox,
    problem: &Problem,
    test: &TestCase,
    actual: &[u8],
) -> Result<Said, JudgeError> {
    let code = problem
        .checker_program
        .as_deref()
        .ok_or_else(|| broken(problem, test, "checker.py missing".into()))?;
    let mut execution = Execution::new(ProgramKind::Stdio, code, b"", checker_limits(problem));
    execution.files = vec![
        ("input.txt".into(), test.input.to_vec()),
        ("expected.txt".into(), test.expected.to_vec()),
        ("actual.txt".into(), actual.to_vec()),
    ];
    execution.args = ["input.txt", "expected.txt", "actual.txt"]
        .map(String::from)
        .to_vec();
    let outcome = sandbox.run(&execution)?;
    let said = said(&outcome);
    Ok(match &outcome.termination {
        Termination::Finished => Said::Accepted,
        // `sys.exit(1)`: the sandbox words a plain exit status so, and an uncaught exception
        // (also status 1) by its type, which is a crash, not a verdict.
        Termination::RuntimeError { detail }
            if outcome.exit_code == Some(1) && detail == "exit code 1" =>
        {
            Said::Rejected(if said.is_empty() {
                "rejected by checker.py".into()
            } else {
                said
            })
        }
        // Not the checker's doing, and maybe not the next run's: no verdict either way.
        Termination::SandboxFailure { .. } => {
            return Err(JudgeError::Internal(format!(
                "checker.py on test `{}`: {}",
                test.name, outcome.termination
            )))
        }
        Termination::RuntimeError { detail } => {
            // A traceback's last line names the exception and its message.
            let last = last_line(&outcome.stderr);
            Said::Failed(if last.is_empty() {
                detail.clone()
            } else if last.contains(detail.as_str()) {
                last
            } else {
                format!("{detail}: {last}")
            })
        }
        Termination::CompileError { .. }
        | Termination::TimeLimit { .. }
        | Termination::MemoryLimit
        | Termination::OutputLimit => Said::Failed(outcome.termination.to_string()),
    })
}

/// What the checker printed (stdout, else stderr), trimmed to a few hundred characters.
fn said(outcome: &Outcome) -> String {
    let text = String::from_utf8_lossy(if outcome.stdout.is_empty() {
        &outcome.stderr
    } else {
        &outcome.stdout
    });
    text.trim().chars().take(SAID).collect()
}

/// The last non-blank line of `bytes`, trimmed to a few hundred characters.
fn last_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default();
    line.trim().chars().take(SAID).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_scales_with_the_expected_output_above_a_floor() {
        assert_eq!(output_bound(0), MIN_BOUND);
        assert_eq!(output_bound(10), MIN_BOUND);
        assert_eq!(output_bound(1 << 20), 16 << 20);
        assert_eq!(output_bound(usize::MAX), usize::MAX);
    }
}
