//! A program's observable behaviour on one input, normalised so that programs that a judge
//! would call equal (LiveCodeBench's line rule) land in the same group.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sstar_sandbox::{Outcome, Termination};

use serde_json::Value;

use crate::problem::{Checker, Kind, Problem};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// Normal end; the hash of the normalised output or return value.
    Output(String),
    /// Failed to produce an answer.
    Failed(Failure),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    CompileError,
    RuntimeError,
    TimeLimit,
    MemoryLimit,
    OutputLimit,
}

impl Behaviour {
    pub fn of(problem: &Problem, outcome: &Outcome) -> Self {
        match &outcome.termination {
            Termination::Finished => {
                let float = (problem.checker == Checker::Float).then_some(problem.float_tolerance);
                let text = match &outcome.returned {
                    Some(value) => canonical_value(value, float).to_string(),
                    None => canonical_output(
                        problem.checker,
                        float,
                        &String::from_utf8_lossy(&outcome.stdout),
                    ),
                };
                Behaviour::Output(digest(&text))
            }
            Termination::CompileError { .. } => Behaviour::Failed(Failure::CompileError),
            Termination::RuntimeError { .. } => Behaviour::Failed(Failure::RuntimeError),
            Termination::TimeLimit { .. } => Behaviour::Failed(Failure::TimeLimit),
            Termination::MemoryLimit => Behaviour::Failed(Failure::MemoryLimit),
            Termination::OutputLimit => Behaviour::Failed(Failure::OutputLimit),
        }
    }

    /// The behaviour of a program that prints (or returns, as JSON) `expected`; `None` for a
    /// function problem's expected value that is not JSON.
    pub fn expected(problem: &Problem, expected: &[u8]) -> Option<Self> {
        let float = (problem.checker == Checker::Float).then_some(problem.float_tolerance);
        let text = match problem.kind {
            Kind::Function => {
                let value: Value = serde_json::from_slice(expected).ok()?;
                canonical_value(&value, float).to_string()
            }
            Kind::Stdio => {
                canonical_output(problem.checker, float, &String::from_utf8_lossy(expected))
            }
        };
        Some(Behaviour::Output(digest(&text)))
    }

    pub fn is_failure(&self) -> bool {
        matches!(self, Behaviour::Failed(_))
    }
}

fn digest(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..12])
}

/// Output text in a form where answers the problem's checker would call equal coincide:
/// `lines` in the checker's own canonical form, floats rounded to the tolerance.
/// (`program` checkers accept many answers; those outputs are compared as text.)
fn canonical_output(checker: Checker, float: Option<f64>, text: &str) -> String {
    match checker {
        Checker::Exact | Checker::Program => text.trim_end().to_owned(),
        Checker::Tokens => text.split_whitespace().collect::<Vec<_>>().join(" "),
        Checker::Lines => crate::check::canonical_lines(text.as_bytes()),
        Checker::Float => {
            let tolerance = float.unwrap_or(1e-6);
            let rounded = |token: &str| match token.parse::<f64>() {
                Ok(v) if v.is_finite() => round_to(v, tolerance),
                _ => token.to_owned(),
            };
            text.trim()
                .lines()
                .map(|line| {
                    line.split_whitespace()
                        .map(rounded)
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

fn round_to(v: f64, tolerance: f64) -> String {
    if v.abs() <= tolerance {
        return "0".into();
    }
    let digits = (-tolerance.max(1e-15).log10()).floor().max(1.0) as usize;
    format!("{:.*e}", digits.saturating_sub(1), v)
}

fn canonical_value(value: &Value, float: Option<f64>) -> Value {
    match (value, float) {
        // Under a tolerance `1` and `1.0` are the same answer, as the value checker says.
        (Value::Number(n), Some(tolerance)) => {
            Value::String(round_to(n.as_f64().unwrap_or(0.0), tolerance))
        }
        (Value::Array(items), _) => {
            Value::Array(items.iter().map(|v| canonical_value(v, float)).collect())
        }
        (Value::Object(map), _) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), canonical_value(v, float)))
                .collect(),
        ),
        _ => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_a_checker_calls_equal_coincide() {
        let lines = |t| canonical_output(Checker::Lines, None, t);
        assert_eq!(lines("  1 2 \r\n3\n\n"), lines("1 2\n3"));
        assert_eq!(lines("0.50 2.0 -0.0"), lines("0.5 2 0"));
        assert_ne!(lines("0.5"), lines("0.51"));
        let float = |t| canonical_output(Checker::Float, Some(1e-6), t);
        assert_eq!(float("3.14159265"), float("3.1415927"));
        assert_ne!(float("3.1415"), float("3.1416"));
        let value = serde_json::json!([1.0000000001, 2]);
        assert_eq!(
            canonical_value(&value, Some(1e-6)),
            canonical_value(&serde_json::json!([1.0, 2]), Some(1e-6))
        );
        assert_eq!(
            canonical_value(&serde_json::json!([1]), Some(1e-6)),
            canonical_value(&serde_json::json!([1.0]), Some(1e-6))
        );
        assert_ne!(
            canonical_value(&serde_json::json!([1]), None),
            canonical_value(&serde_json::json!([1.0]), None)
        );
    }
}
