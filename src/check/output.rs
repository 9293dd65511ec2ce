//! Checking a program's stdout against the expected output (docs/verdicts.md).

use crate::problem::Checker;

use super::exact::check_exact;
use super::float::check_float;
use super::lines::check_lines;
use super::outcome::CheckOutcome;
use super::tokens::check_tokens;

/// Reason given when [`check_output`] is misused with [`Checker::Program`].
const PROGRAM_CHECKER_MISUSE: &str =
    "internal error: checker = \"program\" must run checker.py in the sandbox, not check_output";

/// Compares a program's output with the expected output, as raw bytes, by
/// the `lines`, `exact`, `tokens` or `float` rule (`tolerance` is used by
/// `float` only).
///
/// [`Checker::Program`] cannot be decided here: the caller runs `checker.py`
/// in the sandbox. Passed anyway, it yields a wrong answer whose reason
/// starts with `internal error:` (and logs an error), never an acceptance.
pub fn check_output(
    checker: Checker,
    tolerance: f64,
    expected: &[u8],
    actual: &[u8],
) -> CheckOutcome {
    match checker {
        Checker::Lines => check_lines(expected, actual),
        Checker::Exact => check_exact(expected, actual),
        Checker::Tokens => check_tokens(expected, actual),
        Checker::Float => check_float(expected, actual, tolerance),
        Checker::Program => {
            tracing::error!("check_output called with the program checker");
            CheckOutcome::WrongAnswer(PROGRAM_CHECKER_MISUSE.to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatches_to_each_rule() {
        let (expected, actual) = (b"0.5\n1000\n", b"0.50 \n1e3");
        assert!(check_output(Checker::Lines, 0.0, expected, actual).is_accepted());
        assert!(!check_output(Checker::Exact, 0.0, expected, actual).is_accepted());
        assert!(!check_output(Checker::Tokens, 0.0, expected, actual).is_accepted());
        assert!(check_output(Checker::Float, 1e-9, expected, actual).is_accepted());
        assert!(check_output(Checker::Exact, 0.0, b"x\n", b"x").is_accepted());
        assert!(check_output(Checker::Tokens, 0.0, b"a b", b"a\nb").is_accepted());
    }

    #[test]
    fn tolerance_is_used_by_float_only() {
        assert!(check_output(Checker::Float, 0.1, b"1.0", b"1.05").is_accepted());
        assert!(!check_output(Checker::Float, 0.01, b"1.0", b"1.05").is_accepted());
        assert!(!check_output(Checker::Lines, 0.1, b"1.0", b"1.05").is_accepted());
        assert!(!check_output(Checker::Tokens, 0.1, b"1.0", b"1.05").is_accepted());
    }

    #[test]
    fn program_checker_is_never_accepted_here() {
        let outcome = check_output(Checker::Program, 1e-6, b"1", b"1");
        assert_eq!(
            outcome,
            CheckOutcome::WrongAnswer(PROGRAM_CHECKER_MISUSE.to_owned())
        );
    }
}
