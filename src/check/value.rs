//! Comparing a function's decoded return value with the expected JSON value.

use serde_json::{Number, Value};
use sstar_pyjson as pyjson;

use super::decimal::decimals_equal;
use super::float::floats_close;
use super::outcome::{wrong, CheckOutcome};

/// Longest JSON text quoted in a reason, in characters.
const MAX_VALUE: usize = 60;

/// Deep equality of JSON values with Python's `==` semantics (LiveCodeBench
/// compares `prediction == json.loads(expected)`):
///
/// - numbers are equal when mathematically equal as written (`1` == `1.0`,
///   `1e3` == `1000`), and `true`/`false` equal `1`/`0` as in Python;
/// - with `float_tolerance` (pass `Some` only for `checker = "float"`), a pair
///   where either number is not an integer matches within the
///   absolute-or-relative tolerance; integers still compare exactly;
/// - NaN and the infinities (Python's JSON numbers) compare exactly, NaN equal to NaN (see
///   [`numbers_equal`]);
/// - arrays compare element-wise (tuples reach us as arrays), objects key-wise.
pub fn check_value(expected: &Value, actual: &Value, float_tolerance: Option<f64>) -> CheckOutcome {
    match difference(expected, actual, float_tolerance, &mut String::new()) {
        None => CheckOutcome::Accepted,
        Some(reason) => wrong(reason),
    }
}

/// The first difference, described with its path (`[2].name`), or `None`.
fn difference(
    expected: &Value,
    actual: &Value,
    tolerance: Option<f64>,
    path: &mut String,
) -> Option<String> {
    let mismatch = |path: &str| {
        Some(format!(
            "{}expected {}, got {}",
            at(path),
            show(expected),
            show(actual)
        ))
    };
    match (expected, actual) {
        (Value::Array(want), Value::Array(got)) => {
            if want.len() != got.len() {
                return Some(format!(
                    "{}expected {} items, got {}: expected {}, got {}",
                    at(path),
                    want.len(),
                    got.len(),
                    show(expected),
                    show(actual)
                ));
            }
            want.iter().zip(got).enumerate().find_map(|(i, (e, a))| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = difference(e, a, tolerance, path);
                path.truncate(len);
                found
            })
        }
        (Value::Object(want), Value::Object(got)) => {
            if let Some(key) = want.keys().find(|k| !got.contains_key(*k)) {
                return Some(format!("{}missing key {}", at(path), show_key(key)));
            }
            if let Some(key) = got.keys().find(|k| !want.contains_key(*k)) {
                return Some(format!("{}unexpected key {}", at(path), show_key(key)));
            }
            want.iter().find_map(|(key, e)| {
                let len = path.len();
                path.push_str(&format!("[{}]", show_key(key)));
                let found = got.get(key).and_then(|a| difference(e, a, tolerance, path));
                path.truncate(len);
                found
            })
        }
        (Value::Number(e), Value::Number(a)) if numbers_equal(e, a, tolerance) => None,
        (Value::Bool(b), Value::Number(n)) | (Value::Number(n), Value::Bool(b))
            if numbers_equal(&Number::from(u8::from(*b)), n, None) =>
        {
            None
        }
        (Value::Bool(e), Value::Bool(a)) if e == a => None,
        (Value::String(e), Value::String(a)) if e == a => None,
        (Value::Null, Value::Null) => None,
        _ => mismatch(path),
    }
}

/// Exact decimal equality, or closeness within the tolerance unless both are integers.
///
/// Non-finite numbers (Python's `NaN`, `Infinity`, `-Infinity`, and float literals beyond a
/// double such as `1e400`, which `json.loads` reads as infinities) compare exactly, under a
/// tolerance too: an infinity equals only the same infinity, never a large finite number.
/// NaN equals NaN: a test expecting NaN wants a program that returns NaN (Python's
/// `nan == nan` is false, which would fail every program on such a test).
fn numbers_equal(expected: &Number, actual: &Number, tolerance: Option<f64>) -> bool {
    match (pyjson::non_finite(expected), pyjson::non_finite(actual)) {
        (Some(e), Some(a)) => e == a || (e.is_nan() && a.is_nan()),
        (Some(_), None) | (None, Some(_)) => false,
        (None, None) => finite_numbers_equal(expected, actual, tolerance),
    }
}

