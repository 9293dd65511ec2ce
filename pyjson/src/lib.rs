//! Python's JSON: what `json.dumps` writes and `json.loads` reads, that is JSON plus the bare
//! numbers `NaN`, `Infinity` and `-Infinity`.
//!
//! Datasets written by Python and the values a `function` program returns hold them, so both
//! the worker's reports and a problem's tests are read here. A non-finite number becomes a
//! [`Number`] whose text is Python's spelling: it prints back as `NaN`/`Infinity`/`-Infinity`
//! (which `json.loads` reads again), compares equal to the same spelling, and [`as_f64`]
//! reads it as the float it is (`Number::as_f64` gives `None` for it).
//!
//! `serde_json` cannot parse those tokens, so a pre-pass replaces each (outside strings, in a
//! value position) by a placeholder integer of the same length that is no number of the text,
//! so error positions stay exact; after parsing, the placeholders are swapped back.

use std::collections::HashSet;

use serde_json::{Number, Value};

/// The non-finite numbers and their spellings.
const SPECIALS: [&str; 3] = ["NaN", "Infinity", "-Infinity"];

/// Parses Python's JSON.
pub fn from_slice(text: &[u8]) -> Result<Value, serde_json::Error> {
    let found = specials(text);
    if found.is_empty() {
        return serde_json::from_slice(text);
    }
    let taken = integer_literals(text);
    let placeholders: [String; 3] =
        [0, 1, 2].map(|kind| placeholder(SPECIALS[kind].len(), &taken, kind == 2));
    let rewritten = rewrite(text, &found, &placeholders);
    let mut value: Value = serde_json::from_slice(&rewritten)?;
    restore(&mut value, &placeholders);
    Ok(value)
}

/// How many values the text holds, counted without parsing (separators and openings outside
/// strings, plus one), or `None` once past `cap`: a bound checked before the text is parsed, so
/// a value's size in memory is known from its size on the wire.
pub fn count_values(text: &[u8], cap: usize) -> Option<usize> {
    let mut count = 1usize;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'"' => {
                i = string_end(text, i);
                continue;
            }
            b'[' | b'{' | b',' | b':' => {
                count += 1;
                if count > cap {
                    return None;
                }
            }
            _ => {}
        }
        i += 1;
    }
    Some(count)
}

/// Parses Python's JSON from text.
pub fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    from_slice(text.as_bytes())
}

/// A number holding `value`, non-finite ones in Python's spelling.
pub fn float(value: f64) -> Number {
    Number::from_f64(value).unwrap_or_else(|| {
        let spelling = if value.is_nan() {
            SPECIALS[0]
        } else if value > 0.0 {
            SPECIALS[1]
        } else {
            SPECIALS[2]
        };
        special(spelling)
    })
}

/// The number as a float, non-finite ones included (`None` only for text that is no float,
/// which a parsed number never is). Integers beyond f64's range read as infinities, as
/// Python's `float()` would not: callers that care check [`is_integer`] first.
pub fn as_f64(number: &Number) -> Option<f64> {
    number.to_string().parse().ok()
}

/// Whether the number is written as an integer (Python reads it as an `int`).
pub fn is_integer(number: &Number) -> bool {
    let text = number.to_string();
    !text.contains(['.', 'e', 'E']) && !SPECIALS.contains(&text.as_str())
}

/// Whether the number is `NaN`, `Infinity` or `-Infinity` as Python reads it: a spelled-out
/// non-finite number, or a float literal too large for a double (`1e400` loads as `inf`).
pub fn non_finite(number: &Number) -> Option<f64> {
    if is_integer(number) {
        return None;
    }
    as_f64(number).filter(|f| !f.is_finite())
}

/// The `Number` spelled `spelling`. `arbitrary_precision` keeps a number's text, and this is
/// the one constructor that accepts a spelling JSON lacks; it is kept to this module.
fn special(spelling: &str) -> Number {
    Number::from_string_unchecked(spelling.to_owned())
}

