//! How much of each long value the page shows, in one place.
//!
//! Why: a 200-problem run's page must stay a few megabytes and render in under
//! a second. A heavy run (16 samples, debug rounds with long feedback, 40 inputs, groups with
//! 300-line outputs) holds tens of megabytes of text; nobody reads that on a page, and every
//! value is whole in the run directory. So each kind of value keeps a head sized by how much
//! it helps on screen (the chosen program most, debug feedback and previews least), a note
//! says how much was left out and where the whole is, and a text repeated within a problem
//! (the same feedback or error in many samples) is shown once and pointed at afterwards.

use std::collections::HashMap;

/// The chosen program: the page's main exhibit, nearly always whole.
pub(crate) const CODE_CHARS: usize = 12_000;
pub(crate) const CODE_LINES: usize = 300;
/// A group's real output on a distinguishing input, and that input's preview: enough to see
/// how the groups differ (they are side by side), not the whole output.
pub(crate) const OUTPUT_CHARS: usize = 200;
pub(crate) const OUTPUT_LINES: usize = 5;
/// A failed round's error or the model's reply without code.
pub(crate) const REPLY_CHARS: usize = 240;
pub(crate) const REPLY_LINES: usize = 6;
/// Debug feedback sent to the model, per round: its head (which test failed, expected and
/// actual output), each quoted input or output in it cut to `FEEDBACK_BLOCK_CHARS` first.
pub(crate) const FEEDBACK_CHARS: usize = 500;
pub(crate) const FEEDBACK_LINES: usize = 24;
pub(crate) const FEEDBACK_BLOCK_CHARS: usize = 80;
/// The diff against the runner-up: each run of removed (added) lines cut to
/// `DIFF_RUN_LINES` (so a rewrite shows the head of both sides), then `DIFF_LINES` lines in
/// all (hunk headers and context included).
pub(crate) const DIFF_RUN_LINES: usize = 12;
pub(crate) const DIFF_LINES: usize = 40;
/// "All synthesized inputs": the first few are listed, each with a one-line preview (the
/// distinguishing ones, shown in full above, without); the rest are counted by source.
pub(crate) const LISTED_INPUTS: usize = 5;
pub(crate) const LISTED_CHARS: usize = 60;
pub(crate) const LISTED_LINES: usize = 1;

/// Where the whole of a folded value is, for the note.
pub(crate) const IN_TRACE: &str = "trace.jsonl";
pub(crate) const IN_SELECTION: &str = "selection.json";
pub(crate) const IN_INPUTS: &str = "inputs/";

/// A value as shown: its head, and how much was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Folded {
    pub text: String,
    /// Bytes of the whole value, and its lines when known.
    pub bytes: usize,
    pub lines: Option<usize>,
    /// The run file holding the whole value.
    pub whole_in: &'static str,
}

impl Folded {
    /// The first `max_lines` lines and at most `max_chars` characters of `text`, whose whole
    /// is kept in the run file `whole_in`.
    pub fn new(text: &str, max_chars: usize, max_lines: usize, whole_in: &'static str) -> Self {
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
                break;
            }
            head.push_str(line);
            taken += count;
        }
        Self {
            text: head,
            bytes: text.len(),
            lines: Some(text.lines().count().max(usize::from(!text.is_empty()))),
            whole_in,
        }
    }

    /// A synthesized input's recorded preview (itself a head of the input; its one trailing
    /// newline is not shown), folded further; the whole input, of `bytes`, is under `inputs/`.
    pub fn input(preview: &str, bytes: usize, max_chars: usize, max_lines: usize) -> Self {
        let shown = preview.strip_suffix('\n').unwrap_or(preview);
        let mut f = Self::new(shown, max_chars, max_lines, IN_INPUTS);
        if bytes > preview.len() {
            f.bytes = bytes;
            f.lines = None;
        }
        f
    }

    /// Whether part of the value is left out.
    pub fn is_folded(&self) -> bool {
        self.text.len() < self.bytes
    }

    /// What was left out, in words (`None` when nothing was).
    pub fn note(&self) -> Option<String> {
        self.is_folded().then(|| {
            let more = self.bytes - self.text.len();
            match self.lines {
                Some(n) if n > 1 => format!("… {more} more bytes ({n} lines) in {}", self.whole_in),
                _ => format!("… {more} more bytes in {}", self.whole_in),
            }
        })
    }
}

/// A text that may repeat within a problem: shown (folded) the first time, afterwards a
/// pointer to where it was shown (`T`, e.g. a sample and round).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Once<T> {
    Shown(Folded),
    SameAs(T),
}

/// Remembers the texts shown so far (within one problem) and where.
#[derive(Debug)]
pub(crate) struct Seen<'a, T> {
    first: HashMap<&'a str, T>,
}

