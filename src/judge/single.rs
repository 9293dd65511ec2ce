//! One program on one test: run it, then compare its output by the problem's checker.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use sstar_sandbox::{
    Environment, Limits, Outcome, ProgramKind, Sandbox, SandboxError, Termination,
};

use super::JudgeError;
use crate::check::{check_output, check_value, CheckOutcome};
use crate::exec::{Executor, Meter, OwnedExecution};
use crate::problem::{Checker, Kind, Problem, TestCase, Visibility};
use crate::program::Program;
use crate::verdict::Verdict;

/// The result of one test, as `sstar judge --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// `public/NAME` or `hidden/NAME` (see [`test_label`]).
    pub name: String,
    pub verdict: Verdict,
    pub cpu_ms: u64,
    pub wall_ms: u64,
    pub memory_kb: u64,
    /// Why it failed, in a line: checker message, exception, signal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// What the program printed or returned (kept for debugging prompts; not serialized).
    #[serde(skip)]
    pub actual: Vec<u8>,
    #[serde(skip)]
    pub stderr: Vec<u8>,
}

/// A test's name with where it lives, `public/1` or `hidden/3`: names repeat across the two
/// folders, and a user must know whether a failing test is one the model saw.
pub fn test_label(test: &TestCase) -> String {
    let folder = match test.visibility {
        Visibility::Public => "public",
        Visibility::Hidden => "hidden",
    };
    format!("{folder}/{}", test.name)
}

/// The sandbox limits a problem asks for.
pub fn limits_for(problem: &Problem) -> Limits {
    let l = &problem.limits;
    Limits::new(
        Duration::from_millis(l.time_limit_ms),
        l.memory_limit_mb,
        l.output_limit_mb,
    )
}

/// How the sandbox invokes a program for `problem`.
fn program_kind(problem: &Problem) -> ProgramKind {
    match problem.kind {
        Kind::Stdio => ProgramKind::Stdio,
        Kind::Function => ProgramKind::Function {
            entry_point: problem.entry_point.clone().unwrap_or_default(),
        },
    }
}

/// The job that runs `code` as a candidate of `problem` on `input`: its kind, its limits, and
/// the judge's environment (the prelude, the problem's packages).
pub fn candidate_job(
    problem: &Problem,
    program: &Program,
    input: impl Into<Arc<[u8]>>,
) -> OwnedExecution {
    let mut job = OwnedExecution::new(
        program_kind(problem),
        program.code.clone(),
        input,
        limits_for(problem),
    );
    job.language = program.language;
    job.environment = Environment::judged(&problem.packages);
    job
}

/// The job that judges `program` on `test` under `problem`'s limits.
pub fn job_for(problem: &Problem, program: &Program, test: &TestCase) -> OwnedExecution {
    candidate_job(problem, program, test.input.clone())
}

/// Runs `code` on `test` on `executor` (cached when it has a cache) and checks the result;
/// `meter` hears of the execution if it ran.
pub async fn judge_test(
    executor: &Executor,
    problem: &Arc<Problem>,
    program: &Program,
    test: &TestCase,
    meter: &dyn Meter,
) -> Result<TestResult, JudgeError> {
    let outcome = executor.run(job_for(problem, program, test), meter).await?;
    // A `program` checker is itself a sandbox run: it takes a permit like any other.
    let _permit = if problem.checker == Checker::Program {
        Some(executor.permit().await?)
    } else {
        None
    };
    let (sandbox, problem, test) = (executor.sandbox().clone(), problem.clone(), test.clone());
    tokio::task::spawn_blocking(move || grade(&sandbox, &problem, &test, outcome))
        .await
        .map_err(|e| JudgeError::Sandbox(SandboxError::Internal(e.to_string())))?
}

/// The verdict of an execution of `test`'s input (the sandbox runs a `program` checker).
pub fn grade(
    sandbox: &Sandbox,
    problem: &Problem,
    test: &TestCase,
    outcome: Outcome,
) -> Result<TestResult, JudgeError> {
    let (verdict, detail) = match &outcome.termination {
        Termination::Finished => match check(sandbox, problem, test, &outcome) {
            // The checker's run failed in the sandbox: no verdict on the program either.
            Err(JudgeError::Internal(detail)) => (Verdict::InternalError, Some(detail)),
            checked => checked?,
        },
        Termination::CompileError { message } => (Verdict::CompileError, Some(message.clone())),
        Termination::RuntimeError { detail } => (Verdict::RuntimeError, Some(detail.clone())),
        // Not the program's doing: no verdict on it.
        Termination::SandboxFailure { .. } => (
            Verdict::InternalError,
            Some(outcome.termination.to_string()),
        ),
        Termination::TimeLimit { .. } => (
            Verdict::TimeLimitExceeded,
            Some(outcome.termination.to_string()),
        ),
        Termination::MemoryLimit => (Verdict::MemoryLimitExceeded, None),
        Termination::OutputLimit => (Verdict::OutputLimitExceeded, None),
    };
    let actual = match &outcome.returned {
        Some(value) => value.to_string().into_bytes(),
        None => outcome.stdout,
    };
    Ok(TestResult {
        name: test_label(test),
        verdict,
        cpu_ms: outcome.cpu.as_millis() as u64,
        wall_ms: outcome.wall.as_millis() as u64,
        memory_kb: outcome.memory_kb,
        detail,
        actual,
        stderr: outcome.stderr,
    })
}

fn check(
    sandbox: &Sandbox,
    problem: &Problem,
    test: &TestCase,
    outcome: &Outcome,
) -> Result<(Verdict, Option<String>), JudgeError> {
    let bad_test = |reason: String| JudgeError::BadTest {
        problem: problem.id.clone(),
        test: test.name.clone(),
        reason,
    };
    let checked = match (problem.kind, problem.checker) {
        // A property of the value (e.g. "a root of this polynomial"): checker.py reads the
        // returned value as Python's JSON from ACTUAL.
        (Kind::Function, Checker::Program) => {
            let Some(actual) = &outcome.returned else {
                return Ok((Verdict::RuntimeError, Some("no return value".into())));
            };
            super::special::run_checker(sandbox, problem, test, actual.to_string().as_bytes())?
        }
        (Kind::Function, checker) => {
            let expected = test.expected_value().map_err(|e| bad_test(e.to_string()))?;
            let Some(actual) = &outcome.returned else {
                return Ok((Verdict::RuntimeError, Some("no return value".into())));
            };
            let tolerance = (checker == Checker::Float).then_some(problem.float_tolerance);
            check_value(&expected, actual, tolerance)
        }
        (Kind::Stdio, Checker::Program) => {
            super::special::run_checker(sandbox, problem, test, &outcome.stdout)?
        }
        (Kind::Stdio, checker) => check_output(
            checker,
            problem.float_tolerance,
            &test.expected,
            &outcome.stdout,
        ),
    };
    Ok(match checked {
        CheckOutcome::Accepted => (Verdict::Accepted, None),
        CheckOutcome::WrongAnswer(reason) => (Verdict::WrongAnswer, Some(reason)),
    })
}
