//! Reading a problem's files, with errors naming the file relative to the problem.

use std::io;
use std::path::{Path, PathBuf};

use super::error::LoadErrorReason;

/// Reads `dir/rel`; `None` when it does not exist.
pub(crate) fn read_optional(dir: &Path, rel: &Path) -> Result<Option<Vec<u8>>, LoadErrorReason> {
    match std::fs::read(dir.join(rel)) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(LoadErrorReason::Io {
            file: rel.to_path_buf(),
            source,
        }),
    }
}

/// Reads `dir/rel`, which must exist.
pub(crate) fn read_required(dir: &Path, rel: &Path) -> Result<Vec<u8>, LoadErrorReason> {
    read_optional(dir, rel)?.ok_or_else(|| LoadErrorReason::MissingFile {
        file: rel.to_path_buf(),
    })
}

/// Reads `dir/rel` as UTF-8 text; `None` when it does not exist.
pub(crate) fn read_optional_text(
    dir: &Path,
    rel: &Path,
) -> Result<Option<String>, LoadErrorReason> {
    read_optional(dir, rel)?
        .map(|bytes| into_text(bytes, rel))
        .transpose()
}

/// Reads `dir/rel` as UTF-8 text, which must exist.
pub(crate) fn read_required_text(dir: &Path, rel: &Path) -> Result<String, LoadErrorReason> {
    into_text(read_required(dir, rel)?, rel)
}

fn into_text(bytes: Vec<u8>, rel: &Path) -> Result<String, LoadErrorReason> {
    String::from_utf8(bytes).map_err(|_| LoadErrorReason::NotUtf8 {
        file: rel.to_path_buf(),
    })
}

/// The regular files directly inside `dir/rel` (following symlinks), as paths
/// relative to `dir`; empty when `dir/rel` does not exist.
pub(crate) fn list_files(dir: &Path, rel: &Path) -> Result<Vec<PathBuf>, LoadErrorReason> {
    let io_error = |source| LoadErrorReason::Io {
        file: rel.to_path_buf(),
        source,
    };
    let entries = match std::fs::read_dir(dir.join(rel)) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(io_error(err)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io_error)?;
        if entry.path().is_file() {
            files.push(rel.join(entry.file_name()));
        }
    }
    Ok(files)
}

/// The UTF-8 stem of a file name, or a `BadName` error.
pub(crate) fn utf8_stem(rel: &Path) -> Result<String, LoadErrorReason> {
    rel.file_stem()
        .and_then(|stem| stem.to_str())
        .map(str::to_owned)
        .ok_or_else(|| LoadErrorReason::BadName {
            name: rel.to_path_buf(),
        })
}
