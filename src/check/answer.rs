//! Answers compared with one another by a problem's checker, cheaply: the key that groups
//! programs by behaviour.
//!
//! An [`Answer`] holds a digest of the answer's canonical form under the checker (two answers
//! with equal digests are equal by the checker), and, when the checker has a tolerance, the
//! answer's numbers beside a digest of everything else, so that answers differing only
//! within the tolerance still agree ([`Answer::agrees`]). Tolerance-equality is not
//! transitive, so agreement is asked of an answer taken as the expected one: a group's
//! representative, or a given expected output.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use serde_json::{Number, Value};
use sha2::{Digest, Sha256};
use sstar_pyjson as pyjson;

use super::decimal::canonical_decimal;
use super::float::floats_close;
use super::lines::canonical_line_bytes;
use super::text::{tokens, trim_end};
use crate::problem::Checker;

/// Most numbers an answer keeps for tolerant comparison. Beyond it (a huge output) the
/// answer agrees with another only when their digests are equal, which keeps a group's
/// memory bounded; equal answers then still group, near-equal ones may not.
const MAX_NUMBERS: usize = 1 << 16;

/// An answer reduced for comparison. Equality and hashing are those of the exact digest:
/// equal answers are equal by the checker; [`Answer::agrees`] also accepts tolerance.
#[derive(Debug, Clone)]
pub struct Answer {
    exact: [u8; 16],
    tolerant: Option<Arc<Tolerant>>,
}

impl PartialEq for Answer {
    fn eq(&self, other: &Self) -> bool {
        self.exact == other.exact
    }
}

impl Eq for Answer {}

impl Hash for Answer {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.exact.hash(state);
    }
}

/// The numbers of an answer and a digest of the rest, under a tolerance.
#[derive(Debug)]
struct Tolerant {
    tolerance: f64,
    skeleton: [u8; 16],
    numbers: Numbers,
}

#[derive(Debug)]
enum Numbers {
    /// Tokens of a `float` checker's output: floats within the tolerance.
    Tokens(Vec<f64>),
    /// Numbers of a returned value, compared as [`check_value`](super::check_value) does.
    Values(Vec<ValueNumber>),
}

/// A number (or boolean) of a returned value.
#[derive(Debug, Clone, Copy)]
struct ValueNumber {
    kind: NumberKind,
    /// The float it reads as; NaN when it has none (an integer beyond a double).
    float: f64,
    /// Identity of its exact decimal value (booleans as 0 and 1).
    exact: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberKind {
    Integer,
    Fraction,
    Bool,
    /// `NaN`, `Infinity`, `-Infinity` (in `float`).
    NonFinite,
}

impl Answer {
    /// Whether the checker accepts `other` when `self` is the expected answer.
    pub fn agrees(&self, other: &Answer) -> bool {
        if self.exact == other.exact {
            return true;
        }
        let (Some(want), Some(got)) = (&self.tolerant, &other.tolerant) else {
            return false;
        };
        want.skeleton == got.skeleton
            && match (&want.numbers, &got.numbers) {
                (Numbers::Tokens(e), Numbers::Tokens(a)) => {
                    e.len() == a.len()
                        && e.iter()
                            .zip(a)
                            .all(|(&e, &a)| floats_close(e, a, want.tolerance))
                }
                (Numbers::Values(e), Numbers::Values(a)) => {
                    e.len() == a.len()
                        && e.iter()
                            .zip(a)
                            .all(|(e, a)| value_numbers_equal(e, a, want.tolerance))
                }
                (Numbers::Tokens(_), Numbers::Values(_))
                | (Numbers::Values(_), Numbers::Tokens(_)) => false,
            }
    }
}

/// A program's stdout as `checker` sees it (`tolerance` is used by `float` only). A `program`
/// checker cannot be asked about two arbitrary outputs; its answers are compared as `tokens`
/// (what most special judges read), so outputs differing only in spacing agree.
pub fn output_answer(checker: Checker, tolerance: f64, output: &[u8]) -> Answer {
    let (domain, canonical): (&[u8], Vec<u8>) = match checker {
        Checker::Exact => (b"exact", trim_end(output).to_vec()),
        Checker::Lines => (b"lines", canonical_line_bytes(output)),
        // Tokens hold no ASCII space: joined with one, the list is unambiguous.
        Checker::Tokens | Checker::Program => {
            (b"tokens", tokens(output).collect::<Vec<_>>().join(&b' '))
        }
        Checker::Float => {
            let (exact, tolerant) = float_tokens(output, tolerance);
            return Answer {
                exact,
                tolerant: tolerant.map(Arc::new),
            };
        }
    };
    Answer {
        exact: digest(&[domain, &canonical]),
        tolerant: None,
    }
}

/// A function's return value as [`check_value`](super::check_value) compares it, within
/// `tolerance` when given (the `float` checker).
pub fn value_answer(value: &Value, tolerance: Option<f64>) -> Answer {
    let mut canonical = Vec::new();
    write_value(value, &mut canonical, &mut |n, out| {
        out.extend_from_slice(canonical_number(n).as_bytes());
    });
    let exact = digest(&[b"value", &canonical]);
    let tolerant = tolerance.and_then(|tolerance| {
        let mut skeleton = Vec::new();
        let mut numbers = Vec::new();
        write_value(value, &mut skeleton, &mut |n, out| {
            out.push(b'#');
            numbers.push(n);
        });
        (numbers.len() <= MAX_NUMBERS).then(|| {
            Arc::new(Tolerant {
                tolerance,
                skeleton: digest(&[b"value", &skeleton]),
                numbers: Numbers::Values(numbers.into_iter().map(value_number).collect()),
            })
        })
    });
    Answer { exact, tolerant }
}

/// The `float` checker's view: tokens equal as text, or both numbers within the tolerance.
fn float_tokens(output: &[u8], tolerance: f64) -> ([u8; 16], Option<Tolerant>) {
    let mut text = Vec::new();
    let mut skeleton = Vec::new();
    let mut numbers = Vec::new();
    for (i, token) in tokens(output).enumerate() {
        if i > 0 {
            text.push(b' ');
            skeleton.push(b' ');
        }
        text.extend_from_slice(token);
        // A number leaves an empty slot (tokens are never empty, so slots stay apart).
        match parse_float(token) {
            Some(number) => numbers.push(number),
            None => skeleton.extend_from_slice(token),
        }
    }
    let exact = digest(&[b"tokens", &text]);
    let tolerant = (numbers.len() <= MAX_NUMBERS).then(|| Tolerant {
        tolerance,
        skeleton: digest(&[b"float", &skeleton]),
        numbers: Numbers::Tokens(numbers),
    });
    (exact, tolerant)
}

/// A token as the `float` checker reads numbers.
fn parse_float(token: &[u8]) -> Option<f64> {
    std::str::from_utf8(token).ok()?.parse().ok()
}

/// Writes `value` in a canonical text (object keys sorted, strings quoted so that they never
/// meet a number), each number or boolean through `number`. Booleans are numbers here:
/// Python's `True == 1`.
fn write_value<'a>(
    value: &'a Value,
    out: &mut Vec<u8>,
    number: &mut impl FnMut(NumberRef<'a>, &mut Vec<u8>),
) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => number(NumberRef::Bool(*b), out),
        Value::Number(n) => number(NumberRef::Number(n), out),
        Value::String(s) => out.extend_from_slice(Value::from(s.as_str()).to_string().as_bytes()),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out, number);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // serde_json's map is ordered by key, as the checker ignores order.
            out.push(b'{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(Value::from(key.as_str()).to_string().as_bytes());
                out.push(b':');
                write_value(item, out, number);
            }
            out.push(b'}');
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum NumberRef<'a> {
    Bool(bool),
    Number(&'a Number),
}