fn finite_numbers_equal(expected: &Number, actual: &Number, tolerance: Option<f64>) -> bool {
    let exact = || {
        decimals_equal(
            expected.to_string().as_bytes(),
            actual.to_string().as_bytes(),
        )
    };
    match (tolerance, expected.as_f64(), actual.as_f64()) {
        (Some(tol), Some(e), Some(a)) if !(is_integer(expected) && is_integer(actual)) => {
            floats_close(e, a, tol)
        }
        (Some(_) | None, _, _) => exact(),
    }
}

/// Written without a fraction or exponent (numbers keep their text: any size is exact).
fn is_integer(n: &Number) -> bool {
    pyjson::is_integer(n)
}

fn at(path: &str) -> String {
    match path {
        "" => String::new(),
        path => format!("at {path}: "),
    }
}

fn show(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(MAX_VALUE) {
        Some((cut, _)) => format!("`{}…`", &text[..cut]),
        None => format!("`{text}`"),
    }
}

fn show_key(key: &str) -> String {
    Value::from(key).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn same(expected: Value, actual: Value) -> bool {
        check_value(&expected, &actual, None).is_accepted()
    }

    fn reason(expected: Value, actual: Value, tolerance: Option<f64>) -> String {
        match check_value(&expected, &actual, tolerance) {
            CheckOutcome::WrongAnswer(reason) => reason,
            CheckOutcome::Accepted => panic!("{expected} vs {actual} accepted"),
        }
    }

    #[test]
    fn deep_equality() {
        assert!(same(
            json!([1, [2, "a"], {"k": null}]),
            json!([1, [2, "a"], {"k": null}])
        ));
        assert!(same(json!({"a": 1, "b": 2}), json!({"b": 2, "a": 1})));
        assert!(!same(json!([1, 2]), json!([2, 1])));
        assert!(!same(json!("1"), json!(1)));
        assert!(!same(json!(null), json!(0)));
        assert!(!same(json!([]), json!({})));
        assert!(!same(json!(""), json!(null)));
    }

    #[test]
    fn integers_equal_floats_when_mathematically_equal() {
        assert!(same(json!(1), json!(1.0)));
        assert!(same(json!(-0.0), json!(0)));
        assert!(same(json!([2.5, 3]), json!([2.5, 3.0])));
        assert!(!same(json!(1), json!(1.5)));
        assert!(!same(
            json!(9007199254740993_u64),
            json!(9007199254740992.0)
        ));
        assert!(same(json!(u64::MAX), json!(u64::MAX)));
        assert!(!same(json!(u64::MAX), json!(i64::MIN)));
    }

    #[test]
    fn floats_are_exact_without_tolerance() {
        assert!(!same(json!(0.1), json!(0.10000000000000002)));
        assert!(same(json!(0.30000000000000004), json!(0.1 + 0.2)));
    }

    #[test]
    fn booleans_equal_zero_and_one_as_in_python() {
        assert!(same(json!(true), json!(1)));
        assert!(same(json!([false]), json!([0.0])));
        assert!(!same(json!(true), json!(2)));
        assert!(!same(json!(true), json!(false)));
        assert!(!same(json!(true), json!("true")));
    }

    #[test]
    fn tolerance_applies_to_floats_only() {
        let tol = Some(1e-6);
        assert!(check_value(&json!(0.5), &json!(0.5000009), tol).is_accepted());
        assert!(check_value(&json!([1.0, 2]), &json!([1.0000001, 2]), tol).is_accepted());
        assert!(check_value(&json!(2), &json!(2.0000001), tol).is_accepted());
        assert!(!check_value(&json!(0.5), &json!(0.500002), tol).is_accepted());
        assert!(!check_value(&json!(1000000000), &json!(1000000001), tol).is_accepted());
        assert!(!check_value(&json!(0.5), &json!(0.5000009), None).is_accepted());
    }

    #[test]
    fn infinities_compare_exactly_even_under_a_tolerance() {
        let py = |t: &str| pyjson::from_str(t).expect("python json");
        for tolerance in [None, Some(1e-6), Some(0.5)] {
            let same = |e: &str, a: &str| check_value(&py(e), &py(a), tolerance).is_accepted();
            assert!(same("Infinity", "Infinity"));
            assert!(same("-Infinity", "-Infinity"));
            assert!(same("[1.5, -Infinity]", "[1.5, -Infinity]"));
            assert!(!same("Infinity", "-Infinity"));
            assert!(!same("Infinity", "1e308"));
            assert!(!same("1.7976931348623157e308", "Infinity"));
            assert!(!same("[1.5, -Infinity]", "[1.5, -1e308]"));
            assert!(!same("Infinity", &format!("1{}", "0".repeat(400))));
            // Python reads a float literal beyond a double as an infinity.
            assert!(same("Infinity", "1e400"));
            assert!(!same("Infinity", "\"inf\""));
        }
    }

    #[test]
    fn nan_equals_nan_and_nothing_else() {
        let py = |t: &str| pyjson::from_str(t).expect("python json");
        for tolerance in [None, Some(1e-6)] {
            let same = |e: &str, a: &str| check_value(&py(e), &py(a), tolerance).is_accepted();
            assert!(same("NaN", "NaN"));
            assert!(same("[1, NaN]", "[1.0, NaN]"));
            assert!(!same("NaN", "0"));
            assert!(!same("0", "NaN"));
            assert!(!same("NaN", "Infinity"));
            assert!(!same("NaN", "null"));
        }
        assert_eq!(
            reason(py("[NaN]"), py("[-Infinity]"), None),
            "at [0]: expected `NaN`, got `-Infinity`"
        );
    }

    #[test]
    fn reasons_name_the_path() {
        assert_eq!(reason(json!(5), json!(6), None), "expected `5`, got `6`");
        assert_eq!(
            reason(json!([1, [2, 3]]), json!([1, [2, 4]]), None),
            "at [1][1]: expected `3`, got `4`"
        );
        assert_eq!(
            reason(json!({"a": {"b": 1}}), json!({"a": {"b": 2}}), None),
            "at [\"a\"][\"b\"]: expected `1`, got `2`"
        );
        assert_eq!(
            reason(json!([1, 2]), json!([1, 2, 3]), None),
            "expected 2 items, got 3: expected `[1,2]`, got `[1,2,3]`"
        );
        assert_eq!(
            reason(json!({"a": 1}), json!({}), None),
            "missing key \"a\""
        );
        assert_eq!(
            reason(json!({}), json!({"z": 1}), None),
            "unexpected key \"z\""
        );
    }

    #[test]
    fn long_values_are_cut() {
        let r = reason(json!(vec![1; 1000]), json!(vec![2; 1000]), None);
        assert!(r.chars().count() <= 201, "{r}");
        assert!(r.starts_with("at [0]: expected `1`, got `2`"), "{r}");
        let r = reason(json!(vec![1; 1000]), json!(vec![1; 999]), None);
        assert!(r.contains('…'), "{r}");
    }

    #[test]
    fn integers_of_any_size_compare_exactly() {
        let parse = |t: &str| serde_json::from_str::<Value>(t).expect("json");
        let big = "1180591620717411303424"; // 2^70: beyond i64, u64 and f64's exact range
        let next = "1180591620717411303425";
        assert_eq!(
            check_value(&parse(big), &parse(big), None),
            CheckOutcome::Accepted
        );
        for tolerance in [None, Some(1e-6)] {
            assert!(matches!(
                check_value(&parse(big), &parse(next), tolerance),
                CheckOutcome::WrongAnswer(_)
            ));
        }
        let huge = format!("[1{}]", "0".repeat(400));
        assert_eq!(
            check_value(&parse(&huge), &parse(&huge), None),
            CheckOutcome::Accepted
        );
    }
}
