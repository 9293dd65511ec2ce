//! The `exact` checker: byte-equal after trailing whitespace is removed.

use super::lines::{empty_output_reason, first_line_difference};
use super::outcome::{wrong, CheckOutcome};
use super::text::trim_end;

/// Byte equality of both outputs once trailing whitespace at the very end is removed.
pub(crate) fn check_exact(expected: &[u8], actual: &[u8]) -> CheckOutcome {
    let want = trim_end(expected);
    let got = trim_end(actual);
    if want == got {
        return CheckOutcome::Accepted;
    }
    let reason = empty_output_reason(expected, actual).unwrap_or_else(|| {
        let want: Vec<&[u8]> = want.split(|&c| c == b'\n').collect();
        let got: Vec<&[u8]> = got.split(|&c| c == b'\n').collect();
        first_line_difference(&want, &got, |e, a| e == a)
            .unwrap_or_else(|| "output differs".to_owned())
    });
    wrong(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(expected: &[u8], actual: &[u8]) -> String {
        match check_exact(expected, actual) {
            CheckOutcome::WrongAnswer(reason) => reason,
            CheckOutcome::Accepted => panic!("accepted"),
        }
    }

    #[test]
    fn trailing_whitespace_at_the_end_is_ignored() {
        assert!(check_exact(b"a\nb", b"a\nb\n\n  \t").is_accepted());
        assert!(check_exact(b"a\nb\n", b"a\nb").is_accepted());
        assert!(check_exact(b"", b"\n").is_accepted());
    }

    #[test]
    fn other_whitespace_matters() {
        assert_eq!(reason(b"a\nb", b"a \nb"), "line 1: expected `a`, got `a `");
        assert_eq!(
            reason(b"a b", b"a  b"),
            "line 1: expected `a b`, got `a  b`"
        );
        assert_eq!(reason(b"a\nb", b" a\nb"), "line 1: expected `a`, got ` a`");
        assert_eq!(
            reason(b"a\nb", b"a\r\nb"),
            "line 1: expected `a`, got `a\\r`"
        );
    }

    #[test]
    fn numbers_are_text() {
        assert!(!check_exact(b"0.5", b"0.50").is_accepted());
    }

    #[test]
    fn blank_lines_inside_matter() {
        assert_eq!(
            reason(b"a\nb", b"a\n\nb"),
            "expected 2 lines, got 3; line 2: expected `b`, got ``"
        );
        assert_eq!(
            reason(b"a", b"a\nb"),
            "expected 1 line, got 2; extra line 2: `b`"
        );
    }

    #[test]
    fn empty_output_is_named() {
        assert_eq!(reason(b"1", b" \n"), "empty output");
    }

    #[test]
    fn non_utf8_bytes_compare_as_bytes() {
        assert!(check_exact(b"\xff\n", b"\xff").is_accepted());
        assert!(!check_exact(b"\xff", b"\xfe").is_accepted());
    }
}
