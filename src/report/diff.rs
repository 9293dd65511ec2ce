//! A unified line diff of two programs (`similar`), as lines tagged for colouring.

use similar::{ChangeTag, TextDiff};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DiffKind {
    Hunk,
    Same,
    Removed,
    Added,
    /// "… N more removed (added) lines": the rest of a long run of one kind.
    Folded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DiffLine {
    pub kind: DiffKind,
    pub text: String,
}

/// `old` → `new` with three lines of context; each run of removed (added) lines cut to
/// `run_lines` and a note, so a rewrite shows both sides; at most `max_lines` lines in all,
/// and how many more there were.
pub(crate) fn line_diff(
    old: &str,
    new: &str,
    run_lines: usize,
    max_lines: usize,
) -> (Vec<DiffLine>, usize) {
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
    let mut lines = fold_runs(lines, run_lines);
    let omitted = lines.len().saturating_sub(max_lines);
    lines.truncate(max_lines);
    (lines, omitted)
}

fn fold_runs(lines: Vec<DiffLine>, run_lines: usize) -> Vec<DiffLine> {
    let mut out = Vec::with_capacity(lines.len());
    for run in lines.chunk_by(|a, b| a.kind == b.kind) {
        let kind = run[0].kind;
        if matches!(kind, DiffKind::Removed | DiffKind::Added) && run.len() > run_lines {
            out.extend_from_slice(&run[..run_lines]);
            out.push(DiffLine {
                kind: DiffKind::Folded,
                text: format!(
                    "… {} more {} lines",
                    run.len() - run_lines,
                    if kind == DiffKind::Removed {
                        "removed"
                    } else {
                        "added"
                    }
                ),
            });
        } else {
            out.extend_from_slice(run);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_is_removed_then_added_within_a_hunk() {
        let (lines, omitted) = line_diff("a\nb\nc\n", "a\nB\nc\n", 100, 100);
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
        let (same, _) = line_diff("x\n", "x\n", 100, 100);
        assert!(same.is_empty());
        let (cut, omitted) = line_diff("a\nb\nc\n", "A\nB\nC\n", 100, 2);
        assert_eq!((cut.len(), omitted), (2, 5));
    }

    #[test]
    fn a_rewrite_shows_the_head_of_both_sides() {
        let old: String = (0..50).map(|i| format!("old {i}\n")).collect();
        let new: String = (0..50).map(|i| format!("new {i}\n")).collect();
        let (lines, omitted) = line_diff(&old, &new, 5, 100);
        assert_eq!(omitted, 0);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts.len(), 1 + 5 + 1 + 5 + 1, "{texts:?}");
        assert_eq!(texts[5], "-old 4");
        assert_eq!(texts[6], "… 45 more removed lines");
        assert_eq!(texts[7], "+new 0");
        assert_eq!(texts[12], "… 45 more added lines");
        // Without the cut, the first lines shown would all be removals.
        let (uncut, _) = line_diff(&old, &new, 1000, 12);
        assert!(uncut.iter().all(|l| l.kind != DiffKind::Added));
    }
}
