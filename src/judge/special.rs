//! The `program` checker: `checker.py INPUT EXPECTED ACTUAL`, itself run in the sandbox.

use std::time::Duration;

use sstar_sandbox::{Execution, Limits, ProgramKind, Sandbox, Termination};

use super::JudgeError;
use crate::check::CheckOutcome;
use crate::problem::{Problem, TestCase};

/// Checkers are trusted more than candidates but still run sandboxed, with room to spare.
fn checker_limits(problem: &Problem) -> Limits {
    let cpu = Duration::from_millis(problem.limits.time_limit_ms.max(2000) * 2);
    Limits::new(cpu, problem.limits.memory_limit_mb.max(512), 16)
}

/// Exit 0 is accepted, exit 1 wrong answer (its stdout, if any, is the reason); anything
/// else means the checker is broken, which is the problem's fault, not the program's.
pub(super) fn run_checker(
    sandbox: &Sandbox,
    problem: &Problem,
    test: &TestCase,
    actual: &[u8],
) -> Result<CheckOutcome, JudgeError> {
    let failed = |reason: String| JudgeError::Checker {
        problem: problem.id.clone(),
        test: test.name.clone(),
        reason,
    };
    let code = problem
        .checker_program
        .as_deref()
        .ok_or_else(|| failed("checker.py missing".into()))?;
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
    let said = || {
        let text = String::from_utf8_lossy(if outcome.stdout.is_empty() {
            &outcome.stderr
        } else {
            &outcome.stdout
        });
        text.trim().chars().take(200).collect::<String>()
    };
    match (&outcome.termination, outcome.exit_code) {
        (Termination::Finished, Some(0)) => Ok(CheckOutcome::Accepted),
        (Termination::RuntimeError { .. }, Some(1)) => {
            let reason = said();
            Ok(CheckOutcome::WrongAnswer(if reason.is_empty() {
                "rejected by checker.py".into()
            } else {
                reason
            }))
        }
        (termination, _) => Err(failed(format!("{termination:?}: {}", said()))),
    }
}
