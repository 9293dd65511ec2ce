//! A program's observable behaviour on one input, normalised so that programs that a judge
//! would call equal (LiveCodeBench's line rule) land in the same group.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sstar_sandbox::{Outcome, Termination};

use serde_json::Value;

use crate::check::canonical_decimal;
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

/// A returned value in a form where values the value checker calls equal coincide: numbers
/// (and booleans, which equal 0 and 1 there) by exact decimal value, or rounded to the
/// tolerance when the problem has one.
fn canonical_value(value: &Value, float: Option<f64>) -> Value {
    // Marked so a canonical number never equals a string the program returned.
    let number = |text: &str| Value::String(format!("\u{1}{}", canonical_number(text, float)));
    match value {
        Value::Number(n) => number(&n.to_string()),
        Value::Bool(b) => number(if *b { "1" } else { "0" }),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| canonical_value(v, float)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), canonical_value(v, float)))
                .collect(),
        ),
        Value::Null | Value::String(_) => value.clone(),
    }
}

fn canonical_number(text: &str, float: Option<f64>) -> String {
    match (float, text.parse::<f64>()) {
        // Within f64's exact integers every number rounds the same way, so `2` answers like
        // `2.0`; beyond them (huge integers) only the exact value can tell answers apart.
        (Some(tolerance), Ok(v)) if v.is_finite() && v.abs() < 9e15 => round_to(v, tolerance),
        _ => canonical_decimal(text.as_bytes()).unwrap_or_else(|| text.to_owned()),
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
        // Without a tolerance the checker compares exact decimal values: 1 = 1.0 = true.
        let plain = |v: Value| canonical_value(&v, None);
        assert_eq!(
            plain(serde_json::json!([1])),
            plain(serde_json::json!([1.0]))
        );
        assert_eq!(
            plain(serde_json::json!([1])),
            plain(serde_json::json!([true]))
        );
        assert_ne!(
            plain(serde_json::json!([1])),
            plain(serde_json::json!(["1"]))
        );
        assert_ne!(
            plain(serde_json::json!(0.1)),
            plain(serde_json::json!(0.10000001))
        );
        // Under a tolerance, integers beyond f64's exact range stay exact.
        let tol = |v: Value| canonical_value(&v, Some(1e-6));
        assert_eq!(
            tol(serde_json::json!(2)),
            tol(serde_json::json!(2.0000000001))
        );
        let huge =
            |d: char| serde_json::from_str::<Value>(&format!("1{}", d.to_string().repeat(400)));
        assert_ne!(tol(huge('0').expect("json")), tol(huge('1').expect("json")));
    }
}
