//! One writer per run directory: a command that writes a run holds `<RUN>/.lock` until it
//! ends. Two `solve`s on one `--out` would both run every problem and append every result
//! twice; the second now stops at once.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use super::run_dir::RunDir;

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
    /// The lock file cannot be opened or locked.
    #[error("{}: cannot lock: {source}", path.display())]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The underlying failure.
        source: io::Error,
    },
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
        std::fs::create_dir_all(self.root()).map_err(|source| LockError::Io {
            path: self.root().to_path_buf(),
            source,
        })?;
        self.lock()
    }

    /// Takes an existing run directory for writing, without waiting.
    pub fn lock(&self) -> Result<RunLock, LockError> {
        self.take(Mode::Exclusive, true)?
            .ok_or_else(|| LockError::Missing {
                dir: self.root().to_path_buf(),
            })
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
        let io_error = |source| LockError::Io {
            path: path.clone(),
            source,
        };
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
}
