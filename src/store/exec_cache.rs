//! On-disk execution cache: an outcome per hash of (backend, program, input, limits), so a
//! resumed or repeated run never runs the same program on the same input twice.

use std::io::Write;
use std::path::PathBuf;

use sha2::{Digest, Sha256};
use sstar_sandbox::{Execution, Outcome, ProgramKind, Sandbox};

/// Bumped when the entry format or the key recipe changes.
const FORMAT_VERSION: u32 = 1;

/// Outcomes whose output exceeds this are not stored: re-running them is cheaper than the disk.
const MAX_STORED_OUTPUT: usize = 4 << 20;

/// A directory of cached outcomes, one JSON file each, named by the execution's hash.
#[derive(Debug, Clone)]
pub struct ExecCache {
    dir: PathBuf,
    /// What else decides an outcome: the backend and its interpreter.
    backend: String,
}

impl ExecCache {
    /// A cache in `dir` for executions on `sandbox` (its interpreter is part of every key).
    pub fn new(dir: PathBuf, sandbox: &Sandbox) -> Self {
        let python = sandbox.interpreter();
        Self {
            dir,
            backend: format!("process {} {}", python.executable.display(), python.version),
        }
    }

    /// The hash naming `execution` (length-prefixed parts, so no two executions collide by
    /// concatenation).
    pub fn key(&self, execution: &Execution<'_>) -> String {
        let mut hash = Sha256::new();
        let mut part = |bytes: &[u8]| {
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(bytes);
        };
        part(format!("sstar-exec-cache v{FORMAT_VERSION}").as_bytes());
        part(self.backend.as_bytes());
        match &execution.kind {
            ProgramKind::Stdio => part(b"stdio"),
            ProgramKind::Function { entry_point } => {
                part(b"function");
                part(entry_point.as_bytes());
            }
        }
        part(execution.code.as_bytes());
        part(execution.stdin);
        for (name, data) in &execution.files {
            part(name.as_bytes());
            part(data);
        }
        for arg in &execution.args {
            part(arg.as_bytes());
        }
        part(format!("{:?}", execution.limits).as_bytes());
        hex::encode(hash.finalize())
    }

    fn path(&self, key: &str) -> PathBuf {
        let shard = key.get(..2).unwrap_or("00");
        self.dir.join(shard).join(format!("{key}.json"))
    }

    /// The stored outcome for `key`; `None` when absent or unreadable (a corrupt entry is
    /// simply run again and overwritten).
    pub fn load(&self, key: &str) -> Option<Outcome> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stores `outcome` under `key`: a temporary file renamed into place, so a kill leaves the
    /// whole entry or none. Not synced: after a machine crash an entry may be lost, never wrong.
    /// Failures only cost a re-run later, so they are logged, not returned.
    pub fn store(&self, key: &str, outcome: &Outcome) {
        if outcome.stdout.len() + outcome.stderr.len() > MAX_STORED_OUTPUT {
            return;
        }
        let path = self.path(key);
        let write = || -> std::io::Result<()> {
            let dir = path.parent().unwrap_or(&self.dir);
            std::fs::create_dir_all(dir)?;
            let mut temp = tempfile::NamedTempFile::new_in(dir)?;
            serde_json::to_writer(&mut temp, outcome)?;
            temp.flush()?;
            temp.persist(&path).map_err(|e| e.error)?;
            Ok(())
        };
        if let Err(e) = write() {
            tracing::warn!("execution cache: cannot write {}: {e}", path.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sstar_sandbox::{Limits, Termination};
    use std::time::Duration;

    fn cache(dir: &std::path::Path) -> ExecCache {
        ExecCache {
            dir: dir.to_path_buf(),
            backend: "test".into(),
        }
    }

    fn outcome(stdout: &[u8]) -> Outcome {
        Outcome {
            termination: Termination::TimeLimit { wall: true },
            stdout: stdout.to_vec(),
            stderr: Vec::new(),
            stderr_truncated: false,
            returned: None,
            exit_code: None,
            signal: Some(9),
            cpu: Duration::from_millis(3),
            wall: Duration::from_millis(2001),
            memory_kb: 9000,
        }
    }

    #[test]
    fn keys_separate_everything_that_changes_an_outcome() {
        let cache = cache(std::path::Path::new("/nonexistent"));
        let limits = Limits::new(Duration::from_secs(1), 256, 4);
        let base = Execution::new(ProgramKind::Stdio, "print(1)", b"x", limits);
        let key = cache.key(&base);
        assert_eq!(key, cache.key(&base.clone()));
        let mut other = base.clone();
        other.stdin = b"y";
        assert_ne!(key, cache.key(&other));
        let mut other = base.clone();
        other.limits = Limits::new(Duration::from_secs(2), 256, 4);
        assert_ne!(key, cache.key(&other));
        let mut other = base.clone();
        other.args = vec!["7".into()];
        assert_ne!(key, cache.key(&other));
        let mut other = base.clone();
        other.kind = ProgramKind::Function {
            entry_point: "f".into(),
        };
        assert_ne!(key, cache.key(&other));
        // Boundaries count: code "ab" + input "" is not code "a" + input "b".
        let joined = Execution::new(ProgramKind::Stdio, "ab", b"", limits);
        let split = Execution::new(ProgramKind::Stdio, "a", b"b", limits);
        assert_ne!(cache.key(&joined), cache.key(&split));
    }

    #[test]
    fn stored_outcomes_load_back_and_corrupt_entries_are_misses() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = cache(dir.path());
        let key = "ab".repeat(32);
        assert!(cache.load(&key).is_none());
        cache.store(&key, &outcome(b"\x00out"));
        let back = cache.load(&key).expect("stored");
        assert_eq!(back.stdout, b"\x00out");
        assert_eq!(back.termination, Termination::TimeLimit { wall: true });
        std::fs::write(cache.path(&key), b"{\"torn").expect("corrupt");
        assert!(cache.load(&key).is_none());
    }

    #[test]
    fn huge_outputs_are_not_stored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = cache(dir.path());
        let key = "cd".repeat(32);
        cache.store(&key, &outcome(&vec![b'x'; MAX_STORED_OUTPUT + 1]));
        assert!(cache.load(&key).is_none());
    }
}
