//! Field shapes the benchmarks share: ids that are numbers or strings, JSON stored as a string
//! or inline, Python starter code.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::error::SkipReason;
use super::input::RawRow;

/// Deserializes a whole row (taking its strings, not copying them), naming the field that
/// does not fit.
pub(crate) fn row<T: DeserializeOwned>(value: Result<Value, SkipReason>) -> Result<T, SkipReason> {
    T::deserialize(value?).map_err(|e| SkipReason::BadRow(e.to_string()))
}

/// The row's `key` as an id (a string, or a number written as text), if present.
pub(crate) fn id_of(raw: &RawRow, key: &str) -> Option<String> {
    match raw.value.as_ref().ok()?.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An id given as a string or a number.
pub(crate) fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Ok(String::new()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or a number, got {other}"
        ))),
    }
}

/// A value that datasets store either as JSON text or inline; `Null` and `""` are absent.
pub(crate) fn embedded<T: DeserializeOwned>(
    value: &Value,
    what: &str,
) -> Result<Option<T>, SkipReason> {
    let parsed = match value {
        Value::Null => return Ok(None),
        Value::String(text) if text.trim().is_empty() => return Ok(None),
        Value::String(text) => serde_json::from_str(text),
        inline => T::deserialize(inline),
    };
    parsed
        .map(Some)
        .map_err(|e| SkipReason::UnparsableTests(format!("{what}: {e}")))
}

/// Whether starter code looks like Python (not C++/Java): it defines something, without braces
/// ending lines or semicolons ending statements.
pub(crate) fn looks_like_python(starter: &str) -> bool {
    let code: Vec<&str> = starter
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    code.iter()
        .any(|l| l.trim_start().starts_with("def ") || l.trim_start().starts_with("class "))
        && !code
            .iter()
            .any(|l| l.ends_with('{') || l.ends_with(';') || l.trim() == "}")
}

/// The judge platform of a problem URL, for `source`.
pub(crate) fn platform_of_url(url: &str) -> Option<&'static str> {
    let host = url.split("//").nth(1)?.split('/').next()?.to_lowercase();
    [
        "codeforces",
        "atcoder",
        "codechef",
        "codewars",
        "leetcode",
        "hackerrank",
        "kattis",
        "aizu",
        "hackerearth",
    ]
    .into_iter()
    .find(|p| host.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn embedded_json_is_read_from_text_or_inline() {
        let text: Option<Vec<i32>> = embedded(&json!("[1, 2]"), "x").expect("text");
        assert_eq!(text, Some(vec![1, 2]));
        let inline: Option<Vec<i32>> = embedded(&json!([3]), "x").expect("inline");
        assert_eq!(inline, Some(vec![3]));
        assert_eq!(embedded::<Vec<i32>>(&json!(""), "x").expect("empty"), None);
        let err = embedded::<Vec<i32>>(&json!("[1,"), "public tests").expect_err("bad");
        assert!(
            err.to_string()
                .starts_with("unparsable tests: public tests:"),
            "{err}"
        );
    }

    #[test]
    fn python_starters_are_told_from_others() {
        assert!(looks_like_python(
            "class Solution:\n    def f(self, a: List[int]) -> int:\n        "
        ));
        assert!(looks_like_python("def solve(n):\n"));
        assert!(!looks_like_python(
            "class Solution {\npublic:\n    int f(vector<int>& a) {\n        \n    }\n};"
        ));
        assert!(!looks_like_python("int main() {\n  return 0;\n}\n"));
        assert!(!looks_like_python(""));
    }

    #[test]
    fn platforms_come_from_the_host() {
        assert_eq!(
            platform_of_url("https://codeforces.com/problemset/problem/1/A"),
            Some("codeforces")
        );
        assert_eq!(
            platform_of_url("https://www.codewars.com/kata/x"),
            Some("codewars")
        );
        assert_eq!(platform_of_url("https://example.com/x"), None);
    }
}
