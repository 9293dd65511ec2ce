//! The `lines` checker (LiveCodeBench's rule) and line-difference reasons.

use super::decimal::{canonical_decimal, decimals_equal};
use super::outcome::{quote, quote_pair, wrong, CheckOutcome};
use super::text::{stripped_lines, tokens, trim};

/// Strips the whole output and each line; lines must be equal in number and
/// each equal as text or as a list of exact decimals.
pub(crate) fn check_lines(expected: &[u8], actual: &[u8]) -> CheckOutcome {
    let want = stripped_lines(expected);
    let got = stripped_lines(actual);
    match first_line_difference(&want, &got, lines_equal) {
        None => CheckOutcome::Accepted,
        Some(reason) => wrong(empty_output_reason(expected, actual).unwrap_or(reason)),
    }
}

/// Whether two stripped lines are equal as text or as decimal lists.
fn lines_equal(expected: &[u8], actual: &[u8]) -> bool {
    expected == actual || {
        let mut want = tokens(expected);
        let mut got = tokens(actual);
        loop {
            match (want.next(), got.next()) {
                (Some(e), Some(a)) if decimals_equal(e, a) => {}
                (None, None) => break true,
                (Some(_), Some(_) | None) | (None, Some(_)) => break false,
            }
        }
    }
}

/// [`canonical_line_bytes`] as text (invalid UTF-8 replaced), for showing and diffing.
pub fn canonical_lines(output: &[u8]) -> String {
    String::from_utf8_lossy(&canonical_line_bytes(output)).into_owned()
}

/// The output in a form where two outputs the `lines` checker calls equal coincide: stripped
/// lines, each kept as bytes unless all its tokens are decimals, then in canonical spelling.
pub(crate) fn canonical_line_bytes(output: &[u8]) -> Vec<u8> {
    let mut canonical = Vec::with_capacity(output.len());
    for (i, line) in stripped_lines(output).into_iter().enumerate() {
        if i > 0 {
            canonical.push(b'\n');
        }
        let numbers: Option<Vec<String>> = tokens(line).map(canonical_decimal).collect();
        match numbers {
            Some(numbers) if !numbers.is_empty() => {
                canonical.extend_from_slice(numbers.join(" ").as_bytes());
            }
            Some(_) | None => canonical.extend_from_slice(line),
        }
    }
    canonical
}

/// Names an empty output plainly instead of as a line difference.
pub(crate) fn empty_output_reason(expected: &[u8], actual: &[u8]) -> Option<String> {
    match (trim(expected).is_empty(), trim(actual).is_empty()) {
        (false, true) => Some("empty output".to_owned()),
        (true, false) => Some(format!(
            "expected empty output, got {}",
            quote(trim(actual))
        )),
        (true, true) | (false, false) => None,
    }
}

/// The first difference between two lists of lines, or `None` when they match.
pub(crate) fn first_line_difference(
    want: &[&[u8]],
    got: &[&[u8]],
    equal: impl Fn(&[u8], &[u8]) -> bool,
) -> Option<String> {
    let first = want.iter().zip(got).position(|(e, a)| !equal(e, a));
    let counts = || format!("expected {}, got {}", plural(want.len(), "line"), got.len());
    let line = |i: usize| {
        let (e, a) = quote_pair(want[i], got[i]);
        format!("line {}: expected {e}, got {a}", i + 1)
    };
    match first {
        Some(i) if want.len() == got.len() => Some(line(i)),
        Some(i) => Some(format!("{}; {}", counts(), line(i))),
        None if want.len() == got.len() => None,
        None if want.len() > got.len() => Some(format!(
            "{}; missing line {}: {}",
            counts(),
            got.len() + 1,
            quote(want[got.len()])
        )),
        None => Some(format!(
            "{}; extra line {}: {}",
            counts(),
            want.len() + 1,
            quote(got[want.len()])
        )),
    }
}

