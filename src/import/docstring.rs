//! Usage examples written in a function's docstring (`>>> f(x)` then the value on the next
//! line, or `f(x) ==> y`, `f(x) ➞ y`, `f(x) == y`, `f(x) returns y` on one line). Extraction is
//! liberal: the harness keeps only examples whose value parses and agrees with the reference.

use super::harness::Example;

/// Separators between a call and the value it shows, longest first.
const ARROWS: [&str; 12] = [
    "should return",
    "# returns",
    "returns",
    "return",
    "# =>",
    "==>",
    "=>",
    "➞",
    "->",
    "==",
    "=",
    "#",
];

/// The examples of `entry` in `prompt`, in order.
pub(crate) fn examples(prompt: &str, entry: &str) -> Vec<Example> {
    let lines: Vec<&str> = prompt.lines().collect();
    let mut found = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let mut text = line.trim();
        if let Some(expr) = text.strip_prefix(">>>") {
            let expr = expr.trim();
            let expected = lines.get(n + 1).map(|l| l.trim()).unwrap_or("");
            if call_len(expr, entry) == Some(expr.len()) {
                if !expected.is_empty() && !expected.starts_with(">>>") {
                    found.push(Example {
                        call: expr.to_owned(),
                        expected: expected.to_owned(),
                    });
                }
                continue;
            }
            // `>>> f(x) == y`: read like a one-line example.
            text = expr;
        }
        if text.starts_with("def ") {
            continue;
        }
        let Some(at) = find_call(text, entry) else {
            continue;
        };
        let Some(len) = call_len(&text[at..], entry) else {
            continue;
        };
        let call = &text[at..at + len];
        let mut rest = text[at + len..].trim();
        let Some(arrow) = ARROWS.iter().find(|a| rest.starts_with(*a)) else {
            continue;
        };
        rest = rest[arrow.len()..].trim();
        if !rest.is_empty() {
            found.push(Example {
                call: call.to_owned(),
                expected: rest.to_owned(),
            });
        }
    }
    found
}

/// Byte offset of the first `entry(` that is not part of a longer name.
fn find_call(text: &str, entry: &str) -> Option<usize> {
    let pattern = format!("{entry}(");
    text.match_indices(&pattern).map(|(at, _)| at).find(|&at| {
        text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'))
    })
}

/// Length of the call `entry(...)` at the start of `text`, brackets balanced and quotes
/// respected; `None` when it does not close on this line.
fn call_len(text: &str, entry: &str) -> Option<usize> {
    let rest = text.strip_prefix(entry)?;
    if !rest.starts_with('(') {
        return None;
    }
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        if let Some(q) = quote {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, c) if c == q => quote = None,
                (false, _) => {}
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(entry.len() + i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(prompt: &str, entry: &str) -> Vec<(String, String)> {
        examples(prompt, entry)
            .into_iter()
            .map(|e| (e.call, e.expected))
            .collect()
    }

    fn pair(call: &str, expected: &str) -> (String, String) {
        (call.to_owned(), expected.to_owned())
    }

    #[test]
    fn doctest_examples_take_the_next_line() {
        let prompt = "def f(a):\n    \"\"\" Doc.\n    >>> f([1, 2], 'x)')\n    3\n    >>> f(2)\n    >>> g(1)\n    2\n    >>> f(4) == 5\n    \"\"\"\n";
        assert_eq!(
            pairs(prompt, "f"),
            [pair("f([1, 2], 'x)')", "3"), pair("f(4)", "5")]
        );
    }

    #[test]
    fn one_line_examples_with_arrows() {
        let prompt = "def will_it_fly(q, w):\n    '''\n    will_it_fly([1, 2], 5) ➞ False \n    * will_it_fly([3], 1) ==> True\n    for will_it_fly(\"a\", 2) == 'x'\n    will_it_fly(1, 2) returns [1, 2] # because\n    will_it_fly([\n    not_will_it_fly(1) => 2\n    will_it_fly(1)\n    '''\n";
        assert_eq!(
            pairs(prompt, "will_it_fly"),
            [
                pair("will_it_fly([1, 2], 5)", "False"),
                pair("will_it_fly([3], 1)", "True"),
                pair("will_it_fly(\"a\", 2)", "'x'"),
                pair("will_it_fly(1, 2)", "[1, 2] # because"),
            ]
        );
    }

    #[test]
    fn calls_must_close_on_their_line() {
        assert_eq!(call_len("f(1, (2, 3)) == 4", "f"), Some(12));
        assert_eq!(call_len("f(')', \"(\")", "f"), Some(11));
        assert_eq!(call_len("f([1,", "f"), None);
        assert_eq!(call_len("g(1)", "f"), None);
    }
}
