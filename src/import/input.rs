//! Reading a benchmark file: JSON lines (optionally gzip-compressed) or one JSON array, as rows
//! numbered from 1. A row that does not parse, or is too long, is a row-level failure, not the
//! file's.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use serde_json::Value;

use super::error::{ImportError, SkipReason};

/// Longest line of JSON lines held in memory (a longer one is skipped as it streams by), and
/// largest JSON array, which is parsed whole. Real rows are tens of MiB at most; without a cap
/// one gzip-compressed line could inflate until memory runs out.
pub(crate) const MAX_LINE_BYTES: usize = 1 << 30;

/// One row of the input.
#[derive(Debug)]
pub(crate) struct RawRow {
    /// 1-based: the line number of JSON lines, the element number of an array.
    pub number: usize,
    /// The row's JSON text, kept for exact values (big integers) that `value` may round.
    pub text: String,
    /// The parsed row, or why it cannot be used.
    pub value: Result<Value, SkipReason>,
}

/// The rows of `path`, streamed.
pub(crate) struct Rows {
    path: PathBuf,
    source: Source,
    number: usize,
    max_line: usize,
}

enum Source {
    Lines(Box<dyn BufRead + Send>),
    Array(std::vec::IntoIter<Value>),
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows")
            .field("path", &self.path)
            .field("number", &self.number)
            .finish_non_exhaustive()
    }
}

/// Opens `path`; gzip is recognised by its magic bytes, a JSON array by its first character.
pub(crate) fn open_rows(path: &Path) -> Result<Rows, ImportError> {
    open_rows_capped(path, MAX_LINE_BYTES)
}

/// [`open_rows`] with another line cap (tests cannot afford a GiB).
fn open_rows_capped(path: &Path, max_line: usize) -> Result<Rows, ImportError> {
    let read_error = |source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(read_error)?;
    let mut raw = BufReader::new(file);
    let gzip = raw
        .fill_buf()
        .map_err(read_error)?
        .starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn BufRead + Send> = if gzip {
        Box::new(BufReader::new(MultiGzDecoder::new(raw)))
    } else {
        Box::new(raw)
    };
    let array = loop {
        let buf = reader.fill_buf().map_err(read_error)?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(at) => break buf[at] == b'[',
            None if buf.is_empty() => break false,
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    let source = if array {
        let mut text = Vec::new();
        reader
            .take(max_line as u64 + 1)
            .read_to_end(&mut text)
            .map_err(read_error)?;
        if text.len() > max_line {
            return Err(ImportError::TooLarge {
                path: path.to_path_buf(),
                limit: max_line as u64,
            });
        }
        let values: Vec<Value> =
            serde_json::from_slice(&text).map_err(|source| ImportError::NotJson {
                path: path.to_path_buf(),
                source,
            })?;
        Source::Array(values.into_iter())
    } else {
        Source::Lines(reader)
    };
    Ok(Rows {
        path: path.to_path_buf(),
        source,
        number: 0,
        max_line,
    })
}

impl Iterator for Rows {
    type Item = Result<RawRow, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.source {
            Source::Array(values) => {
                let value = values.next()?;
                self.number += 1;
                Some(Ok(RawRow {
                    number: self.number,
                    text: value.to_string(),
                    value: Ok(value),
                }))
            }
            Source::Lines(reader) => loop {
                let line = match read_line_capped(reader, self.max_line) {
                    Ok(None) => return None,
                    Ok(Some(line)) => line,
                    Err(source) => {
                        return Some(Err(ImportError::Read {
                            path: self.path.clone(),
                            source,
                        }))
                    }
                };
                self.number += 1;
                let number = self.number;
                let line = match line {
                    Line::Whole(line) => line,
                    Line::TooLong => {
                        return Some(Ok(RawRow {
                            number,
                            text: String::new(),
                            value: Err(SkipReason::TooLarge(format!(
                                "the line is longer than the {} MiB cap",
                                self.max_line >> 20
                            ))),
                        }))
                    }
                };
                if line.trim_ascii().is_empty() {
                    continue;
                }
                return Some(Ok(match String::from_utf8(line) {
                    Ok(text) => {
                        let value = parse_lenient(&text);
                        RawRow {
                            number,
                            text,
                            value,
                        }
                    }
                    Err(_) => RawRow {
                        number,
                        text: String::new(),
                        value: Err(SkipReason::BadRow("not valid utf-8".to_owned())),
                    },
                }));
            },
        }
    }
}

/// One line of JSON lines.
enum Line {
    /// The line, with its `\n` when it has one.
    Whole(Vec<u8>),
    /// Longer than the cap: read to its end and dropped, never held whole.
    TooLong,
}

