//! Program text made safe for a terminal: control characters shown, never obeyed.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` would steer a terminal rather than print: C0 controls but newline and tab
/// (ESC starts CSI and OSC sequences; BEL ends OSC), DEL, and C1 controls (U+009B is a
/// one-character CSI on some terminals).
fn steers(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// `text` with every control character but newline and tab written out as an escape
/// (`\x1b`, `\u{9b}`). What a program prints, a checker says or a traceback holds goes
/// through this before a terminal sees it: otherwise a program could clear the screen, print
/// a fake verdict over sstar's, or set the clipboard (OSC 52). Files on disk keep raw text.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(steers) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if !steers(c) {
            shown.push(c);
        } else if c.is_ascii() {
            let _ = write!(shown, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(shown, "\\u{{{:x}}}", c as u32);
        }
    }
    Cow::Owned(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_and_text_is_kept() {
        assert!(matches!(printable("plain\ttext\n…"), Cow::Borrowed(_)));
        assert_eq!(
            printable("\x1b[2J\x1b[H accepted \x1b]52;c;ZXZpbA==\x07"),
            "\\x1b[2J\\x1b[H accepted \\x1b]52;c;ZXZpbA==\\x07"
        );
        assert_eq!(
            printable("a\rb\x7fc\u{9b}31m\u{85}"),
            "a\\x0db\\x7fc\\u{9b}31m\\u{85}"
        );
        assert_eq!(printable("\0é"), "\\x00é");
    }
}
