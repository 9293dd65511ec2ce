//! A unified line diff of two programs (`similar`), as lines tagged for colouring.

use similar::{ChangeTag, TextDiff};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DiffKind {
    Hunk,
    Same,
    Removed,
    Added,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DiffLine {
    pub kind: DiffKind,
    pub text: String,
}

/// `old` → `new` with three lines of context; at most `max_lines` lines, and how many more
/// there were.
pub(crate) fn line_diff(old: &str, new: &str, max_lines: usize) -> (Vec<DiffLine>, usize) {
    let diff = TextDiff::from_lines(old, new);
    let mut lines = Vec::new();
    for group in diff.grouped_ops(3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let (old_range, new_range) = (
            first.old_range().start..last.old_range().end,
            first.new_range().start..last.new_range().end,
        );
        lines.push(DiffLine {
            kind: DiffKind::Hunk,
            text: format!(
                "@@ -{},{} +{},{} @@",
                old_range.start + 1,
                old_range.len(),
                new_range.start + 1,
                new_range.len()
            ),
        });
        for op in &group {
            for change in diff.iter_changes(op) {
                let (kind, sign) = match change.tag() {
                    ChangeTag::Equal => (DiffKind::Same, ' '),
                    ChangeTag::Delete => (DiffKind::Removed, '-'),
                    ChangeTag::Insert => (DiffKind::Added, '+'),
                };
                let text = change.value().trim_end_matches(['\n', '\r']);
                lines.push(DiffLine {
                    kind,
                    text: format!("{sign}{text}"),
                });
            }
        }
    }
    let omitted = lines.len().saturating_sub(max_lines);
    lines.truncate(max_lines);
    (lines, omitted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_is_removed_then_added_within_a_hunk() {
        let (lines, omitted) = line_diff("a\nb\nc\n", "a\nB\nc\n", 100);
        assert_eq!(omitted, 0);
        let kinds: Vec<DiffKind> = lines.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            [
                DiffKind::Hunk,
                DiffKind::Same,
                DiffKind::Removed,
                DiffKind::Added,
                DiffKind::Same
            ]
        );
        assert_eq!(lines[0].text, "@@ -1,3 +1,3 @@");
        assert_eq!(lines[2].text, "-b");
        assert_eq!(lines[3].text, "+B");
        let (same, _) = line_diff("x\n", "x\n", 100);
        assert!(same.is_empty());
        let (cut, omitted) = line_diff("a\nb\nc\n", "A\nB\nC\n", 2);
        assert_eq!((cut.len(), omitted), (2, 5));
    }
}
