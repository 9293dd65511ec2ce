//! The `float` checker and the absolute-or-relative tolerance rule.

use super::outcome::CheckOutcome;
use super::tokens::compare_tokens;

/// Tokens equal as text, or both numbers within `tolerance` (see [`floats_close`]).
pub(crate) fn check_float(expected: &[u8], actual: &[u8], tolerance: f64) -> CheckOutcome {
    let note = format!(" (tolerance {tolerance:e})");
    compare_tokens(
        expected,
        actual,
        |e, a| e == a || numbers_close(e, a, tolerance),
        &note,
    )
}

fn numbers_close(expected: &[u8], actual: &[u8], tolerance: f64) -> bool {
    match (parse(expected), parse(actual)) {
        (Some(e), Some(a)) => floats_close(e, a, tolerance),
        (Some(_) | None, _) => false,
    }
}

fn parse(token: &[u8]) -> Option<f64> {
    std::str::from_utf8(token).ok()?.parse().ok()
}

/// `|actual - expected| <= tolerance * max(1, |expected|)`: absolute for small
/// values, relative for large ones, with a few ulps of slack so that decimal
/// text exactly at the boundary passes. NaN matches only NaN; an infinity
/// only the same infinity.
pub(crate) fn floats_close(expected: f64, actual: f64, tolerance: f64) -> bool {
    if expected.is_nan() || actual.is_nan() {
        return expected.is_nan() && actual.is_nan();
    }
    if expected.is_infinite() || actual.is_infinite() {
        return expected == actual;
    }
    let diff = (actual - expected).abs();
    let slack = 4.0 * f64::EPSILON * expected.abs().max(actual.abs());
    diff <= tolerance * expected.abs().max(1.0) + slack
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(expected: &str, actual: &str, tolerance: f64) -> bool {
        check_float(expected.as_bytes(), actual.as_bytes(), tolerance).is_accepted()
    }

    #[test]
    fn within_absolute_tolerance() {
        assert!(check("0.5", "0.5000009", 1e-6));
        assert!(check("0", "-0.000001", 1e-6));
        assert!(!check("0.5", "0.500002", 1e-6));
    }

    #[test]
    fn tolerance_boundary_is_inclusive() {
        assert!(check("1", "1.000001", 1e-6));
        assert!(check("1", "0.999999", 1e-6));
        assert!(!check("1", "1.0000011", 1e-6));
        assert!(check("0.1", "0.2", 0.1));
        assert!(!check("0.1", "0.2000001", 0.1));
    }

    #[test]
    fn relative_tolerance_for_large_values() {
        assert!(check("1000000000", "1000000999", 1e-6));
        assert!(!check("1000000000", "1000001001", 1e-6));
        assert!(check("1e300", "1.0000005e300", 1e-6));
    }

    #[test]
    fn zero_tolerance_needs_equal_values() {
        assert!(check("0.5", "0.50", 0.0));
        assert!(check("1e3", "1000", 0.0));
        assert!(!check("0.1", "0.1000000001", 0.0));
    }

    #[test]
    fn words_compare_as_text() {
        assert!(check("Yes 0.5", "Yes 0.5000001", 1e-6));
        assert!(!check("Yes 0.5", "No 0.5", 1e-6));
        assert!(!check("1", "one", 1e-6));
    }

    #[test]
    fn nan_and_infinity() {
        assert!(check("nan", "NaN", 1e-6));
        assert!(!check("nan", "1", 1e-6));
        assert!(!check("1", "nan", 1e-6));
        assert!(check("inf", "Infinity", 1e-6));
        assert!(!check("inf", "-inf", 1e-6));
        assert!(!check("1e308", "inf", 1e-6));
        assert!(!check("1.7e308", "-1.7e308", 1e-6));
    }

    #[test]
    fn reason_names_token_and_tolerance() {
        assert_eq!(
            check_float(b"1 2.5", b"1 2.6", 1e-6),
            CheckOutcome::WrongAnswer("token 2: expected `2.5`, got `2.6` (tolerance 1e-6)".into())
        );
        assert!(!check("1 2", "1", 1e-6));
    }
}
