//! The chosen change as a unified diff that `git apply` takes from the repository's root.

use similar::{ChangeTag, TextDiff};

/// `a/PATH` → `b/PATH`, three lines of context.
pub(crate) fn unified(path: &str, old: &str, new: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Lines added plus lines removed: the size of a change, for preferring the smaller one.
pub(crate) fn changed_lines(old: &str, new: &str) -> usize {
    TextDiff::from_lines(old, new)
        .iter_all_changes()
        .filter(|c| c.tag() != ChangeTag::Equal)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_names_both_sides_git_style() {
        let diff = unified("pkg/m.py", "a\nb\nc\n", "a\nB\nc\n");
        assert!(
            diff.starts_with("--- a/pkg/m.py\n+++ b/pkg/m.py\n@@ -1,3 +1,3 @@\n"),
            "{diff}"
        );
        assert!(diff.contains("-b\n+B\n"), "{diff}");
        assert_eq!(changed_lines("a\nb\nc\n", "a\nB\nc\n"), 2);
    }

    #[test]
    fn a_missing_final_newline_is_marked() {
        let diff = unified("m.py", "a\nb", "a\nc\n");
        assert!(diff.contains("\\ No newline at end of file"), "{diff}");
    }
}
