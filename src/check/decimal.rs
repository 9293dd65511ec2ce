//! Exact decimal equality of number tokens, as Python's `decimal.Decimal` sees it.
//!
//! Tokens are brought to a canonical form (sign, significant digits, exponent)
//! in linear time, so `0.5` = `0.50`, `1e3` = `1000`, `-0` = `0`, and integers
//! of any length compare exactly. (Parsing into a big integer would take
//! quadratic time on a hostile multi-megabyte number.)

/// A parsed decimal in canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Decimal {
    /// `(-1)^negative × digits × 10^exponent`, `digits` without leading or
    /// trailing zeros; zero is empty digits, exponent 0, not negative.
    Finite {
        negative: bool,
        digits: Vec<u8>,
        exponent: i128,
    },
    Infinite {
        negative: bool,
    },
    /// Never equal to anything, itself included.
    NaN,
}

/// Whether two tokens are both decimals and equal as exact values.
///
/// Accepts Python's `Decimal` syntax: optional sign, digits with an optional
/// point, optional exponent, `inf`/`infinity`/`nan` in any case, and
/// underscores anywhere (Python drops them). Exponents beyond ±10^36 are
/// rejected rather than compared.
pub(crate) fn decimals_equal(a: &[u8], b: &[u8]) -> bool {
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => equal(&a, &b),
        (Some(_) | None, _) => false,
    }
}

/// One spelling for every token [`decimals_equal`] calls equal (`1e3` and `1000.0` both give
/// `1e3`); `None` for NaN and for what is not a decimal.
pub(crate) fn canonical_decimal(token: &[u8]) -> Option<String> {
    match parse(token)? {
        Decimal::Finite { digits, .. } if digits.is_empty() => Some("0".into()),
        Decimal::Finite {
            negative,
            digits,
            exponent,
        } => Some(format!(
            "{}{}e{exponent}",
            if negative { "-" } else { "" },
            String::from_utf8_lossy(&digits)
        )),
        Decimal::Infinite { negative } => Some(if negative { "-inf" } else { "inf" }.into()),
        Decimal::NaN => None,
    }
}

fn equal(a: &Decimal, b: &Decimal) -> bool {
    match (a, b) {
        (Decimal::NaN, _) | (_, Decimal::NaN) => false,
        (Decimal::Finite { .. }, Decimal::Finite { .. })
        | (Decimal::Infinite { .. }, Decimal::Infinite { .. }) => a == b,
        (Decimal::Finite { .. }, Decimal::Infinite { .. })
        | (Decimal::Infinite { .. }, Decimal::Finite { .. }) => false,
    }
}

fn parse(token: &[u8]) -> Option<Decimal> {
    let cleaned: Vec<u8> = token.iter().copied().filter(|&c| c != b'_').collect();
    let (negative, body) = match cleaned.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        Some(_) | None => (false, &cleaned[..]),
    };
    let lower = body.to_ascii_lowercase();
    if lower == b"inf" || lower == b"infinity" {
        return Some(Decimal::Infinite { negative });
    }
    if let Some(payload) = lower
        .strip_prefix(b"snan")
        .or_else(|| lower.strip_prefix(b"nan"))
    {
        return payload
            .iter()
            .all(u8::is_ascii_digit)
            .then_some(Decimal::NaN);
    }
    parse_finite(negative, body)
}

fn parse_finite(negative: bool, body: &[u8]) -> Option<Decimal> {
    let (mantissa, exponent) = match body.iter().position(|&c| c == b'e' || c == b'E') {
        Some(i) => (&body[..i], parse_exponent(&body[i + 1..])?),
        None => (body, 0),
    };
    let (int_part, frac_part) = match mantissa.iter().position(|&c| c == b'.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, &[][..]),
    };
    let all_digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if int_part.len() + frac_part.len() == 0 || !all_digits(int_part) || !all_digits(frac_part) {
        return None;
    }
    let frac_len = i128::try_from(frac_part.len()).ok()?;
    let mut exponent = exponent.checked_sub(frac_len)?;
    let mut digits: Vec<u8> = int_part.iter().chain(frac_part).copied().collect();
    let trailing_zeros = digits.iter().rev().take_while(|&&c| c == b'0').count();
    digits.truncate(digits.len() - trailing_zeros);
    exponent = exponent.checked_add(i128::try_from(trailing_zeros).ok()?)?;
    let leading_zeros = digits.iter().take_while(|&&c| c == b'0').count();
    digits.drain(..leading_zeros);
    if digits.is_empty() {
        return Some(Decimal::Finite {
            negative: false,
            digits,
            exponent: 0,
        });
    }
    Some(Decimal::Finite {
        negative,
        digits,
        exponent,
    })
}

