//! Long values cut to a head the page can afford, with a note of the full length: a report of
//! hundreds of problems must stay a few megabytes, and a 2 MB output helps nobody on screen.

/// A value as shown: its head, and how much was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Folded {
    pub text: String,
    /// Characters and lines of the whole value.
    pub chars: usize,
    pub lines: usize,
    pub folded: bool,
}

impl Folded {
    /// The first `max_lines` lines and at most `max_chars` characters of `text`.
    pub fn new(text: &str, max_chars: usize, max_lines: usize) -> Self {
        let chars = text.chars().count();
        let lines = text.lines().count().max(usize::from(!text.is_empty()));
        let mut head = String::new();
        let mut taken = 0;
        for (n, line) in text.split_inclusive('\n').enumerate() {
            if n >= max_lines {
                break;
            }
            let room = max_chars - taken;
            let count = line.chars().count();
            if count > room {
                head.extend(line.chars().take(room));
                taken = max_chars;
                break;
            }
            head.push_str(line);
            taken += count;
        }
        let folded = taken < chars;
        Self {
            text: head,
            chars,
            lines,
            folded,
        }
    }

    /// What was left out, in words (`None` when nothing was).
    pub fn note(&self) -> Option<String> {
        self.folded.then(|| {
            let shown = self.text.chars().count();
            format!(
                "… showing {shown} of {} characters ({} lines)",
                self.chars, self.lines
            )
        })
    }
}

/// `text` with the body of each fenced block (```` ``` ````) cut to `block_chars`, so a
/// prompt's long test input does not crowd out the expected and actual outputs after it.
pub(crate) fn fold_fenced(text: &str, block_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(4096));
    let mut inside = false;
    let mut block = String::new();
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("```") {
            if inside {
                let count = block.chars().count();
                if count > block_chars {
                    out.extend(block.chars().take(block_chars));
                    out.push_str(&format!("… ({count} characters)\n"));
                } else {
                    out.push_str(&block);
                }
                block.clear();
            }
            inside = !inside;
            out.push_str(line);
        } else if inside {
            block.push_str(line);
        } else {
            out.push_str(line);
        }
    }
    out.push_str(&block);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenced_blocks_are_cut_and_the_text_around_them_kept() {
        let text = format!(
            "Input:\n```\n{}\n```\nExpected:\n```\n42\n```\n",
            "7 ".repeat(100)
        );
        let folded = fold_fenced(&text, 10);
        assert_eq!(
            folded,
            "Input:\n```\n7 7 7 7 7 … (201 characters)\n```\nExpected:\n```\n42\n```\n"
        );
        // An unclosed block is kept as it is.
        assert_eq!(fold_fenced("```\nabc", 1), "```\nabc");
    }

    #[test]
    fn short_values_are_whole_and_long_ones_say_how_long() {
        let short = Folded::new("a\nb\n", 100, 10);
        assert_eq!((short.text.as_str(), short.folded), ("a\nb\n", false));
        assert_eq!(short.note(), None);
        let long = "x".repeat(5000);
        let f = Folded::new(&long, 100, 10);
        assert_eq!(f.text.len(), 100);
        assert_eq!(
            f.note().as_deref(),
            Some("… showing 100 of 5000 characters (1 lines)")
        );
        let many: String = (0..50).map(|i| format!("{i}\n")).collect();
        let f = Folded::new(&many, 10_000, 3);
        assert_eq!(f.text, "0\n1\n2\n");
        assert!(f.folded && f.lines == 50);
        // Multi-byte characters are cut on character boundaries.
        let f = Folded::new("ééééé", 2, 10);
        assert_eq!(f.text, "éé");
    }
}
