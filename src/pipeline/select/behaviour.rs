//! A program's observable behaviour on one input, reduced to an [`Answer`] under the problem's
//! checker, so that programs a judge would call equal land in the same group.

use sstar_pyjson as pyjson;

use sstar_sandbox::{Outcome, Termination};

use crate::check::{output_answer, value_answer, Answer};
use crate::judge::JudgeError;
use crate::problem::{Checker, Kind, Problem};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Behaviour {
    /// Normal end: the output or return value, as the checker compares it. Equal behaviours
    /// are equal by the checker; [`Behaviour::agrees`] also allows its tolerance.
    Output(Answer),
    /// Failed to produce an answer.
    Failed(Failure),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Failure {
    CompileError,
    RuntimeError,
    TimeLimit,
    MemoryLimit,
    OutputLimit,
}

impl Behaviour {
    /// The behaviour `outcome` shows; an error when the sandbox failed the run (it was
    /// retried once already), which shows nothing of the program.
    pub fn of(problem: &Problem, outcome: &Outcome) -> Result<Self, JudgeError> {
        Ok(match &outcome.termination {
            Termination::Finished => Behaviour::Output(match &outcome.returned {
                Some(value) => value_answer(value, value_tolerance(problem)),
                None => output_answer(problem.checker, problem.float_tolerance, &outcome.stdout),
            }),
            Termination::CompileError { .. } => Behaviour::Failed(Failure::CompileError),
            Termination::RuntimeError { .. } => Behaviour::Failed(Failure::RuntimeError),
            // Says nothing of the program: never a behaviour to group.
            Termination::SandboxFailure { .. } => {
                return Err(JudgeError::Internal(outcome.termination.to_string()))
            }
            Termination::TimeLimit { .. } => Behaviour::Failed(Failure::TimeLimit),
            Termination::MemoryLimit => Behaviour::Failed(Failure::MemoryLimit),
            Termination::OutputLimit => Behaviour::Failed(Failure::OutputLimit),
        })
    }

    /// The behaviour of a program that prints (or returns, as JSON) `expected`; `None` for a
    /// function problem's expected value that is not JSON.
    pub fn expected(problem: &Problem, expected: &[u8]) -> Option<Self> {
        Some(Behaviour::Output(match problem.kind {
            Kind::Function => value_answer(
                &pyjson::from_slice(expected).ok()?,
                value_tolerance(problem),
            ),
            Kind::Stdio => output_answer(problem.checker, problem.float_tolerance, expected),
        }))
    }

    /// Whether the checker would accept `other` were `self` the expected behaviour: equal
    /// answers, answers within the `float` tolerance, or the same failure.
    pub fn agrees(&self, other: &Behaviour) -> bool {
        match (self, other) {
            (Behaviour::Output(want), Behaviour::Output(got)) => want.agrees(got),
            (Behaviour::Failed(want), Behaviour::Failed(got)) => want == got,
            (Behaviour::Output(_), Behaviour::Failed(_))
            | (Behaviour::Failed(_), Behaviour::Output(_)) => false,
        }
    }

    pub fn is_failure(&self) -> bool {
        matches!(self, Behaviour::Failed(_))
    }

    /// Stopped by a limit (time, memory, output) rather than by an error of its own.
    pub fn is_limit(&self) -> bool {
        matches!(
            self,
            Behaviour::Failed(Failure::TimeLimit | Failure::MemoryLimit | Failure::OutputLimit)
        )
    }
}

/// Function problems compare values within the tolerance under `float` only (see docs/verdicts.md);
/// a `program` checker's values are grouped by exact value equality.
fn value_tolerance(problem: &Problem) -> Option<f64> {
    (problem.checker == Checker::Float).then_some(problem.float_tolerance)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn problem(kind: Kind, checker: Checker) -> Problem {
        Problem::bare(kind, checker)
    }

    fn of(problem: &Problem, outcome: &Outcome) -> Behaviour {
        Behaviour::of(problem, outcome).expect("a program's behaviour")
    }

    #[test]
    fn a_run_the_sandbox_failed_is_no_behaviour() {
        let p = problem(Kind::Stdio, Checker::Lines);
        let mut failed = finished("", None);
        failed.termination = Termination::SandboxFailure {
            message: "worker lost".into(),
        };
        assert!(matches!(
            Behaviour::of(&p, &failed),
            Err(JudgeError::Internal(detail)) if detail.contains("worker lost")
        ));
    }

    fn finished(stdout: &str, returned: Option<&str>) -> Outcome {
        Outcome {
            termination: Termination::Finished,
            stdout: stdout.as_bytes().to_vec(),
            stderr: Vec::new(),
            stderr_truncated: false,
            returned: returned.map(|t| pyjson::from_str(t).expect("json")),
            exit_code: Some(0),
            signal: None,
            cpu: Duration::ZERO,
            wall: Duration::ZERO,
            memory_kb: 0,
        }
    }

    #[test]
    fn behaviours_agree_by_the_problems_checker() {
        let float = problem(Kind::Stdio, Checker::Float);
        let a = of(&float, &finished("0.0000031416\n", None));
        let b = of(&float, &finished("3.1415926535897933e-06", None));
        assert!(a.agrees(&b) && b.agrees(&a));
        let lines = problem(Kind::Stdio, Checker::Lines);
        let a = of(&lines, &finished("0.0000031416\n", None));
        let b = of(&lines, &finished("3.1415926535897933e-06", None));
        assert!(!a.agrees(&b));
        assert!(of(&lines, &finished("0.5", None)).agrees(&of(&lines, &finished("0.50\n", None))));
    }

    #[test]
    fn returned_values_agree_within_the_tolerance_only_under_float() {
        for (checker, close) in [
            (Checker::Float, true),
            (Checker::Lines, false),
            (Checker::Program, false),
        ] {
            let p = problem(Kind::Function, checker);
            let a = of(&p, &finished("", Some("[1.0, 2]")));
            let b = of(&p, &finished("", Some("[1.0000000001, 2]")));
            assert_eq!(a.agrees(&b), close, "{checker:?}");
            let c = of(&p, &finished("", Some("[1, 2.0]")));
            assert!(a.agrees(&c), "{checker:?}");
            let inf = of(&p, &finished("", Some("Infinity")));
            let big = of(&p, &finished("", Some("1e308")));
            assert!(!inf.agrees(&big) && inf.agrees(&inf.clone()));
        }
    }

    #[test]
    fn expected_outputs_and_failures() {
        let p = problem(Kind::Function, Checker::Float);
        let expected = Behaviour::expected(&p, b"[1.5, -Infinity]").expect("json");
        assert!(expected.agrees(&of(&p, &finished("", Some("[1.5000001, -Infinity]")))));
        assert!(Behaviour::expected(&p, b"[1,").is_none());
        let failed = Behaviour::Failed(Failure::TimeLimit);
        assert!(failed.agrees(&Behaviour::Failed(Failure::TimeLimit)));
        assert!(!failed.agrees(&Behaviour::Failed(Failure::RuntimeError)));
        assert!(!failed.agrees(&expected) && !expected.agrees(&failed));
    }
}
