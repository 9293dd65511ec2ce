//! One test of a problem (a `NAME.in` / `NAME.out` pair) and which tests to run.

use std::sync::Arc;

use serde_json::Value;
use sstar_pyjson as pyjson;

/// Where a test lives: shown to the model or kept back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// `tests/public`: shown to the model, used for debugging.
    Public,
    /// `tests/hidden`: never shown; used only to judge.
    Hidden,
}

/// Which tests of a problem to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TestSelection {
    /// Public tests only.
    Public,
    /// Hidden tests only.
    Hidden,
    /// Public tests, then hidden tests.
    #[default]
    All,
}

/// A test pair, read as raw bytes (cheap to clone and share).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCase {
    /// `NAME` of `NAME.in`.
    pub name: String,
    /// Public or hidden.
    pub visibility: Visibility,
    /// Contents of `NAME.in`: stdin, or one JSON argument per line.
    pub input: Arc<[u8]>,
    /// Contents of `NAME.out`: expected stdout, or one JSON value.
    pub expected: Arc<[u8]>,
}

impl TestCase {
    /// The positional arguments of a function test: one JSON value per non-blank line.
    ///
    /// Loading validates function problems' tests, so this fails only on a
    /// hand-built `TestCase`.
    pub fn arguments(&self) -> Result<Vec<Value>, serde_json::Error> {
        parse_arguments(&self.input)
            .map(|args| args.into_iter().map(|(_, value)| value).collect())
            .map_err(|(_, err)| err)
    }

    /// The expected return value of a function test.
    pub fn expected_value(&self) -> Result<Value, serde_json::Error> {
        parse_expected(&self.expected)
    }
}

/// Parses each non-blank line as JSON, giving `(1-based line, value)`;
/// an error carries its line number.
///
/// JSON here is Python's (docs/problems.md): `NaN`, `Infinity` and `-Infinity` are numbers. The
/// `.in` bytes themselves go to the program unchanged, where `json.loads` reads them alike.
pub(crate) fn parse_arguments(
    input: &[u8],
) -> Result<Vec<(usize, Value)>, (usize, serde_json::Error)> {
    input
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.trim_ascii().is_empty())
        .map(|(i, line)| {
            pyjson::from_slice(line)
                .map(|value| (i + 1, value))
                .map_err(|err| (i + 1, err))
        })
        .collect()
}

/// Parses a function test's `.out`: one value of Python's JSON.
pub(crate) fn parse_expected(expected: &[u8]) -> Result<Value, serde_json::Error> {
    pyjson::from_slice(expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn case(input: &str, expected: &str) -> TestCase {
        TestCase {
            name: "1".into(),
            visibility: Visibility::Public,
            input: input.as_bytes().into(),
            expected: expected.as_bytes().into(),
        }
    }

    #[test]
    fn arguments_are_one_json_value_per_line() {
        let t = case("[1, 2, 3]\n\"abc\"\r\n\n{\"k\": null}\n", "true");
        assert_eq!(
            t.arguments().expect("valid"),
            vec![json!([1, 2, 3]), json!("abc"), json!({"k": null})]
        );
        assert_eq!(t.expected_value().expect("valid"), json!(true));
    }

    #[test]
    fn empty_input_means_no_arguments() {
        assert_eq!(
            case("", "1").arguments().expect("valid"),
            Vec::<Value>::new()
        );
    }

    #[test]
    fn bad_argument_line_is_reported_with_its_number() {
        let err = parse_arguments(b"1\n\n[1,\n").expect_err("invalid");
        assert_eq!(err.0, 3);
        assert!(case("1\n2 3\n", "1").arguments().is_err());
    }

    #[test]
    fn python_json_numbers_are_accepted() {
        let t = case("[1.5, -Infinity]\nNaN\n\"Infinity\"\n", "Infinity");
        let args = t.arguments().expect("valid");
        assert_eq!(args[0].to_string(), "[1.5,-Infinity]");
        assert_eq!(args[1].to_string(), "NaN");
        assert_eq!(args[2], json!("Infinity"));
        assert_eq!(t.expected_value().expect("valid").to_string(), "Infinity");
        assert!(case("", "inf").expected_value().is_err());
        assert!(case("", "-NaN").expected_value().is_err());
    }

    #[test]
    fn expected_must_be_one_value() {
        assert!(case("", "1 2").expected_value().is_err());
        assert_eq!(
            case("", " [1]\n").expected_value().expect("valid"),
            json!([1])
        );
    }
}