/// The next line of `reader`, holding at most `cap` bytes of it; `None` at the end.
fn read_line_capped(reader: &mut dyn BufRead, cap: usize) -> io::Result<Option<Line>> {
    let mut line = Vec::new();
    let mut too_long = false;
    let mut read_any = false;
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        read_any = true;
        let (chunk, ends) = match buf.iter().position(|&b| b == b'\n') {
            Some(at) => (&buf[..=at], true),
            None => (buf, false),
        };
        if !too_long {
            if line.len() + chunk.len() > cap {
                too_long = true;
                line = Vec::new();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let used = chunk.len();
        reader.consume(used);
        if ends {
            break;
        }
    }
    Ok(match (read_any, too_long) {
        (false, _) => None,
        (true, true) => Some(Line::TooLong),
        (true, false) => Some(Line::Whole(line)),
    })
}

/// Strict JSON, else JSON with Python's `NaN`/`Infinity` read as `null` (files written by
/// Python's `json` may hold them; the exact values stay in the row's text).
fn parse_lenient(text: &str) -> Result<Value, SkipReason> {
    match serde_json::from_str(text) {
        Ok(value) => Ok(value),
        Err(strict) => match non_finite_as_null(text) {
            Some(patched) => {
                serde_json::from_str(&patched).map_err(|_| SkipReason::BadRow(strict.to_string()))
            }
            None => Err(SkipReason::BadRow(strict.to_string())),
        },
    }
}

/// `text` with `NaN`, `Infinity` and `-Infinity` outside strings replaced by `null`, or `None`
/// when there are none.
fn non_finite_as_null(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut changed = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                (false, _) => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if let Some(token) = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|t| rest.starts_with(t))
        {
            out.push_str("null");
            rest = &rest[token.len()..];
            changed = true;
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn rows(bytes: &[u8]) -> Vec<RawRow> {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(bytes).expect("write");
        open_rows(file.path())
            .expect("open")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    #[test]
    fn json_lines_are_numbered_by_line_and_blank_lines_skipped() {
        let rows = rows(b"{\"a\": 1}\n\n{\"a\": 2}\nnot json\n");
        let numbers: Vec<_> = rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 3, 4]);
        assert_eq!(rows[1].value.as_ref().expect("json")["a"], 2);
        assert!(rows[2].value.is_err());
    }

    #[test]
    fn gzip_is_recognised_by_content() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder
            .write_all(b"{\"a\": 1}\n{\"a\": 2}\n")
            .expect("gzip");
        let rows = rows(&encoder.finish().expect("gzip"));
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn a_line_over_the_cap_is_skipped_and_the_next_one_read() {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        let long = format!("{{\"a\": \"{}\"}}\n", "x".repeat(100));
        write!(file, "{{\"a\": 1}}\n{long}{{\"a\": 3}}").expect("write");
        let rows: Vec<RawRow> = open_rows_capped(file.path(), 64)
            .expect("open")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(rows.len(), 3);
        assert!(
            matches!(&rows[1].value, Err(SkipReason::TooLarge(why)) if why.contains("longer")),
            "{:?}",
            rows[1].value
        );
        assert_eq!(rows[1].number, 2);
        assert_eq!(rows[2].value.as_ref().expect("json")["a"], 3);
        // Exactly at the cap (newline included) is kept.
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(b"{\"a\": 1}\n").expect("write");
        let rows: Vec<RawRow> = open_rows_capped(file.path(), 9)
            .expect("open")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert!(rows[0].value.is_ok(), "{:?}", rows[0].value);
    }

    #[test]
    fn a_json_array_over_the_cap_is_refused() {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        write!(file, "[{{\"a\": \"{}\"}}]", "x".repeat(100)).expect("write");
        let err = open_rows_capped(file.path(), 64).expect_err("too large");
        assert!(
            matches!(err, ImportError::TooLarge { limit: 64, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn a_json_array_is_one_row_per_element() {
        let rows = rows(b"  [{\"a\": 1}, {\"a\": 2}, {\"a\": 3}]");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2].number, 3);
    }

    #[test]
    fn python_non_finite_floats_parse_as_null_outside_strings() {
        let value = parse_lenient(r#"{"x": [NaN, -Infinity, 1], "s": "NaN \" Infinity"}"#)
            .expect("lenient");
        assert_eq!(value["x"], serde_json::json!([null, null, 1]));
        assert_eq!(value["s"], "NaN \" Infinity");
        assert!(parse_lenient("{\"x\": nope}").is_err());
    }
}