/// One spelling per exact value (`1`, `1.0`, `true` alike; NaN one spelling, as NaN equals
/// NaN in the value checker).
fn canonical_number(n: NumberRef<'_>) -> String {
    let number = match n {
        NumberRef::Bool(b) => {
            return canonical_decimal(if b { b"1" } else { b"0" }).unwrap_or_default()
        }
        NumberRef::Number(number) => number,
    };
    match pyjson::non_finite(number) {
        Some(f) if f.is_nan() => "nan".to_owned(),
        Some(f) => if f > 0.0 { "inf" } else { "-inf" }.to_owned(),
        None => {
            let text = number.to_string();
            canonical_decimal(text.as_bytes()).unwrap_or(text)
        }
    }
}

fn value_number(n: NumberRef<'_>) -> ValueNumber {
    let mut hasher = DefaultHasher::new();
    canonical_number(n).hash(&mut hasher);
    let exact = hasher.finish();
    match n {
        NumberRef::Bool(b) => ValueNumber {
            kind: NumberKind::Bool,
            float: f64::from(u8::from(b)),
            exact,
        },
        NumberRef::Number(number) => match pyjson::non_finite(number) {
            Some(float) => ValueNumber {
                kind: NumberKind::NonFinite,
                float,
                exact,
            },
            None => ValueNumber {
                kind: if pyjson::is_integer(number) {
                    NumberKind::Integer
                } else {
                    NumberKind::Fraction
                },
                float: number.as_f64().unwrap_or(f64::NAN),
                exact,
            },
        },
    }
}

/// [`check_value`](super::check_value)'s number rule under a tolerance: non-finite numbers
/// and booleans exactly, two integers exactly, otherwise within the tolerance.
fn value_numbers_equal(expected: &ValueNumber, actual: &ValueNumber, tolerance: f64) -> bool {
    use NumberKind::{Bool, Fraction, Integer, NonFinite};
    match (expected.kind, actual.kind) {
        (NonFinite, NonFinite) => {
            expected.float == actual.float || (expected.float.is_nan() && actual.float.is_nan())
        }
        (NonFinite, _) | (_, NonFinite) => false,
        (Bool, _) | (_, Bool) | (Integer, Integer) => expected.exact == actual.exact,
        (Fraction, Integer | Fraction) | (Integer, Fraction) => {
            if expected.float.is_nan() || actual.float.is_nan() {
                expected.exact == actual.exact
            } else {
                floats_close(expected.float, actual.float, tolerance)
            }
        }
    }
}

