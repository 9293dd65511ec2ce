//! Reading a problem's files, with errors naming the file relative to the problem.
//!
//! A set often comes from someone else (an archive, a benchmark), so nothing is read through a
//! symbolic link, from a device, a named pipe or a socket, and every file has a size cap: a
//! statement linked to a host file would be sent to the model endpoint, one that is
//! `/dev/zero` would fill memory, and a named pipe would hang the load.

use std::fs::{FileType, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

use super::error::{FileKind, LoadErrorReason};
use super::natural::natural_cmp;
use crate::io_error::IoError;

/// Cap on `problem.toml`, `statement.md`, `starter.py`, `checker.py` and each solution: far
/// above any real one, small enough that a whole set of them fits in memory.
pub(crate) const MAX_TEXT_BYTES: u64 = 1 << 20;

/// Cap on each test's `.in` and `.out`: above the largest benchmark tests (a few tens of MiB),
/// below what one test held in memory can cost a machine.
pub(crate) const MAX_TEST_BYTES: u64 = 256 << 20;

/// What `file_type` is, when it is not a regular file.
fn irregular(file_type: FileType) -> Option<FileKind> {
    if file_type.is_file() {
        None
    } else if file_type.is_dir() {
        Some(FileKind::Directory)
    } else if file_type.is_symlink() {
        Some(FileKind::Symlink)
    } else if file_type.is_fifo() {
        Some(FileKind::Fifo)
    } else if file_type.is_char_device() || file_type.is_block_device() {
        Some(FileKind::Device)
    } else if file_type.is_socket() {
        Some(FileKind::Socket)
    } else {
        Some(FileKind::Other)
    }
}

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// It is a link, device, pipe, socket or directory.
    NotRegular(FileKind),
    /// It holds more than the cap.
    TooLarge,
    /// Reading it failed.
    Io(io::Error),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NotRegular(found) => write!(f, "{found}, not a regular file"),
            Refusal::TooLarge => f.write_str("over its size cap"),
            Refusal::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Reads `path` if it is a regular file (the last component never a link) of at most `cap`
/// bytes; `None` when it does not exist. The directories on the way are the caller's to check
/// ([`list_files`] does it for the files it lists).
pub(crate) fn read_regular(path: &Path, cap: u64) -> Result<Option<Vec<u8>>, Refusal> {
    // A device or pipe is refused without being opened: opening some devices does things.
    match std::fs::symlink_metadata(path) {
        Ok(meta) => {
            if let Some(found) = irregular(meta.file_type()) {
                return Err(Refusal::NotRegular(found));
            }
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(Refusal::Io(err)),
    }
    // What counts is the open file itself, so swapping the path after the check gains
    // nothing: O_NOFOLLOW fails on a link, O_NONBLOCK keeps a pipe from blocking the open.
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(file) => file,
        Err(err) if err.raw_os_error() == Some(libc::ELOOP) => {
            return Err(Refusal::NotRegular(FileKind::Symlink))
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(Refusal::Io(err)),
    };
    let meta = file.metadata().map_err(Refusal::Io)?;
    if let Some(found) = irregular(meta.file_type()) {
        return Err(Refusal::NotRegular(found));
    }
    if meta.len() > cap {
        return Err(Refusal::TooLarge);
    }
    // The file may grow after the fstat: never read more than one byte past the cap.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(Refusal::Io)?;
    if bytes.len() as u64 > cap {
        return Err(Refusal::TooLarge);
    }
    Ok(Some(bytes))
}

/// [`read_regular`] of `dir/rel`, with errors naming `rel`.
fn read_optional(dir: &Path, rel: &Path, cap: u64) -> Result<Option<Vec<u8>>, LoadErrorReason> {
    let file = rel.to_path_buf();
    read_regular(&dir.join(rel), cap).map_err(|refusal| match refusal {
        Refusal::NotRegular(found) => LoadErrorReason::NotRegular { file, found },
        Refusal::TooLarge => LoadErrorReason::TooLarge { file, limit: cap },
        Refusal::Io(source) => LoadErrorReason::Io(IoError::new(file, source)),
    })
}

/// Reads `dir/rel`, which must exist, at most `cap` bytes.
pub(crate) fn read_required(dir: &Path, rel: &Path, cap: u64) -> Result<Vec<u8>, LoadErrorReason> {
    read_optional(dir, rel, cap)?.ok_or_else(|| LoadErrorReason::MissingFile {
        file: rel.to_path_buf(),
    })
}

/// Reads `dir/rel` as UTF-8 text of at most [`MAX_TEXT_BYTES`]; `None` when it does not exist.
pub(crate) fn read_optional_text(
    dir: &Path,
    rel: &Path,
) -> Result<Option<String>, LoadErrorReason> {
    read_optional(dir, rel, MAX_TEXT_BYTES)?
        .map(|bytes| into_text(bytes, rel))
        .transpose()
}

/// Reads `dir/rel` as UTF-8 text of at most [`MAX_TEXT_BYTES`], which must exist.
pub(crate) fn read_required_text(dir: &Path, rel: &Path) -> Result<String, LoadErrorReason> {
    into_text(read_required(dir, rel, MAX_TEXT_BYTES)?, rel)
}

fn into_text(bytes: Vec<u8>, rel: &Path) -> Result<String, LoadErrorReason> {
    String::from_utf8(bytes).map_err(|_| LoadErrorReason::NotUtf8 {
        file: rel.to_path_buf(),
    })
}

/// Whether `dir/rel` exists, checking that it and every directory between `dir` and it is a
/// real directory (never a link: a linked `tests/` could list a host directory).
fn real_dir(dir: &Path, rel: &Path) -> Result<bool, LoadErrorReason> {
    let mut prefix = PathBuf::new();
    for component in rel.components() {
        match component {
            Component::Normal(name) => prefix.push(name),
            Component::CurDir => continue,
            // Callers pass fixed relative names; a path leaving the problem is never read.
            Component::RootDir | Component::ParentDir | Component::Prefix(_) => {
                return Err(LoadErrorReason::NotRegular {
                    file: rel.to_path_buf(),
                    found: FileKind::Other,
                })
            }
        }
        match std::fs::symlink_metadata(dir.join(&prefix)) {
            Ok(meta) => match irregular(meta.file_type()) {
                Some(FileKind::Directory) => {}
                None => {
                    return Err(LoadErrorReason::Io(IoError::new(
                        prefix,
                        io::ErrorKind::NotADirectory.into(),
                    )))
                }
                Some(found) => {
                    return Err(LoadErrorReason::NotRegular {
                        file: prefix,
                        found,
                    })
                }
            },
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(source) => return Err(LoadErrorReason::Io(IoError::new(prefix, source))),
        }
    }
    Ok(true)
}

/// The files directly inside `dir/rel` whose names `wanted` accepts, as paths relative to
/// `dir`; empty when `dir/rel` does not exist. A wanted entry that is not a regular file is
/// refused (the first in natural order is named); unwanted entries are never read, so ignored.
pub(crate) fn list_files(
    dir: &Path,
    rel: &Path,
    wanted: impl Fn(&Path) -> bool,
) -> Result<Vec<PathBuf>, LoadErrorReason> {
    let io_error = |source| LoadErrorReason::Io(IoError::new(rel.to_path_buf(), source));
    if !real_dir(dir, rel)? {
        return Ok(Vec::new());
    }
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir.join(rel)).map_err(io_error)? {
        let entry = entry.map_err(io_error)?;
        let file = rel.join(entry.file_name());
        if wanted(&file) {
            // `DirEntry::file_type` does not follow links.
            entries.push((file, entry.file_type().map_err(io_error)?));
        }
    }
    entries.sort_by(|a, b| natural_cmp(&a.0.to_string_lossy(), &b.0.to_string_lossy()));
    entries
        .into_iter()
        .map(|(file, file_type)| match irregular(file_type) {
            None => Ok(file),
            Some(found) => Err(LoadErrorReason::NotRegular { file, found }),
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_refused_without_reading_it() {
        let err = read_required(Path::new("/dev"), Path::new("zero"), MAX_TEXT_BYTES)
            .expect_err("device");
        assert!(
            matches!(
                &err,
                LoadErrorReason::NotRegular {
                    found: FileKind::Device,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "zero is a device; problem files must be regular files inside the set"
        );
    }

    #[test]
    fn a_file_over_its_cap_is_refused_and_one_at_the_cap_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("f"), [b'x'; 10]).expect("write");
        assert_eq!(
            read_required(dir.path(), Path::new("f"), 10)
                .expect("at the cap")
                .len(),
            10
        );
        let err = read_required(dir.path(), Path::new("f"), 9).expect_err("over");
        assert!(
            matches!(err, LoadErrorReason::TooLarge { limit: 9, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn a_linked_directory_on_the_way_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("real/public")).expect("mkdir");
        std::fs::write(dir.path().join("real/public/1.in"), "x").expect("write");
        std::os::unix::fs::symlink(dir.path().join("real"), dir.path().join("tests"))
            .expect("symlink");
        let err =
            list_files(dir.path(), Path::new("tests/public"), |_| true).expect_err("linked tests/");
        assert!(
            matches!(&err, LoadErrorReason::NotRegular { file, found: FileKind::Symlink }
                if file == Path::new("tests")),
            "{err:?}"
        );
        assert_eq!(
            list_files(dir.path(), Path::new("real/public"), |_| true).expect("real"),
            [PathBuf::from("real/public/1.in")]
        );
        assert!(list_files(dir.path(), Path::new("absent/public"), |_| true)
            .expect("absent")
            .is_empty());
    }
}
