//! Crash-safe writes and the one reader of JSON lines: a whole file appears or nothing does;
//! appended lines are whole lines, so only a file's last line can be torn (a kill mid-write).

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::io_error::IoError;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Writes `bytes` to `path` through a temporary sibling and a rename, so a kill at any moment
/// leaves either the old file or the new one, never half of it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_data()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Why a JSON file could not be read as a `T`.
#[derive(Debug)]
pub enum JsonFileError {
    Io(io::Error),
    /// It exists but is not a `T` (or is in a newer format).
    Malformed(serde_json::Error),
}

/// The JSON file at `path` as a `T`, `None` when there is none.
pub fn read_json_file<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, JsonFileError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(JsonFileError::Io(e)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(JsonFileError::Malformed)
}

/// [`read_json_file`] as an I/O result: one that does not read as a `T` is an `InvalidData`
/// error naming the file.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> io::Result<Option<T>> {
    read_json_file(path).map_err(|e| match e {
        JsonFileError::Io(e) => e,
        JsonFileError::Malformed(e) => io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", path.display()),
        ),
    })
}

/// [`write_atomic`] of pretty JSON.
pub fn write_json_atomic(path: &Path, value: &impl Serialize) -> io::Result<()> {
    write_atomic(path, &pretty_json(value)?)
}

/// The bytes [`write_json_atomic`] writes: pretty JSON and a newline.
pub fn pretty_json(value: &impl Serialize) -> io::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Appends one JSON line with a single `write` and syncs it. A torn last line left by a kill
/// (a record never finished) is cut off first, so every line before the last is whole.
pub fn append_line(path: &Path, value: &impl Serialize) -> io::Result<()> {
    let mut line = serde_json::to_vec(value).map_err(io::Error::other)?;
    line.push(b'\n');
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file: File = OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(path)?;
    let whole = whole_lines_end(&mut file)?;
    if whole < file.metadata()?.len() {
        file.set_len(whole)?;
    }
    file.write_all(&line)?;
    file.sync_data()
}

/// Where the file's whole lines end: just past its last newline (0 with none). Reads one byte
/// when the file ends with a newline, as it does unless a write was torn.
fn whole_lines_end(file: &mut File) -> io::Result<u64> {
    const CHUNK: u64 = 64 << 10;
    let mut end = file.metadata()?.len();
    if end == 0 {
        return Ok(0);
    }
    let mut last = [0u8; 1];
    file.seek(SeekFrom::Start(end - 1))?;
    file.read_exact(&mut last)?;
    if last[0] == b'\n' {
        return Ok(end);
    }
    let mut buffer = vec![0u8; CHUNK as usize];
    while end > 0 {
        let start = end.saturating_sub(CHUNK);
        let chunk = &mut buffer[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(chunk)?;
        if let Some(at) = chunk.iter().rposition(|&b| b == b'\n') {
            return Ok(start + at as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

/// A JSON-lines file as read back.
#[derive(Debug)]
pub struct Lines<T> {
    pub values: Vec<T>,
    /// A torn last line (no newline after it, and not a whole value) was skipped.
    pub torn: bool,
}

/// Why a JSON-lines file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LinesError {
    #[error(transparent)]
    Io(#[from] IoError),
    /// A line other than a torn last one does not read as a value: the file was damaged.
    #[error("{}: line {line}: {reason}", path.display())]
    Malformed {
        path: PathBuf,
        line: usize,
        reason: String,
    },
}

impl From<LinesError> for io::Error {
    fn from(error: LinesError) -> Self {
        match error {
            LinesError::Io(IoError { source, .. }) => source,
            malformed => io::Error::new(io::ErrorKind::InvalidData, malformed.to_string()),
        }
    }
}

/// Reads the JSON lines a run wrote with [`append_line`] (a missing file has none). A torn
/// last line is skipped and said; any other line that does not read is an error naming the
/// file and the line. Blank lines are skipped.
pub fn read_lines<T: DeserializeOwned>(path: &Path) -> Result<Lines<T>, LinesError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Lines {
                values: Vec::new(),
                torn: false,
            })
        }
        Err(source) => return Err(LinesError::Io(IoError::new(path.to_path_buf(), source))),
    };
    let lines: Vec<(usize, &str)> = (text.lines().enumerate())
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let mut values = Vec::with_capacity(lines.len());
    let mut torn = false;
    for (position, &(number, line)) in lines.iter().enumerate() {
        match serde_json::from_str(line) {
            Ok(value) => values.push(value),
            Err(_) if position + 1 == lines.len() && !text.ends_with('\n') => torn = true,
            Err(e) => {
                return Err(LinesError::Malformed {
                    path: path.to_path_buf(),
                    line: number + 1,
                    reason: e.to_string(),
                })
            }
        }
    }
    Ok(Lines { values, torn })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_append_adds_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a/b.json");
        write_json_atomic(&path, &serde_json::json!({"x": 1})).expect("write");
        write_json_atomic(&path, &serde_json::json!({"x": 2})).expect("rewrite");
        let value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
        assert_eq!(value["x"], 2);
        let lines = dir.path().join("l.jsonl");
        append_line(&lines, &1).expect("append");
        append_line(&lines, &2).expect("append");
        assert_eq!(std::fs::read_to_string(&lines).expect("read"), "1\n2\n");
        std::fs::write(&lines, "1\n{\"torn").expect("tear");
        append_line(&lines, &3).expect("append after a torn line");
        assert_eq!(
            std::fs::read_to_string(&lines).expect("read"),
            "1\n3\n",
            "the torn record is cut off, never left as a middle line"
        );
        std::fs::write(&lines, "{\"torn with no newline at all").expect("tear");
        append_line(&lines, &4).expect("append");
        assert_eq!(std::fs::read_to_string(&lines).expect("read"), "4\n");
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_a_bad_middle_line_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("l.jsonl");
        let read = || read_lines::<u32>(&path);
        assert!(read().expect("missing is empty").values.is_empty());
        std::fs::write(&path, "1\n\n2\n{\"to").expect("write");
        let lines = read().expect("torn last line");
        assert_eq!((lines.values, lines.torn), (vec![1, 2], true));
        std::fs::write(&path, "1\nnot json\n3\n").expect("write");
        let error = read().expect_err("a bad middle line");
        assert!(
            matches!(&error, LinesError::Malformed { line: 2, .. }),
            "{error}"
        );
        assert!(error.to_string().contains("l.jsonl: line 2"), "{error}");
        // A whole last line (newline-ended) that does not read is damage, not a tear.
        std::fs::write(&path, "1\nnot json\n").expect("write");
        assert!(read().is_err());
    }
}
