//! Whitespace on raw output bytes, with Python's idea of whitespace.
//!
//! Outputs need not be UTF-8: a valid UTF-8 character is whitespace when
//! Python's `str.isspace` says so (ASCII whitespace, `\x1c`..`\x1f`, and
//! Unicode spaces such as U+00A0); an invalid byte is never whitespace, so
//! differing invalid bytes still compare unequal.

/// The character starting `b` (non-empty) and its width; `None` for an invalid byte.
fn char_at(b: &[u8]) -> (Option<char>, usize) {
    let first = b[0];
    if first.is_ascii() {
        return (Some(char::from(first)), 1);
    }
    let width = match first {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return (None, 1),
    };
    match b.get(..width).map(std::str::from_utf8) {
        Some(Ok(s)) => (s.chars().next(), width),
        Some(Err(_)) | None => (None, 1),
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Byte length of the whitespace character starting `b`, or 0.
fn space_at(b: &[u8]) -> usize {
    match char_at(b) {
        (Some(c), width) if is_space(c) => width,
        (Some(_) | None, _) => 0,
    }
}

/// Byte length of the whitespace character ending `b`, or 0.
fn space_before(b: &[u8]) -> usize {
    let len = b.len();
    // A UTF-8 character is its lead byte plus up to three continuation bytes.
    let start = (len.saturating_sub(4)..len)
        .rev()
        .find(|&i| b[i] & 0xC0 != 0x80)
        .unwrap_or(len - 1);
    match char_at(&b[start..]) {
        (Some(c), width) if is_space(c) && start + width == len => width,
        (Some(_) | None, _) => 0,
    }
}

/// `b` without leading whitespace.
pub(crate) fn trim_start(mut b: &[u8]) -> &[u8] {
    while !b.is_empty() {
        match space_at(b) {
            0 => break,
            n => b = &b[n..],
        }
    }
    b
}

/// `b` without trailing whitespace.
pub(crate) fn trim_end(mut b: &[u8]) -> &[u8] {
    while !b.is_empty() {
        match space_before(b) {
            0 => break,
            n => b = &b[..b.len() - n],
        }
    }
    b
}

/// `b` without leading and trailing whitespace (Python's `str.strip()`).
pub(crate) fn trim(b: &[u8]) -> &[u8] {
    trim_end(trim_start(b))
}

/// Whitespace-separated tokens (Python's `str.split()`).
pub(crate) fn tokens(b: &[u8]) -> Tokens<'_> {
    Tokens { rest: b }
}

/// Iterator of [`tokens`].
#[derive(Debug)]
pub(crate) struct Tokens<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        self.rest = trim_start(self.rest);
        if self.rest.is_empty() {
            return None;
        }
        let mut end = 0;
        while end < self.rest.len() {
            match space_at(&self.rest[end..]) {
                0 => end += char_at(&self.rest[end..]).1,
                _ => break,
            }
        }
        let (token, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(token)
    }
}

/// Python's `[l.strip() for l in s.strip().split("\n")]`: never empty.
pub(crate) fn stripped_lines(b: &[u8]) -> Vec<&[u8]> {
    trim(b).split(|&c| c == b'\n').map(trim).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_ascii_and_unicode_whitespace() {
        assert_eq!(trim(b" \t\r\n a b \x0b\x0c\r\n"), b"a b");
        assert_eq!(trim("\u{a0}x\u{3000}".as_bytes()), b"x");
        assert_eq!(trim(b"\x1cx\x1f"), b"x");
        assert_eq!(trim(b"   "), b"");
        assert_eq!(trim(b""), b"");
    }

    #[test]
    fn invalid_bytes_are_not_whitespace() {
        assert_eq!(trim(b" \xff "), b"\xff");
        assert_eq!(trim(b"\xa0x\xa0"), b"\xa0x\xa0");
        assert_eq!(trim(b"x\xe3\x80"), b"x\xe3\x80");
        assert_eq!(trim_end(b"\x80\x80\x80\x80\x80 "), b"\x80\x80\x80\x80\x80");
    }

    #[test]
    fn multibyte_non_space_is_kept() {
        assert_eq!(trim("é ".as_bytes()), "é".as_bytes());
        assert_eq!(trim(" 😀".as_bytes()), "😀".as_bytes());
    }

    #[test]
    fn splits_tokens_on_any_whitespace() {
        let t: Vec<&[u8]> = tokens(b"  1 2\t\t3\r\n4\n").collect();
        assert_eq!(t, [&b"1"[..], b"2", b"3", b"4"]);
        let t: Vec<&[u8]> = tokens("a\u{a0}b \u{ff}c".as_bytes()).collect();
        assert_eq!(t, [&b"a"[..], b"b", "\u{ff}c".as_bytes()]);
        let t: Vec<&[u8]> = tokens(b"a \xff\xfe b").collect();
        assert_eq!(t, [&b"a"[..], b"\xff\xfe", b"b"]);
        assert_eq!(tokens(b" \n ").count(), 0);
    }

    #[test]
    fn stripped_lines_follow_python() {
        assert_eq!(
            stripped_lines(b"\n 1 \r\n\n2\r\n\n\n"),
            [&b"1"[..], b"", b"2"]
        );
        assert_eq!(stripped_lines(b""), [&b""[..]]);
        assert_eq!(stripped_lines(b"\n\n"), [&b""[..]]);
    }
}