/// `[sign] digits`, at most 36 significant digits.
fn parse_exponent(s: &[u8]) -> Option<i128> {
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        Some(_) | None => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let significant = &digits[digits.iter().take_while(|&&c| c == b'0').count()..];
    if significant.len() > 36 {
        return None;
    }
    let magnitude = significant
        .iter()
        .fold(0i128, |acc, &c| acc * 10 + i128::from(c - b'0'));
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(a: &str, b: &str) -> bool {
        decimals_equal(a.as_bytes(), b.as_bytes())
    }

    #[test]
    fn equal_values_in_different_spellings() {
        for (a, b) in [
            ("0.5", "0.50"),
            ("0.5", ".5"),
            ("5", "5."),
            ("1e3", "1000"),
            ("1E+3", "1000.000"),
            ("12.5e-1", "1.25"),
            ("-0", "0"),
            ("+0.0", "-0e5"),
            ("0", "0e-999"),
            ("+7", "7"),
            ("007", "7"),
            ("1_000", "1000"),
            ("-1.5", "-15e-1"),
            ("inf", "Infinity"),
            ("-INF", "-infinity"),
        ] {
            assert!(eq(a, b), "{a} = {b}");
            assert!(eq(b, a), "{b} = {a}");
        }
    }

    #[test]
    fn different_values() {
        for (a, b) in [
            ("1", "2"),
            ("0.1", "0.10000000000000001"),
            ("-1", "1"),
            ("1e3", "1e4"),
            ("10", "1"),
            ("100", "0.01e3"),
            ("inf", "-inf"),
            ("inf", "1e999"),
        ] {
            assert!(!eq(a, b), "{a} != {b}");
        }
        assert!(eq("100", "0.1e3"));
    }

    #[test]
    fn integers_beyond_i64_compare_exactly() {
        let a = "123456789012345678901234567890123456789";
        assert!(eq(a, &format!("{a}.000")));
        assert!(!eq(a, "123456789012345678901234567890123456788"));
        assert!(eq("9223372036854775808", "9.223372036854775808e18"));
    }

    #[test]
    fn nan_equals_nothing() {
        assert!(!eq("nan", "nan"));
        assert!(!eq("NaN", "1"));
        assert!(!eq("sNaN12", "sNaN12"));
        assert!(parse(b"nan12").is_some());
        assert!(parse(b"nanx").is_none());
    }

    #[test]
    fn non_numbers_are_not_decimals() {
        for bad in [
            "", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "1-2", "0x10", "abc", "1,5", "--1",
            "1e5.5", "١", "in", "\u{ff}",
        ] {
            assert_eq!(parse(bad.as_bytes()), None, "{bad:?}");
        }
        assert!(!eq("abc", "abc"));
        assert!(!decimals_equal(b"\xff", b"\xff"));
    }

    #[test]
    fn huge_exponents() {
        assert!(eq("1e999999999999999999", "10e999999999999999998"));
        assert!(!eq("1e999999999999999999", "1"));
        assert_eq!(parse(b"1e9999999999999999999999999999999999999"), None);
        assert!(parse(b"1e000000000000000000000000000000000000000005").is_some());
    }

    #[test]
    fn long_numbers_are_linear() {
        let a = format!("1{}", "0".repeat(2_000_000));
        let b = format!("1e{}", 2_000_000);
        assert!(eq(&a, &b));
    }
}