impl<'a, T: Copy> Seen<'a, T> {
    pub fn new() -> Self {
        Self {
            first: HashMap::new(),
        }
    }

    /// `text` folded by `fold` the first time it is met (at `at`), else where it was.
    pub fn once(&mut self, text: &'a str, at: T, fold: impl FnOnce(&str) -> Folded) -> Once<T> {
        match self.first.get(text) {
            Some(&first) => Once::SameAs(first),
            None => {
                self.first.insert(text, at);
                Once::Shown(fold(text))
            }
        }
    }
}

/// `text` (debug feedback, whole in trace.jsonl) with the body of each fenced block
/// (```` ``` ````) cut to `block_chars`, so a prompt's long test input does not crowd out the
/// expected and actual outputs after it.
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
                    out.push_str(&format!("… ({count} characters; whole in {IN_TRACE})\n"));
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
            "Input:\n```\n7 7 7 7 7 … (201 characters; whole in trace.jsonl)\n```\nExpected:\n```\n42\n```\n"
        );
        // An unclosed block is kept as it is.
        assert_eq!(fold_fenced("```\nabc", 1), "```\nabc");
    }

    #[test]
    fn short_values_are_whole_and_long_ones_say_how_long_and_where() {
        let short = Folded::new("a\nb\n", 100, 10, IN_TRACE);
        assert_eq!((short.text.as_str(), short.is_folded()), ("a\nb\n", false));
        assert_eq!(short.note(), None);
        let long = "x".repeat(5000);
        let f = Folded::new(&long, 100, 10, IN_TRACE);
        assert_eq!(f.text.len(), 100);
        assert_eq!(
            f.note().as_deref(),
            Some("… 4900 more bytes in trace.jsonl")
        );
        let many: String = (0..50).map(|i| format!("{i}\n")).collect();
        let f = Folded::new(&many, 10_000, 3, IN_SELECTION);
        assert_eq!(f.text, "0\n1\n2\n");
        assert!(f.is_folded() && f.lines == Some(50));
        assert_eq!(
            f.note().as_deref(),
            Some("… 134 more bytes (50 lines) in selection.json")
        );
        // Multi-byte characters are cut on character boundaries.
        let f = Folded::new("ééééé", 2, 10, IN_TRACE);
        assert_eq!(f.text, "éé");
    }

    #[test]
    fn an_input_preview_counts_the_whole_input() {
        // The recorded preview is whole here, but the input it heads is not.
        let f = Folded::input("1 2 3", 200_000, 100, 5);
        assert_eq!(f.text, "1 2 3");
        assert_eq!(f.note().as_deref(), Some("… 199995 more bytes in inputs/"));
        let whole = Folded::input("1 2 3", 5, 100, 5);
        assert_eq!(whole.note(), None);
        // Its trailing newline is not shown, and not "left out" either.
        let line = Folded::input("-5\n", 3, 100, 5);
        assert_eq!((line.text.as_str(), line.note()), ("-5", None));
    }

    #[test]
    fn the_limits_keep_a_heavy_value_small() {
        // A debug round's feedback quoting a 4 KB input: a few hundred bytes on the page.
        let feedback = format!(
            "Test `public/1`\nInput:\n```\n{}\n```\nExpected output:\n```\n42\n```\n",
            "1 2 3 4 5 6 7 8 9 10 ".repeat(200)
        );
        let f = Folded::new(
            &fold_fenced(&feedback, FEEDBACK_BLOCK_CHARS),
            FEEDBACK_CHARS,
            FEEDBACK_LINES,
            IN_TRACE,
        );
        assert!(f.text.len() <= FEEDBACK_CHARS && f.text.contains("Expected output"));
        // A 300-line output: its head only.
        let output = "1000003\n".repeat(300);
        let f = Folded::new(&output, OUTPUT_CHARS, OUTPUT_LINES, IN_SELECTION);
        assert_eq!(f.text.lines().count(), OUTPUT_LINES);
        assert!(f.is_folded());
        const { assert!(LISTED_LINES == 1 && LISTED_CHARS <= 80 && DIFF_LINES <= 80) };
    }

    #[test]
    fn a_repeated_text_is_shown_once_then_pointed_at() {
        let texts = ["fails public/1", "fails public/2", "fails public/1"];
        let mut seen = Seen::new();
        let shown: Vec<Once<usize>> = texts
            .iter()
            .enumerate()
            .map(|(k, t)| seen.once(t, k, |t| Folded::new(t, 100, 10, IN_TRACE)))
            .collect();
        assert!(matches!(&shown[0], Once::Shown(f) if f.text == "fails public/1"));
        assert!(matches!(&shown[1], Once::Shown(f) if f.text == "fails public/2"));
        assert_eq!(shown[2], Once::SameAs(0));
    }
}
