//! Expected vs actual output as a short line diff for people: lines compared the way the
//! problem's checker compares them, numbered, the first difference named, the rest folded,
//! control characters shown as escapes.

use similar::{capture_diff_slices, group_diff_ops, Algorithm, DiffOp};

use super::printable;
use crate::check::canonical_lines;
use crate::problem::{Checker, Kind, Problem};

/// Unchanged lines shown around a change.
const CONTEXT: usize = 3;
/// Lines of each side handed to the diff, from just before the first difference: outputs
/// may be megabytes, and only the start of the difference is shown anyway.
const WINDOW: usize = 400;
/// Diff lines printed before the rest is folded.
const SHOWN: usize = 24;
/// Characters of one line printed.
const COLUMNS: usize = 120;

/// How two lines are told apart: the checker's own notion of equal, where it has one per line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineRule {
    /// `lines`: whole output and each line stripped, decimal tokens compared as numbers.
    Lines,
    /// `tokens`, `float` (tolerance aside): whitespace runs are all alike.
    Tokens,
    /// `exact`, `program`, function return values: the text itself, less trailing whitespace
    /// at the end of the output.
    Text,
}

impl LineRule {
    pub fn for_problem(problem: &Problem) -> Self {
        match (problem.kind, problem.checker) {
            (Kind::Function, _) => Self::Text,
            (Kind::Stdio, Checker::Lines) => Self::Lines,
            (Kind::Stdio, Checker::Tokens | Checker::Float) => Self::Tokens,
            (Kind::Stdio, Checker::Exact | Checker::Program) => Self::Text,
        }
    }

    fn lines(self, text: &str) -> Vec<&str> {
        let text = match self {
            Self::Lines | Self::Tokens => text.trim(),
            Self::Text => text.trim_end(),
        };
        if text.is_empty() {
            return Vec::new();
        }
        text.split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect()
    }

    fn key(self, line: &str) -> String {
        match self {
            Self::Lines => canonical_lines(line.as_bytes()),
            Self::Tokens => line.split_whitespace().collect::<Vec<_>>().join(" "),
            Self::Text => line.to_owned(),
        }
    }
}

/// ANSI colours for a terminal, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// `text` in SGR colour `code` (`31` red, `32` green, `1` bold), or as it is.
    pub fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `line` from character `skip`, at most [`COLUMNS`] characters, marked where cut.
fn clip(line: &str, skip: usize) -> String {
    let count = line.chars().count();
    let mut shown: String = line.chars().skip(skip).take(COLUMNS).collect();
    if skip > 0 && count > 0 {
        shown.insert(0, '…');
    }
    if count > skip + COLUMNS {
        shown.push_str(&format!("… (+{} chars)", count - skip - COLUMNS));
    }
    shown
}

/// Line i against line i: runs of equal lines, and each differing line replaced by its peer.
fn positional_ops(old: &[String], new: &[String]) -> Vec<DiffOp> {
    let mut ops: Vec<DiffOp> = Vec::new();
    for (i, (a, b)) in old.iter().zip(new).enumerate() {
        let op = match ops.last_mut() {
            Some(DiffOp::Equal { len, .. }) if a == b => {
                *len += 1;
                continue;
            }
            _ if a == b => DiffOp::Equal {
                old_index: i,
                new_index: i,
                len: 1,
            },
            _ => DiffOp::Replace {
                old_index: i,
                old_len: 1,
                new_index: i,
                new_len: 1,
            },
        };
        ops.push(op);
    }
    ops
}

