//! A program's Python traceback as the sandbox returns it, cut down to what the program did:
//! the worker's own frames removed and the program's lines quoted from its source.
//!
//! Runs are chrooted, so CPython cannot read `solution.py` back and prints frames without
//! their source lines; the host has the source and fills them in. Shared by `sstar judge`'s
//! output and the debug prompts, so a user and the model see the same thing.

/// The name the sandbox compiles a candidate under (`sandbox/python/worker.py`).
pub const PROGRAM_FILE: &str = "solution.py";

/// The name the sandbox's own source runs under (`sandbox/src/worker.rs`); its frames sit
/// between the traceback header and the program's first frame.
const WORKER_FILE: &str = "worker.py";

/// Longest line kept from an exception message (a program may raise with megabytes of text).
const LINE_CHARS: usize = 300;

/// Most exception-message lines kept by [`traceback_tail`].
const MESSAGE_LINES: usize = 10;

/// One line of stderr, or one frame with the lines Python indents under it (source, carets).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item<'a> {
    Text(&'a str),
    Frame {
        header: &'a str,
        file: &'a str,
        line: Option<usize>,
        attached: Vec<&'a str>,
    },
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// `  File "NAME", line N, in F` → (NAME, N). Exception groups prefix frames with `|`.
fn parse_frame(line: &str) -> Option<(&str, Option<usize>)> {
    let rest = line
        .trim_start_matches([' ', '|'])
        .strip_prefix("File \"")?;
    let (file, after) = rest.rsplit_once("\", line ").or_else(|| {
        // `File "<string>"` without a line number.
        rest.split_once('"').map(|(file, _)| (file, ""))
    })?;
    let number = after
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok());
    Some((file, number))
}

fn parse(stderr: &str) -> Vec<Item<'_>> {
    let mut items: Vec<Item<'_>> = Vec::new();
    for text in stderr.lines() {
        if let Some((file, line)) = parse_frame(text) {
            items.push(Item::Frame {
                header: text,
                file,
                line,
                attached: Vec::new(),
            });
            continue;
        }
        // Source and caret lines are indented deeper than their frame.
        if let Some(Item::Frame {
            header, attached, ..
        }) = items.last_mut()
        {
            let bracketed = text.trim_start().starts_with('[');
            if !text.trim().is_empty() && indent(text) > indent(header) && !bracketed {
                attached.push(text);
                continue;
            }
        }
        items.push(Item::Text(text));
    }
    items
}

fn cut(line: &str) -> String {
    let count = line.chars().count();
    if count <= LINE_CHARS {
        return line.to_owned();
    }
    let kept: String = line.chars().take(LINE_CHARS).collect();
    format!("{kept}… ({} more characters)", count - LINE_CHARS)
}

/// Appends a frame, quoting the program's source line when Python could not.
fn push_frame(
    out: &mut Vec<String>,
    header: &str,
    file: &str,
    line: Option<usize>,
    attached: &[&str],
    code: Option<&str>,
) {
    out.push(cut(header));
    if !attached.is_empty() {
        out.extend(attached.iter().map(|l| cut(l)));
        return;
    }
    let source = code
        .filter(|_| file == PROGRAM_FILE)
        .zip(line)
        .and_then(|(code, n)| code.lines().nth(n.checked_sub(1)?))
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(source) = source {
        out.push(cut(&format!("{}{source}", " ".repeat(indent(header) + 2))));
    }
}

/// `stderr` with the worker's frames removed and, given the program's `code`, each of the
/// program's frames followed by its source line. Other text (what the program printed to
/// stderr, chained exceptions) is kept.
pub fn program_traceback(stderr: &str, code: Option<&str>) -> String {
    let mut out = Vec::new();
    for item in parse(stderr) {
        match item {
            Item::Text(text) => out.push(cut(text)),
            Item::Frame { file, .. } if file == WORKER_FILE => {}
            Item::Frame {
                header,
                file,
                line,
                attached,
            } => push_frame(&mut out, header, file, line, &attached, code),
        }
    }
    out.join("\n")
}