/// `1 line`, `2 lines`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms_coincide_exactly_when_the_checker_accepts() {
        let pairs = [
            ("1e3\n2", " 1000.0 \r\n2\n\n"),
            ("-0 0.50", "0 .5"),
            ("abc 1e3", "abc 1000"),
            ("a  b", "a b"),
            ("1 2", "1 2 3"),
            ("nan", "nan"),
            ("inf -inf", "Infinity -INF"),
            ("", "  \n"),
            ("7", "7.000000001"),
            ("\u{fffd}", "\u{fffd}"),
        ];
        for (a, b) in pairs {
            let accepted = check(a, b) == CheckOutcome::Accepted;
            let same = canonical_line_bytes(a.as_bytes()) == canonical_line_bytes(b.as_bytes());
            assert_eq!(
                same,
                accepted || (a == "nan" && b == "nan"),
                "{a:?} vs {b:?}"
            );
        }
    }

    fn check(expected: &str, actual: &str) -> CheckOutcome {
        check_lines(expected.as_bytes(), actual.as_bytes())
    }

    fn reason(expected: &str, actual: &str) -> String {
        match check(expected, actual) {
            CheckOutcome::WrongAnswer(reason) => reason,
            CheckOutcome::Accepted => panic!("{expected:?} vs {actual:?} was accepted"),
        }
    }

    #[test]
    fn canonical_forms_keep_invalid_bytes_apart() {
        assert_ne!(canonical_line_bytes(b"\xff"), canonical_line_bytes(b"\xfe"));
        assert_eq!(
            canonical_line_bytes(b"\xff \n"),
            canonical_line_bytes(b"\xff")
        );
    }

    #[test]
    fn equal_text_is_accepted() {
        assert!(check("1 2\nabc\n", "1 2\nabc\n").is_accepted());
        assert!(check("yes", "yes").is_accepted());
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        assert!(check("1\n2\n", "  1  \r\n2\t\r\n\n\n").is_accepted());
        assert!(check("\n\n1\n2", "1\n2").is_accepted());
        assert!(check("a\r\nb\r\n", "a\nb").is_accepted());
    }

    #[test]
    fn inner_blank_lines_count() {
        assert_eq!(
            reason("1\n\n2", "1\n2"),
            "expected 3 lines, got 2; line 2: expected ``, got `2`"
        );
    }

    #[test]
    fn inner_whitespace_matters_for_text() {
        assert!(!check("a b", "a  b").is_accepted());
        assert!(check("1 2", "1   2").is_accepted());
    }

    #[test]
    fn decimals_compare_exactly() {
        assert!(check("0.5", "0.50").is_accepted());
        assert!(check("1000", "1e3").is_accepted());
        assert!(check("0", "-0").is_accepted());
        assert!(check("1.5 2", "1.50 2.0").is_accepted());
        assert!(!check("0.3333333", "0.33333333").is_accepted());
        assert!(!check("1 2", "1 2 3").is_accepted());
    }

    #[test]
    fn big_integers_compare_exactly() {
        let a = "170141183460469231731687303715884105728";
        assert!(check(a, &format!("{a}.0")).is_accepted());
        assert!(!check(a, "170141183460469231731687303715884105729").is_accepted());
    }

    #[test]
    fn mixed_words_and_numbers_must_match_as_text() {
        assert!(!check("Case 1: 0.5", "Case 1: 0.50").is_accepted());
        assert!(check("nan", "nan").is_accepted());
    }

    #[test]
    fn wrong_line_names_it() {
        assert_eq!(reason("1\n5\n", "1\n6\n"), "line 2: expected `5`, got `6`");
    }

    #[test]
    fn extra_and_missing_lines() {
        assert_eq!(
            reason("1\n2", "1\n2\n3"),
            "expected 2 lines, got 3; extra line 3: `3`"
        );
        assert_eq!(
            reason("1\n2", "1"),
            "expected 2 lines, got 1; missing line 2: `2`"
        );
    }

    #[test]
    fn empty_outputs() {
        assert!(check("", "").is_accepted());
        assert!(check("", "\n \n").is_accepted());
        assert!(check("\n", "").is_accepted());
        assert_eq!(reason("5", ""), "empty output");
        assert_eq!(reason("", "5\n"), "expected empty output, got `5`");
    }

    #[test]
    fn non_utf8_bytes_compare_as_bytes() {
        assert!(check_lines(b"\xff\xfe", b"\xff\xfe\n").is_accepted());
        assert!(!check_lines(b"\xff", b"\xfe").is_accepted());
    }

    #[test]
    fn long_reasons_stay_short() {
        let long = "9".repeat(10_000);
        let r = reason(&long, &format!("{long}8"));
        assert!(r.chars().count() <= 201, "{r}");
    }

    #[test]
    fn plural_forms() {
        assert_eq!(plural(1, "line"), "1 line");
        assert_eq!(plural(0, "line"), "0 lines");
    }
}