/// The diff of `expected` and `actual` (`-` expected, `+` got), each line numbered on its
/// side and indented, under a heading naming the first differing line. `None` when the lines agree under
/// `rule` (the checker objected to something a line view cannot show, e.g. a tolerance).
pub fn output_diff(expected: &[u8], actual: &[u8], rule: LineRule, style: Style) -> Option<String> {
    let (expected, actual) = (
        String::from_utf8_lossy(expected),
        String::from_utf8_lossy(actual),
    );
    let (old, new) = (rule.lines(&expected), rule.lines(&actual));
    let same = old
        .iter()
        .zip(&new)
        .take_while(|(a, b)| rule.key(a) == rule.key(b))
        .count();
    if same == old.len() && same == new.len() {
        return None;
    }
    let start = same.saturating_sub(CONTEXT);
    let old_keys: Vec<String> = old
        .iter()
        .skip(start)
        .take(WINDOW)
        .map(|l| rule.key(l))
        .collect();
    let new_keys: Vec<String> = new
        .iter()
        .skip(start)
        .take(WINDOW)
        .map(|l| rule.key(l))
        .collect();
    // With as many lines on each side, the checker compares line i with line i, and so does
    // the diff: a longest-common-subsequence alignment would pair a right line with a line of
    // another number (`36` is both 6² and 9·4) and hide where the answer went wrong.
    let ops = if old.len() == new.len() {
        positional_ops(&old_keys, &new_keys)
    } else {
        capture_diff_slices(Algorithm::Myers, &old_keys, &new_keys)
    };

    // Long lines scroll together, to just before the first differing character of the first
    // changed pair when it lies beyond what one row shows.
    let column = match (old.get(same), new.get(same)) {
        (Some(a), Some(b)) => a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count(),
        _ => 0,
    };
    let skip = if column + 10 > COLUMNS {
        column - COLUMNS / 3
    } else {
        0
    };

    let width = (start + old_keys.len().max(new_keys.len()))
        .to_string()
        .len()
        .max(2);
    let mut lines = Vec::new();
    let mut hidden = 0;
    let mut push = |sign: char, o: Option<usize>, n: Option<usize>, text: &str| {
        if lines.len() >= SHOWN {
            hidden += 1;
            return;
        }
        if sign == '~' {
            lines.push(format!("  {:>w$}", "…", w = 2 * width + 3));
            return;
        }
        let number = |i: Option<usize>| i.map_or(String::new(), |i| (start + i + 1).to_string());
        let row = format!(
            "  {sign} {:>width$} {:>width$} | {}",
            number(o),
            number(n),
            printable(&clip(text, skip))
        );
        lines.push(match sign {
            '-' => style.paint("31", &row),
            '+' => style.paint("32", &row),
            _ => row,
        });
    };
    for (g, group) in group_diff_ops(ops, CONTEXT).iter().enumerate() {
        if g > 0 {
            push('~', None, None, "…");
        }
        for op in group {
            match *op {
                DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                } => {
                    for k in 0..len {
                        push(
                            ' ',
                            Some(old_index + k),
                            Some(new_index + k),
                            old[start + old_index + k],
                        );
                    }
                }
                DiffOp::Delete {
                    old_index, old_len, ..
                } => {
                    for k in 0..old_len {
                        push('-', Some(old_index + k), None, old[start + old_index + k]);
                    }
                }
                DiffOp::Insert {
                    new_index, new_len, ..
                } => {
                    for k in 0..new_len {
                        push('+', None, Some(new_index + k), new[start + new_index + k]);
                    }
                }
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    for k in 0..old_len {
                        push('-', Some(old_index + k), None, old[start + old_index + k]);
                    }
                    for k in 0..new_len {
                        push('+', None, Some(new_index + k), new[start + new_index + k]);
                    }
                }
            }
        }
    }
    let mut heading = format!(
        "diff (- expected, + got): first difference at line {}",
        same + 1
    );
    if skip > 0 {
        heading.push_str(&format!(", column {}", column + 1));
    }
    heading.push_str(&format!(
        "; expected {}, got {}",
        plural(old.len(), "line"),
        new.len()
    ));
    let mut text = heading;
    for line in lines {
        text.push('\n');
        text.push_str(&line);
    }
    let beyond = old.len().max(new.len()) > start + WINDOW;
    if beyond {
        text.push_str("\n  … more differences not shown");
    } else if hidden > 0 {
        text.push_str(&format!("\n  … {} not shown", plural(hidden, "more line")));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Style = Style { color: false };

    #[test]
    fn the_first_differing_line_is_named_and_numbered() {
        let diff =
            output_diff(b"1\n2\n3\n4\n", b"1\n2\n5\n4\n", LineRule::Lines, PLAIN).expect("diff");
        assert_eq!(
            diff,
            "diff (- expected, + got): first difference at line 3; expected 4 lines, got 4\n     1  1 | 1\n     2  2 | 2\n  -  3    | 3\n  +     3 | 5\n     4  4 | 4"
        );
    }

    #[test]
    fn lines_equal_to_the_checker_are_not_differences() {
        assert_eq!(
            output_diff(b"0.5\n2 \n", b"  0.50\r\n2", LineRule::Lines, PLAIN),
            None
        );
        let diff = output_diff(b"0.5\n2\n", b"0.50\n3\n", LineRule::Lines, PLAIN).expect("diff");
        assert!(diff.contains("first difference at line 2"), "{diff}");
        assert!(diff.contains("     1  1 | 0.5"), "{diff}");
    }

    #[test]
    fn long_outputs_fold_around_the_first_difference() {
        let expected: String = (1..=100_000).map(|i| format!("{i}\n")).collect();
        let actual = expected
            .replace("\n50000\n", "\n-1\n")
            .replace("\n70000\n", "\n-2\n");
        let diff = output_diff(
            expected.as_bytes(),
            actual.as_bytes(),
            LineRule::Lines,
            PLAIN,
        )
        .expect("diff");
        assert!(diff.contains("first difference at line 50000;"), "{diff}");
        assert!(
            diff.contains("  - 50000       | 50000\n  +       50000 | -1"),
            "{diff}"
        );
        assert!(
            !diff.contains("| 49996") && diff.contains("| 49997"),
            "{diff}"
        );
        assert!(diff.ends_with("… more differences not shown"), "{diff}");
        assert!(diff.lines().count() < 15, "{diff}");
    }

    #[test]
    fn a_long_line_scrolls_to_its_first_difference() {
        let expected = (0..1000)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        let actual = expected.replace(" 600 ", " 601 ");
        let diff = output_diff(
            expected.as_bytes(),
            actual.as_bytes(),
            LineRule::Text,
            PLAIN,
        )
        .expect("diff");
        assert!(diff.contains(", column "), "{diff}");
        assert!(diff.contains("600") && diff.contains("601"), "{diff}");
        assert!(
            diff.lines().all(|l| l.chars().count() < COLUMNS + 40),
            "{diff}"
        );
    }

    #[test]
    fn outputs_of_equal_length_are_compared_line_by_line() {
        let expected: String = (1..=9).map(|i| format!("{}\n", i * i)).collect();
        let actual: String = (1..=9)
            .map(|i| format!("{}\n", if i < 4 { i * i } else { i * 4 }))
            .collect();
        let diff = output_diff(
            expected.as_bytes(),
            actual.as_bytes(),
            LineRule::Lines,
            PLAIN,
        )
        .expect("diff");
        // 36 = 6·6 = 9·4, yet line 9 is not line 6.
        assert!(diff.contains("  -  6    | 36\n  +     6 | 24\n"), "{diff}");
        assert!(diff.contains("  -  9    | 81\n  +     9 | 36"), "{diff}");
    }

    #[test]
    fn missing_and_extra_lines_show_on_one_side() {
        let diff = output_diff(b"a\nb\n", b"a\n", LineRule::Lines, PLAIN).expect("diff");
        assert!(
            diff.contains("expected 2 lines, got 1") && diff.ends_with("  -  2    | b"),
            "{diff}"
        );
        let diff = output_diff(b"", b"x\n", LineRule::Tokens, PLAIN).expect("diff");
        assert!(
            diff.contains("first difference at line 1") && diff.ends_with("  +     1 | x"),
            "{diff}"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let diff =
            output_diff(b"1\n", b"2\n", LineRule::Lines, Style { color: true }).expect("diff");
        assert!(
            diff.contains("\x1b[31m  -") && diff.contains("\x1b[32m  +"),
            "{diff:?}"
        );
        let diff = output_diff(b"1\n", b"2\n", LineRule::Lines, PLAIN).expect("diff");
        assert!(!diff.contains('\x1b'), "{diff:?}");
    }
}
