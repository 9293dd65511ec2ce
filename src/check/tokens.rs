//! The `tokens` checker, and the token walk the `float` checker shares.

use super::lines::{empty_output_reason, plural};
use super::outcome::{quote, quote_pair, wrong, CheckOutcome};
use super::text::tokens;

/// Whitespace-separated tokens equal as bytes.
pub(crate) fn check_tokens(expected: &[u8], actual: &[u8]) -> CheckOutcome {
    compare_tokens(expected, actual, |e, a| e == a, "")
}

/// Walks both token lists; `same` decides each pair; `note` is appended to
/// the reason for a differing token.
pub(crate) fn compare_tokens(
    expected: &[u8],
    actual: &[u8],
    same: impl Fn(&[u8], &[u8]) -> bool,
    note: &str,
) -> CheckOutcome {
    let mut want = tokens(expected);
    let mut got = tokens(actual);
    let mut index = 0;
    let reason = loop {
        index += 1;
        match (want.next(), got.next()) {
            (None, None) => return CheckOutcome::Accepted,
            (Some(e), Some(a)) if same(e, a) => {}
            (Some(e), Some(a)) => {
                let (e, a) = quote_pair(e, a);
                break format!("token {index}: expected {e}, got {a}{note}");
            }
            (Some(e), None) => {
                let total = index + want.count();
                break format!(
                    "expected {}, got {}; missing token {index}: {}",
                    plural(total, "token"),
                    index - 1,
                    quote(e)
                );
            }
            (None, Some(a)) => {
                let total = index + got.count();
                break format!(
                    "expected {}, got {}; extra token {index}: {}",
                    plural(index - 1, "token"),
                    total,
                    quote(a)
                );
            }
        }
    };
    wrong(empty_output_reason(expected, actual).unwrap_or(reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(expected: &str, actual: &str) -> String {
        match check_tokens(expected.as_bytes(), actual.as_bytes()) {
            CheckOutcome::WrongAnswer(reason) => reason,
            CheckOutcome::Accepted => panic!("accepted"),
        }
    }

    #[test]
    fn any_whitespace_separates() {
        assert!(check_tokens(b"1 2 3\n", b"1\n2\r\n\t3").is_accepted());
        assert!(check_tokens(b"", b"  \n").is_accepted());
    }

    #[test]
    fn tokens_compare_as_text() {
        assert_eq!(reason("1 2 3", "1 2 4"), "token 3: expected `3`, got `4`");
        assert!(!check_tokens(b"0.5", b"0.50").is_accepted());
        assert!(!check_tokens(b"Yes", b"yes").is_accepted());
    }

    #[test]
    fn counts_differ() {
        assert_eq!(
            reason("1 2 3", "1 2"),
            "expected 3 tokens, got 2; missing token 3: `3`"
        );
        assert_eq!(
            reason("1", "1 2 3"),
            "expected 1 token, got 3; extra token 2: `2`"
        );
        assert_eq!(reason("1", ""), "empty output");
    }

    #[test]
    fn non_utf8_tokens() {
        assert!(check_tokens(b"\xff 1", b"\xff\n1").is_accepted());
        assert!(!check_tokens(b"\xff", b"\xfe").is_accepted());
    }
}
