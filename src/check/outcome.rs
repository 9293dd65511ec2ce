//! The result of a check, and short human-readable reasons for a wrong answer.

/// Whether an answer matches; a wrong answer says briefly where and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    /// The answer is right.
    Accepted,
    /// The answer is wrong; the text (at most about 200 characters) names the
    /// first difference, e.g. ``line 3: expected `5`, got `6` ``.
    WrongAnswer(String),
}

impl CheckOutcome {
    /// Whether the answer was accepted.
    pub fn is_accepted(&self) -> bool {
        match self {
            Self::Accepted => true,
            Self::WrongAnswer(_) => false,
        }
    }
}

/// Longest reason kept, in characters.
const MAX_REASON: usize = 200;
/// Longest quoted fragment, in characters.
const MAX_FRAGMENT: usize = 60;
/// Characters of common prefix shown before the first difference.
const CONTEXT: usize = 15;

/// A wrong answer with `reason`, cut to [`MAX_REASON`] characters.
pub(crate) fn wrong(reason: String) -> CheckOutcome {
    CheckOutcome::WrongAnswer(truncate(reason, MAX_REASON))
}

fn truncate(s: String, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s,
    }
}

/// A fragment of output in backticks: lossy UTF-8, control characters escaped,
/// long text cut.
pub(crate) fn quote(bytes: &[u8]) -> String {
    format!("`{}`", truncate(escape(bytes), MAX_FRAGMENT))
}

/// Quotes two differing fragments, both starting shortly before their first
/// difference so that the difference is visible in long lines.
pub(crate) fn quote_pair(expected: &[u8], actual: &[u8]) -> (String, String) {
    let expected = escape(expected);
    let actual = escape(actual);
    let common = expected
        .chars()
        .zip(actual.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let skip = common.saturating_sub(CONTEXT);
    let window = |s: &str| {
        let tail: String = s.chars().skip(skip).collect();
        let prefix = if skip > 0 { "…" } else { "" };
        format!("`{prefix}{}`", truncate(tail, MAX_FRAGMENT))
    };
    (window(&expected), window(&actual))
}

fn escape(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| match c {
            c if c.is_control() => c.escape_default().collect(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_is_accepted() {
        assert!(CheckOutcome::Accepted.is_accepted());
        assert!(!CheckOutcome::WrongAnswer(String::new()).is_accepted());
    }

    #[test]
    fn reasons_are_truncated() {
        let CheckOutcome::WrongAnswer(reason) = wrong("é".repeat(500)) else {
            panic!("wrong answer expected");
        };
        assert_eq!(reason.chars().count(), MAX_REASON + 1);
        assert!(reason.ends_with('…'));
        assert_eq!(
            wrong("short".into()),
            CheckOutcome::WrongAnswer("short".into())
        );
    }

    #[test]
    fn quotes_escape_and_cut() {
        assert_eq!(quote(b"a\tb\r"), "`a\\tb\\r`");
        assert_eq!(quote(b"\xff"), "`\u{fffd}`");
        assert_eq!(quote(b""), "``");
        let long = quote(&[b'x'; 100]);
        assert_eq!(long.chars().count(), MAX_FRAGMENT + 3);
    }

    #[test]
    fn quote_pair_shows_the_difference() {
        let a = format!("{}1", "x".repeat(100));
        let b = format!("{}2", "x".repeat(100));
        let (qa, qb) = quote_pair(a.as_bytes(), b.as_bytes());
        assert_eq!(qa, format!("`…{}1`", "x".repeat(CONTEXT)));
        assert_eq!(qb, format!("`…{}2`", "x".repeat(CONTEXT)));
        assert_eq!(quote_pair(b"5", b"6"), ("`5`".into(), "`6`".into()));
    }
}