/// Offsets and kinds (index into [`SPECIALS`]) of the special tokens outside strings, each
/// delimited as a JSON value is (anything else is left for the parser to reject).
fn specials(text: &[u8]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'"' => i = string_end(text, i),
            b'N' | b'I' | b'-' => {
                let kind = SPECIALS
                    .iter()
                    .position(|s| text[i..].starts_with(s.as_bytes()));
                match kind {
                    Some(kind) if delimited(text, i, SPECIALS[kind].len()) => {
                        found.push((i, kind));
                        i += SPECIALS[kind].len();
                    }
                    Some(_) | None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    found
}

/// The offset after the string starting at `start` (its opening quote), or the end.
fn string_end(text: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < text.len() {
        match text[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

/// Whether `text[at..at + len]` stands alone: after a structural character, whitespace or the
/// start, and before one, whitespace or the end.
fn delimited(text: &[u8], at: usize, len: usize) -> bool {
    let before = at.checked_sub(1).map(|i| text[i]);
    let after = text.get(at + len).copied();
    let space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    before.is_none_or(|c| space(c) || matches!(c, b'[' | b',' | b':'))
        && after.is_none_or(|c| space(c) || matches!(c, b']' | b'}' | b','))
}

/// Every integer literal of the text outside strings (`-12`, `300`): what a placeholder
/// must not be.
fn integer_literals(text: &[u8]) -> HashSet<&[u8]> {
    let mut found = HashSet::new();
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'"' => i = string_end(text, i),
            b'-' | b'0'..=b'9' => {
                let end = i + text[i..]
                    .iter()
                    .position(|c| !matches!(c, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                    .unwrap_or(text.len() - i);
                let token = &text[i..end];
                if token.iter().skip(1).all(u8::is_ascii_digit) {
                    found.insert(token);
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    found
}

/// An integer literal of `len` characters (a leading `-` when `negative`) not in `taken`;
/// longer when every one of that length is taken (only 900 three-digit ones exist).
fn placeholder(len: usize, taken: &HashSet<&[u8]>, negative: bool) -> String {
    let sign = if negative { "-" } else { "" };
    let mut digits = len - sign.len();
    loop {
        let low = 10u64.pow(digits as u32 - 1);
        if let Some(text) = (low..low * 10)
            .map(|n| format!("{sign}{n}"))
            .find(|t| !taken.contains(t.as_bytes()))
        {
            return text;
        }
        digits += 4;
    }
}

fn rewrite(text: &[u8], found: &[(usize, usize)], placeholders: &[String; 3]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + found.len() * 8);
    let mut from = 0;
    for &(at, kind) in found {
        out.extend_from_slice(&text[from..at]);
        out.extend_from_slice(placeholders[kind].as_bytes());
        from = at + SPECIALS[kind].len();
    }
    out.extend_from_slice(&text[from..]);
    out
}

fn restore(value: &mut Value, placeholders: &[String; 3]) {
    match value {
        Value::Number(n) => {
            let text = n.to_string();
            if let Some(kind) = placeholders.iter().position(|p| *p == text) {
                *n = special(SPECIALS[kind]);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| restore(v, placeholders)),
        Value::Object(map) => map.values_mut().for_each(|v| restore(v, placeholders)),
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_counted_outside_strings_only() {
        assert_eq!(count_values(b"[1, 2, [3]]", 100), Some(5));
        assert_eq!(count_values(br#"{"a,[": "x\",{"}"#, 100), Some(3));
        assert_eq!(count_values(b"[0,0,0,0,0]", 3), None);
    }

    fn parse(text: &str) -> Value {
        from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn plain_json_is_untouched() {
        let text = r#"{"a": [1, 2.50, 1E5, -0], "b": "NaN Infinity"}"#;
        assert_eq!(
            parse(text),
            serde_json::from_str::<Value>(text).expect("json")
        );
    }

    #[test]
    fn non_finite_numbers_print_as_python_writes_them() {
        let value = parse("[NaN, Infinity, -Infinity, 1.5]");
        assert_eq!(value.to_string(), "[NaN,Infinity,-Infinity,1.5]");
        let numbers: Vec<f64> = value
            .as_array()
            .expect("array")
            .iter()
            .map(|v| as_f64(v.as_number().expect("number")).expect("float"))
            .collect();
        assert!(numbers[0].is_nan());
        assert_eq!(numbers[1..], [f64::INFINITY, f64::NEG_INFINITY, 1.5]);
        assert_eq!(parse("Infinity"), parse(" Infinity\n"));
        assert_eq!(parse(r#"{"x": -Infinity}"#)["x"].to_string(), "-Infinity");
    }

    #[test]
    fn tokens_inside_strings_stay_text() {
        let value = parse(r#"["NaN", "a \" Infinity", "\\", -Infinity]"#);
        assert_eq!(value[0], Value::String("NaN".into()));
        assert_eq!(value[1], Value::String("a \" Infinity".into()));
        assert_eq!(value[2], Value::String("\\".into()));
        assert_eq!(value[3].to_string(), "-Infinity");
    }

    #[test]
    fn placeholders_never_capture_real_numbers() {
        // Every three-digit integer is present, so NaN needs the longer placeholder.
        let all: Vec<String> = (100..1000).map(|n| n.to_string()).collect();
        let text = format!(
            "[{}, NaN, 10000000, -10000000, Infinity, -Infinity]",
            all.join(", ")
        );
        let value = parse(&text);
        let items = value.as_array().expect("array");
        assert_eq!(items[0].to_string(), "100");
        assert_eq!(items[900].to_string(), "NaN");
        assert_eq!(items[901].to_string(), "10000000");
        assert_eq!(items[902].to_string(), "-10000000");
        assert_eq!(items[903].to_string(), "Infinity");
        assert_eq!(items[904].to_string(), "-Infinity");
    }

    #[test]
    fn misplaced_tokens_are_errors() {
        for bad in [
            "-NaN",
            "NaNx",
            "[1 NaN]",
            "Infinityy",
            "- Infinity",
            "nan",
            "inf",
            "[NaN",
        ] {
            assert!(from_str(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn errors_keep_their_position() {
        let strict = serde_json::from_str::<Value>("[1, 2, oops]").expect_err("bad");
        let ours = from_str("[NaN, Infinity, oops]").expect_err("bad");
        assert_eq!((ours.line(), ours.column()), (1, 17));
        assert_eq!(strict.column(), 8);
    }

    #[test]
    fn floats_and_integers() {
        assert_eq!(float(f64::INFINITY).to_string(), "Infinity");
        assert_eq!(float(f64::NEG_INFINITY).to_string(), "-Infinity");
        assert_eq!(float(f64::NAN).to_string(), "NaN");
        assert_eq!(float(0.5).to_string(), "0.5");
        let number = |t: &str| parse(t).as_number().expect("number").clone();
        assert!(is_integer(&number("12")));
        assert!(!is_integer(&number("12.0")));
        assert!(!is_integer(&number("Infinity")));
        assert_eq!(non_finite(&number("1e400")), Some(f64::INFINITY));
        assert_eq!(non_finite(&number("-Infinity")), Some(f64::NEG_INFINITY));
        assert_eq!(non_finite(&number(&format!("1{}", "0".repeat(400)))), None);
        assert_eq!(non_finite(&number("1e300")), None);
    }
}
