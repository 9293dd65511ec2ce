//! sstar's cache directory (`$XDG_CACHE_HOME/sstar`, or `~/.cache/sstar`), where compiled code
//! is kept between starts: used only when it is this user's alone, since what is found there
//! is run.

use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::PathBuf;

/// `$XDG_CACHE_HOME/sstar`, or `~/.cache/sstar`; not created.
pub(crate) fn base() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("sstar"))
}

/// `base()/sub` (or `base()` itself for an empty `sub`), created with mode 0700, if it and
/// `base()` belong to this user and nobody else can write to them.
pub(crate) fn private(sub: &str) -> Option<PathBuf> {
    let base = base()?;
    let dir = if sub.is_empty() {
        base.clone()
    } else {
        base.join(sub)
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .ok()?;
    let me = crate::uids::effective_uid();
    let ours = |path: &PathBuf| {
        std::fs::metadata(path).is_ok_and(|m| m.uid() == me && m.mode() & 0o022 == 0)
    };
    (ours(&base) && ours(&dir)).then_some(dir)
}

/// Whether nobody but this user or root can change what `path` holds: owned by one of them,
/// writable by neither group nor others.
pub(crate) fn guarded(path: &std::path::Path) -> bool {
    let me = crate::uids::effective_uid();
    std::fs::metadata(path).is_ok_and(|m| (m.uid() == me || m.uid() == 0) && m.mode() & 0o022 == 0)
}

/// A file's size and modification time, or why there are none: what a kept answer about a
/// program on the host is checked against.
pub(crate) fn stamp(path: &std::path::Path) -> String {
    match std::fs::metadata(path) {
        Ok(meta) => format!("{} {:?}", meta.len(), meta.modified().ok()),
        Err(e) => e.to_string(),
    }
}

/// Replaces `file` with `bytes` at once (a temporary file in its directory, renamed): a reader
/// sees the old content or the new, never a part.
pub(crate) fn replace(file: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = file
        .parent()
        .ok_or_else(|| std::io::Error::other("no parent directory"))?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut temp, bytes)?;
    temp.persist(file).map_err(|e| e.error)?;
    Ok(())
}
