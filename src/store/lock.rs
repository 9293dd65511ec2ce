//! One writer per run directory: a command that writes a run holds `<RUN>/.lock` until it
//! ends. Two `solve`s on one `--out` would both run every problem and append every result
//! twice; the second now stops at once. A run taken for writing must also be private: its
//! caches are replayed as model answers and verdicts, so another user able to write there
//! could decide them.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use sstar_sandbox::effective_uid;

use super::run_dir::RunDir;
use crate::io_error::IoError;

/// The lock file's name inside a run directory.
pub const LOCK_FILE: &str = ".lock";

/// A held run directory, released when dropped (the kernel releases it if the process dies,
/// so a killed run never leaves a stale lock).
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// A run directory that cannot be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error("{}: in use by another sstar command (solve, eval or merge); wait for it to end or use another directory", dir.display())]
    Busy {
        /// The run directory.
        dir: PathBuf,
    },
    /// It does not exist (and the command does not create it).
    #[error("{}: no such run directory", dir.display())]
    Missing {
        /// The run directory.
        dir: PathBuf,
    },
    /// Another user could change what it holds (its caches decide answers and verdicts).
    #[error("{}: {why}; a run directory and its cache/ must be yours and writable by nobody else (e.g. `chmod go-w`), or use another directory", path.display())]
    NotPrivate {
        /// The run directory or its `cache/`.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// The lock file cannot be opened or locked.
    #[error("cannot lock {0}")]
    Io(IoError),
}

enum Mode {
    Exclusive,
    Shared,
}

impl RunDir {
    /// Where the lock lives.
    pub fn lock_file(&self) -> PathBuf {
        self.root().join(LOCK_FILE)
    }

    /// Creates the run directory if needed and takes it for writing, without waiting.
    pub fn create_and_lock(&self) -> Result<RunLock, LockError> {
        make_private_dir(self.root())?;
        self.lock()
    }

    /// Takes an existing run directory for writing, without waiting. It and its `cache/`
    /// (created here if missing) must be this user's and writable by nobody else.
    pub fn lock(&self) -> Result<RunLock, LockError> {
        if self.root().is_dir() {
            check_private(self.root())?;
        }
        let lock = self
            .take(Mode::Exclusive, true)?
            .ok_or_else(|| LockError::Missing {
                dir: self.root().to_path_buf(),
            })?;
        let cache = self.cache_dir();
        make_private_dir(&cache)?;
        check_private(&cache)?;
        Ok(lock)
    }

    /// Takes a run directory for reading: fails while a writer holds it. A run that was
    /// never locked has no lock file and gets `None`; nothing is created (inputs may be
    /// read-only).
    pub fn lock_shared(&self) -> Result<Option<RunLock>, LockError> {
        self.take(Mode::Shared, false)
    }

    fn take(&self, mode: Mode, create: bool) -> Result<Option<RunLock>, LockError> {
        if !self.root().is_dir() {
            return Err(LockError::Missing {
                dir: self.root().to_path_buf(),
            });
        }
        let path = self.lock_file();
        let io_error = |source| LockError::Io(IoError::new(path.clone(), source));
        // O_NOFOLLOW: a lock file planted as a link never makes sstar create a file elsewhere.
        let opened = OpenOptions::new()
            .read(true)
            .write(create)
            .create(create)
            .truncate(false)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path);
        let file = match opened {
            Ok(file) => file,
            Err(e) if !create && e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(e)),
        };
        let taken = match mode {
            Mode::Exclusive => file.try_lock(),
            Mode::Shared => file.try_lock_shared(),
        };
        match taken {
            Ok(()) => Ok(Some(RunLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Err(LockError::Busy {
                dir: self.root().to_path_buf(),
            }),
            Err(std::fs::TryLockError::Error(e)) => Err(io_error(e)),
        }
    }
}

/// Creates `dir` (and missing parents) as `rwxr-xr-x` at most whatever the umask: a group- or
/// world-writable one would be refused on the next run.
fn make_private_dir(dir: &Path) -> Result<(), LockError> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)
        .map_err(|source| LockError::Io(IoError::new(dir.to_path_buf(), source)))
}

/// Refuses `dir` unless it, and the link naming it if it is one, belong to this user and
/// nobody else may write to it.
fn check_private(dir: &Path) -> Result<(), LockError> {
    let refuse = |why: String| LockError::NotPrivate {
        path: dir.to_path_buf(),
        why,
    };
    let io_error = |source| LockError::Io(IoError::new(dir.to_path_buf(), source));
    let me = effective_uid();
    // A link owned by someone else can be pointed elsewhere after this check.
    let link = std::fs::symlink_metadata(dir).map_err(io_error)?;
    if link.file_type().is_symlink() && link.uid() != me {
        return Err(refuse(format!(
            "a symbolic link owned by uid {}, not you (uid {me})",
            link.uid()
        )));
    }
    let meta = std::fs::metadata(dir).map_err(io_error)?;
    if meta.uid() != me {
        return Err(refuse(format!(
            "owned by uid {}, not you (uid {me})",
            meta.uid()
        )));
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Err(refuse(format!(
            "mode {mode:o} lets {} write to it",
            if mode & 0o002 != 0 {
                "every user"
            } else {
                "its group"
            }
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_writer_at_a_time_and_readers_wait_for_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = RunDir::new(dir.path().join("run"));
        assert!(run.lock_shared().is_err(), "no directory yet");
        assert!(matches!(run.lock(), Err(LockError::Missing { .. })));
        let held = run.create_and_lock().expect("first writer");
        assert!(matches!(run.lock(), Err(LockError::Busy { .. })));
        assert!(matches!(run.lock_shared(), Err(LockError::Busy { .. })));
        drop(held);
        let reader = run
            .lock_shared()
            .expect("reader")
            .expect("lock file exists");
        assert!(matches!(run.lock(), Err(LockError::Busy { .. })));
        drop(reader);
        run.lock().expect("free again");
        let fresh = RunDir::new(dir.path());
        assert!(fresh.lock_shared().expect("never locked").is_none());
    }

    #[test]
    fn a_run_or_cache_others_can_write_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let run = RunDir::new(dir.path().join("run"));
        drop(run.create_and_lock().expect("new run"));
        let mode = |path: &Path| std::fs::metadata(path).expect("stat").permissions().mode();
        assert_eq!(mode(run.root()) & 0o022, 0);
        assert_eq!(mode(&run.cache_dir()) & 0o022, 0, "cache/ made by the lock");
        let chmod = |path: &Path, mode: u32| {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod")
        };
        for (path, mode) in [(run.root().to_path_buf(), 0o777), (run.cache_dir(), 0o775)] {
            chmod(&path, mode);
            match run.lock() {
                Err(LockError::NotPrivate { path: refused, .. }) => assert_eq!(refused, path),
                other => panic!("{} at {mode:o}: {other:?}", path.display()),
            }
            chmod(&path, 0o755);
        }
        run.lock().expect("private again");
        assert_eq!(
            effective_uid(),
            std::fs::metadata(run.lock_file()).expect("stat").uid(),
            "the lock file is ours"
        );
    }
}