/// The last traceback in `stderr`, as [`program_traceback`] shows it, keeping its last
/// `frames` frames and the start of the exception message. Without a traceback (a program
/// that exits with a message), the last lines of `stderr`. `None` when stderr is empty.
pub fn traceback_tail(stderr: &str, code: Option<&str>, frames: usize) -> Option<String> {
    let items = parse(stderr);
    let start = items.iter().rposition(
        |i| matches!(i, Item::Text(t) if t.trim() == "Traceback (most recent call last):"),
    );
    let Some(start) = start else {
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        let tail = &lines[lines.len().saturating_sub(MESSAGE_LINES)..];
        return (!tail.is_empty())
            .then(|| tail.iter().map(|l| cut(l)).collect::<Vec<_>>().join("\n"));
    };
    let block = &items[start..];
    let program_frames: Vec<usize> = block
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(i, Item::Frame { file, .. } if *file != WORKER_FILE))
        .map(|(index, _)| index)
        .collect();
    let skipped = program_frames.len().saturating_sub(frames.max(1));
    // Items before this one (after the header) are the frames left out.
    let first_kept = match skipped {
        0 => 0,
        n => program_frames[n],
    };
    let mut out = Vec::new();
    let mut message = 0;
    for (index, item) in block.iter().enumerate() {
        match item {
            Item::Text(text) if index == 0 => {
                out.push((*text).to_owned());
                if skipped > 0 {
                    let s = if skipped == 1 { "" } else { "s" };
                    out.push(format!("  … {skipped} earlier frame{s}"));
                }
            }
            // Frames dropped from the front, and what Python indents under them.
            Item::Frame { .. } | Item::Text(_) if index < first_kept && index > 0 => {}
            Item::Frame { file, .. } if *file == WORKER_FILE => {}
            Item::Frame {
                header,
                file,
                line,
                attached,
            } => push_frame(&mut out, header, file, *line, attached, code),
            Item::Text(text) => {
                message += 1;
                if message <= MESSAGE_LINES {
                    out.push(cut(text));
                } else if message == MESSAGE_LINES + 1 {
                    out.push("…".to_owned());
                }
            }
        }
    }
    Some(out.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the sandbox returns today for an uncaught exception three calls deep.
    const STDERR: &str = "debug print\nTraceback (most recent call last):\n  File \"worker.py\", line 698, in run_program\n  File \"solution.py\", line 11, in <module>\n  File \"solution.py\", line 9, in main\n  File \"solution.py\", line 5, in solve\nIndexError: list index out of range\n";

    const CODE: &str = "import sys\n\ndef solve(line):\n    parts = line.split()\n    return int(parts[5])\n\ndef main():\n    data = sys.stdin.readline()\n    print(solve(data))\n\nmain()\n";

    #[test]
    fn worker_frames_go_and_program_lines_are_quoted() {
        let shown = program_traceback(STDERR, Some(CODE));
        assert!(!shown.contains("worker.py"), "{shown}");
        assert_eq!(
            shown,
            "debug print\nTraceback (most recent call last):\n  File \"solution.py\", line 11, in <module>\n    main()\n  File \"solution.py\", line 9, in main\n    print(solve(data))\n  File \"solution.py\", line 5, in solve\n    return int(parts[5])\nIndexError: list index out of range"
        );
    }

    #[test]
    fn source_lines_python_printed_are_not_doubled() {
        let stderr = "Traceback (most recent call last):\n  File \"worker.py\", line 1, in run_program\n    exec(code)\n  File \"solution.py\", line 5, in solve\n    return int(parts[5])\n           ~~~~~^^^\nIndexError: x\n";
        let shown = program_traceback(stderr, Some(CODE));
        assert_eq!(
            shown,
            "Traceback (most recent call last):\n  File \"solution.py\", line 5, in solve\n    return int(parts[5])\n           ~~~~~^^^\nIndexError: x"
        );
    }

    #[test]
    fn the_tail_keeps_the_last_frames_and_the_message() {
        let tail = traceback_tail(STDERR, Some(CODE), 2).expect("tail");
        assert_eq!(
            tail,
            "Traceback (most recent call last):\n  … 1 earlier frame\n  File \"solution.py\", line 9, in main\n    print(solve(data))\n  File \"solution.py\", line 5, in solve\n    return int(parts[5])\nIndexError: list index out of range"
        );
        let all = traceback_tail(STDERR, None, 10).expect("tail");
        assert!(
            !all.contains("earlier") && !all.contains("worker.py") && !all.contains("debug print"),
            "{all}"
        );
    }

    #[test]
    fn the_tail_is_the_last_of_chained_tracebacks() {
        let stderr = "Traceback (most recent call last):\n  File \"solution.py\", line 1, in <module>\nKeyError: 1\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File \"worker.py\", line 698, in run_program\n  File \"solution.py\", line 3, in <module>\nValueError: two\n";
        let tail = traceback_tail(stderr, None, 5).expect("tail");
        assert_eq!(
            tail,
            "Traceback (most recent call last):\n  File \"solution.py\", line 3, in <module>\nValueError: two"
        );
    }

    #[test]
    fn recursion_markers_and_library_frames_stay() {
        let stderr = "Traceback (most recent call last):\n  File \"worker.py\", line 698, in run_program\n  File \"solution.py\", line 2, in f\n  [Previous line repeated 996 more times]\n  File \"/usr/lib/python3.11/json/__init__.py\", line 346, in loads\nRecursionError: maximum recursion depth exceeded\n";
        let shown = program_traceback(stderr, Some("def f(n):\n    return f(n + 1)\n"));
        assert_eq!(
            shown,
            "Traceback (most recent call last):\n  File \"solution.py\", line 2, in f\n    return f(n + 1)\n  [Previous line repeated 996 more times]\n  File \"/usr/lib/python3.11/json/__init__.py\", line 346, in loads\nRecursionError: maximum recursion depth exceeded"
        );
    }

    #[test]
    fn without_a_traceback_the_last_lines_are_shown() {
        assert_eq!(traceback_tail("", None, 3), None);
        let stderr: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let tail = traceback_tail(&stderr, None, 3).expect("tail");
        assert!(
            tail.starts_with("line 11\n") && tail.ends_with("line 20"),
            "{tail}"
        );
    }

    #[test]
    fn huge_messages_are_cut() {
        let stderr = format!(
            "Traceback (most recent call last):\n  File \"solution.py\", line 1, in <module>\nValueError: {}\n",
            "x".repeat(100_000)
        );
        let tail = traceback_tail(&stderr, None, 3).expect("tail");
        assert!(
            tail.len() < 1000 && tail.contains("more characters"),
            "{tail}"
        );
    }
}
