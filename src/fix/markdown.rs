//! Markdown pieces for a GitHub comment that quotes untrusted text (test output, a model's
//! code, what it returned). Such text goes only inside a code fence or code span longer than
//! any backtick run it holds, so it cannot close it: GitHub renders neither Markdown, HTML
//! nor @mentions there. Plain text is escaped so nothing in it is markup.

/// A fenced code block of `text`, its fence longer than any backtick run in `text`.
pub(crate) fn fence(info: &str, text: &str) -> String {
    let ticks = "`".repeat((longest_run(text) + 1).max(3));
    let text = text.strip_suffix('\n').unwrap_or(text);
    format!("{ticks}{info}\n{text}\n{ticks}\n")
}

/// An inline code span of `text` (on one line), safe in a table cell too.
pub(crate) fn code(text: &str) -> String {
    // A code span cannot span a table row or start a heading: one line.
    let text = text.replace(['\r', '\n'], " ");
    let ticks = "`".repeat(longest_run(&text) + 1);
    // One space each side is stripped by the renderer: it keeps a backtick at either end off
    // the fence.
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    // In a table, `|` ends the cell even in a code span unless escaped (the escape is
    // removed before the span is read).
    format!("{ticks}{pad}{}{pad}{ticks}", text.replace('|', "\\|"))
}

/// `text` as plain text: HTML escaped, Markdown punctuation backslash-escaped, @mentions
/// broken by a zero-width joiner, on one line.
pub(crate) fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("@\u{200d}"),
            '\r' | '\n' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '#' | '|' | '~' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn longest_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fence_outlasts_the_backticks_inside() {
        assert_eq!(fence("text", "a\n"), "```text\na\n```\n");
        assert_eq!(fence("", "```\n````x\n"), "`````\n```\n````x\n`````\n");
    }

    #[test]
    fn a_code_span_is_one_line_and_keeps_its_pipes_in_the_cell() {
        assert_eq!(code("f(1)"), "`f(1)`");
        assert_eq!(code("a `b`|\nc"), "``a `b`\\| c``");
        assert_eq!(code("`x"), "`` `x ``");
    }

    #[test]
    fn plain_text_holds_no_markup() {
        assert_eq!(
            text("# hi @you <img src=x> ![x](y) &"),
            "\\# hi @\u{200d}you &lt;img src=x&gt; \\!\\[x\\]\\(y\\) &amp;"
        );
    }
}
