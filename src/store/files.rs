//! Crash-safe writes: a whole file appears or nothing does; appended lines are whole lines.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

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

/// Appends one JSON line with a single `write` and syncs it: readers skip a torn last line.
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
    // A kill mid-write can leave a torn last line: end it, so this record stands on its own.
    let length = file.metadata()?.len();
    if length > 0 {
        use std::io::{Read, Seek, SeekFrom};
        let mut last = [0u8; 1];
        file.seek(SeekFrom::Start(length - 1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            line.insert(0, b'\n');
        }
    }
    file.write_all(&line)?;
    file.sync_data()
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
            "1\n{\"torn\n3\n"
        );
    }
}