fn digest(parts: &[&[u8]]) -> [u8; 16] {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    let mut out = [0; 16];
    out.copy_from_slice(&hash.finalize()[..16]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check_output, check_value};
    use serde_json::json;

    fn output(checker: Checker, text: &str) -> Answer {
        output_answer(checker, 1e-6, text.as_bytes())
    }

    /// For every pair: the answers agree exactly when the checker accepts one against the other.
    fn agrees_like_the_checker(checker: Checker, outputs: &[&str]) {
        for a in outputs {
            for b in outputs {
                let accepted =
                    check_output(checker, 1e-6, a.as_bytes(), b.as_bytes()).is_accepted();
                assert_eq!(
                    output(checker, a).agrees(&output(checker, b)),
                    accepted,
                    "{checker:?}: {a:?} vs {b:?}"
                );
            }
        }
    }

    #[test]
    fn float_outputs_agree_within_the_tolerance() {
        let pi = output(Checker::Float, "0.0000031416");
        let exp = output(Checker::Float, "3.1415926535897933e-06");
        assert!(pi.agrees(&exp) && exp.agrees(&pi));
        assert_ne!(pi, exp, "different text, different digest");
        agrees_like_the_checker(
            Checker::Float,
            &[
                "0.0000031416",
                "3.1415926535897933e-06",
                "Yes 0.5",
                "Yes 0.5000001",
                "No 0.5",
                "1 2",
                "1\n2.0000000001",
                "1 2 3",
                "inf",
                "Infinity",
                "1e308",
                "nan",
                "NaN",
                "",
                "2.5 x",
                "x 2.5",
            ],
        );
    }

    #[test]
    fn exact_rules_agree_exactly_when_the_checker_accepts() {
        let outputs = [
            "1 2\n3",
            " 1  2 \r\n3\n",
            "1 2 3",
            "0.5",
            "0.50",
            "1e3",
            "1000",
            "a b",
            "a  b",
            "x\n\ny",
            "x\ny",
            "nan",
            "",
        ];
        for checker in [Checker::Lines, Checker::Tokens, Checker::Exact] {
            agrees_like_the_checker(checker, &outputs);
        }
    }

    #[test]
    fn a_program_checker_groups_by_tokens() {
        let a = output(Checker::Program, "1 2\n");
        assert!(a.agrees(&output(Checker::Program, " 1\n2")));
        assert!(!a.agrees(&output(Checker::Program, "2 1")));
        assert!(!output(Checker::Exact, "\u{ff}").agrees(&output(Checker::Exact, "\u{fe}")));
    }

    #[test]
    fn returned_values_agree_like_check_value() {
        let py = |t: &str| pyjson::from_str(t).expect("python json");
        let values = [
            "1",
            "1.0",
            "true",
            "1.0000001",
            "2",
            "0.5",
            "0.5000004",
            "0.500002",
            "[1, 2.5]",
            "[1.0, 2.5000001]",
            "[true, 2.5]",
            "{\"a\": 1.5}",
            "{\"a\": 1.5000001}",
            "Infinity",
            "-Infinity",
            "1e308",
            "1e400",
            "NaN",
            "\"1\"",
            "null",
            "[]",
            "1180591620717411303424",
            "1180591620717411303425",
            "1.1805916207174113e21",
        ];
        for tolerance in [None, Some(1e-6)] {
            for a in values {
                for b in values {
                    let accepted = check_value(&py(a), &py(b), tolerance).is_accepted();
                    let agreed =
                        value_answer(&py(a), tolerance).agrees(&value_answer(&py(b), tolerance));
                    assert_eq!(agreed, accepted, "{tolerance:?}: {a} vs {b}");
                }
            }
        }
        assert_eq!(
            value_answer(&json!([1]), None),
            value_answer(&json!([1.0]), None)
        );
    }

    #[test]
    fn agreement_is_asked_of_the_expected_answer() {
        // The relative tolerance follows the expected value, so this pair agrees one way only.
        let low = output_answer(Checker::Float, 1e-6, b"1000000");
        let high = output_answer(Checker::Float, 1e-6, b"1000001.0000005");
        assert!(!low.agrees(&high));
        assert!(high.agrees(&low));
    }

    #[test]
    fn huge_answers_fall_back_to_exact_digests() {
        let many: String = (0..=MAX_NUMBERS).map(|i| format!("{i}.5 ")).collect();
        let close: String = (0..=MAX_NUMBERS)
            .map(|i| format!("{i}.5000000001 "))
            .collect();
        let a = output_answer(Checker::Float, 1e-6, many.as_bytes());
        assert!(a.agrees(&output_answer(Checker::Float, 1e-6, many.as_bytes())));
        assert!(!a.agrees(&output_answer(Checker::Float, 1e-6, close.as_bytes())));
    }
}
