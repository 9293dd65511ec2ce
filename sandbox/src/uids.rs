//! Sandbox uids without collisions: each pool takes a block of uids by holding an exclusive
//! lock on that block's lock file for as long as it lives, so concurrent sstar processes on
//! one host (a Kubernetes node, a SLURM machine) never share a uid, its process limit or
//! its keyring. The kernel drops the lock when the process dies, however it dies.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::pool::SandboxError;

/// This process's effective uid: the owner of what it creates, and whether it may hand
/// candidates uids of their own (root). Here, so the rest of sstar needs no `unsafe` for it.
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// First uid handed to candidates; far above any real account.
const FIRST_UID: u32 = 1_000_000;

/// Number of blocks; `FIRST_UID + BLOCKS * block size` stays below 2^31.
const BLOCKS: u32 = 100_000;

/// A block of `size` uids, reserved while this value lives.
#[derive(Debug)]
pub(crate) struct UidBlock {
    pub first: u32,
    _lock: File,
}

impl UidBlock {
    /// Takes the first free block, starting from one derived from our pid (so concurrent
    /// processes rarely contend for the same lock file).
    pub(crate) fn reserve(size: u32) -> Result<Self, SandboxError> {
        let dir = lock_dir();
        std::fs::create_dir_all(&dir)
            .map_err(|e| SandboxError::Spawn(format!("uid locks in {}: {e}", dir.display())))?;
        let start = std::process::id() % BLOCKS;
        for step in 0..BLOCKS {
            let block = (start + step) % BLOCKS;
            if let Some(lock) = try_lock(&dir.join(format!("block-{block}.lock")))? {
                return Ok(Self {
                    first: FIRST_UID + block * size,
                    _lock: lock,
                });
            }
        }
        Err(SandboxError::Spawn(format!(
            "every sandbox uid block in {} is taken",
            dir.display()
        )))
    }
}

/// Shared by every sstar process on the host: `/run/lock` when it is writable (root), else
/// the temporary directory.
fn lock_dir() -> PathBuf {
    let run_lock = Path::new("/run/lock");
    if run_lock.is_dir() && std::fs::metadata(run_lock).is_ok_and(|m| !m.permissions().readonly()) {
        run_lock.join("sstar-uids")
    } else {
        std::env::temp_dir().join("sstar-uids")
    }
}

fn try_lock(path: &Path) -> Result<Option<File>, SandboxError> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| SandboxError::Spawn(format!("{}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(SandboxError::Spawn(format!(
            "locking {}: {e}",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_reservations_never_overlap() {
        let blocks: Vec<UidBlock> = (0..8)
            .map(|_| UidBlock::reserve(64).expect("block"))
            .collect();
        let mut firsts: Vec<u32> = blocks.iter().map(|b| b.first).collect();
        firsts.sort_unstable();
        firsts.dedup();
        assert_eq!(firsts.len(), 8);
        for pair in firsts.windows(2) {
            assert!(pair[1] - pair[0] >= 64);
        }
    }
}
