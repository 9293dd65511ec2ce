//! On-disk execution cache: an outcome per hash of (backend, program, input, limits), so a
//! resumed or repeated run never runs the same program on the same input twice.
//!
//! One append-only file of lines `<key> <outcome JSON>`: a run makes hundreds of thousands of
//! small entries, and a file each would cost a disk block and an inode apiece. An index of
//! key → (offset, length) is rebuilt by one scan at open; a line torn by a kill is ignored.
//! One process writes at a time (an exclusive lock); another finds it held and runs uncached.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};
use sstar_sandbox::{Execution, Language, Limits, Outcome, ProgramKind, Sandbox, Termination};

/// Bumped when the entry format or the key recipe changes (2: limits encoded field by field,
/// no longer as their `Debug` text).
const FORMAT_VERSION: u32 = 2;

/// Outcomes whose entry (output, error output and returned value together) exceeds this are
/// not stored: re-running them is cheaper than the disk.
const MAX_STORED_OUTPUT: usize = 4 << 20;

/// Past this size the file takes no more entries: thousands of runs near the cap above, each
/// a candidate's choice, must not fill the disk.
const MAX_FILE_BYTES: u64 = 2 << 30;

/// Length of a key: hex SHA-256.
const KEY_LEN: usize = 64;

/// An execution cache file, shared by every task of a run.
#[derive(Debug)]
pub struct ExecCache {
    path: PathBuf,
    /// What else decides an outcome: the sandbox's interpreter, isolation and runtime code.
    backend: String,
    /// And for a C++ program: the compiler, its flags and limits (`None`: none here).
    cxx: Option<String>,
    /// `None` when another process holds the cache.
    log: Option<Mutex<Log>>,
}

/// Key → where its line starts, and the line's length without the newline.
type Index = HashMap<String, (u64, usize)>;

#[derive(Debug)]
struct Log {
    file: File,
    index: Index,
    /// File length; `torn` when it does not end a line (a kill mid-append).
    end: u64,
    torn: bool,
    /// A write failed: where the file ends is unknown, so nothing more is appended.
    broken: bool,
    /// The file reached [`MAX_FILE_BYTES`] (said once).
    full: bool,
}

impl ExecCache {
    /// Opens (or creates) the cache at `path` for executions on `sandbox` (its
    /// [fingerprint](Sandbox::fingerprint) is part of every key).
    pub fn open(path: &Path, sandbox: &Sandbox) -> io::Result<Self> {
        let mut cache = Self::open_with(path, hex::encode(Sha256::digest(sandbox.fingerprint())))?;
        cache.cxx = sandbox
            .cxx_fingerprint()
            .map(|f| hex::encode(Sha256::digest(f)));
        Ok(cache)
    }

    fn open_with(path: &Path, backend: String) -> io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Never writable by group or others, whatever the umask: what it holds is believed.
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .mode(0o644)
            .open(path)?;
        if let Err(e) = file.try_lock() {
            tracing::warn!(
                "{}: in use by another sstar ({e}); this run's executions are not cached",
                path.display()
            );
            return Ok(Self {
                path: path.to_path_buf(),
                backend,
                cxx: None,
                log: None,
            });
        }
        let (index, end, torn) = scan(&file)?;
        Ok(Self {
            path: path.to_path_buf(),
            backend,
            cxx: None,
            log: Some(Mutex::new(Log {
                file,
                index,
                end,
                torn,
                broken: false,
                full: false,
            })),
        })
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
        // Only C++ keys carry the language: every Python key stays what it was.
        if execution.language == Language::Cpp {
            part(b"cpp");
            part(self.cxx.as_deref().unwrap_or_default().as_bytes());
        }
        match &execution.kind {
            ProgramKind::Stdio => part(b"stdio"),
            ProgramKind::Function { entry_point } => {
                part(b"function");
                part(entry_point.as_bytes());
            }
        }
        let environment = &execution.environment;
        part(&[u8::from(environment.judged)]);
        part(&(environment.packages.len() as u64).to_le_bytes());
        for package in &environment.packages {
            part(package.as_bytes());
        }
        part(execution.code.as_bytes());
        part(execution.stdin);
        // Counted, so no file can pass for an argument or the other way round.
        part(&(execution.files.len() as u64).to_le_bytes());
        for (name, data) in &execution.files {
            part(name.as_bytes());
            part(data);
        }
        part(&(execution.args.len() as u64).to_le_bytes());
        for arg in &execution.args {
            part(arg.as_bytes());
        }
        part(&limits_bytes(&execution.limits));
        hex::encode(hash.finalize())
    }

    /// Whether an entry for `key` exists, from the in-memory index (no disk read): a miss
    /// costs nothing, a hit is then read with [`ExecCache::load`].
    pub fn contains(&self, key: &str) -> bool {
        self.lock().is_some_and(|log| log.index.contains_key(key))
    }

    /// The stored outcome for `key`; `None` when absent or unreadable (it then runs again): a
    /// torn line, or an outcome this build cannot read (a termination kind from another
    /// version), is a miss, never a crash or another outcome.
    pub fn load(&self, key: &str) -> Option<Outcome> {
        let log = self.lock()?;
        let &(offset, len) = log.index.get(key)?;
        let mut line = vec![0; len];
        log.file.read_exact_at(&mut line, offset).ok()?;
        drop(log);
        // The line must be this key's: a wrong offset is a miss, never another's outcome.
        let json = line.strip_prefix(key.as_bytes())?.strip_prefix(b" ")?;
        if let Ok(outcome) = serde_json::from_slice(json) {
            return Some(outcome);
        }
        // Python's JSON: a returned infinity or NaN is stored as `Infinity`/`NaN`, which only
        // the value itself can hold (serde's number path would reject it), so it is set apart.
        let mut value = sstar_pyjson::from_slice(json).ok()?;
        let returned = value.as_object_mut()?.remove("returned");
        let mut outcome: Outcome = serde_json::from_value(value).ok()?;
        outcome.returned = returned.filter(|v| !v.is_null());
        Some(outcome)
    }

    /// Appends `outcome` under `key` in one write, if it is [reproducible]. Not synced: after a
    /// machine crash an entry may be lost or torn, never wrong. Failures only cost a re-run
    /// later, so they are logged, not returned.
    pub fn store(&self, key: &str, outcome: &Outcome) {
        if !reproducible(outcome) {
            // Debug-level, so "why did this eval run anything" has an answer under `-vv`.
            tracing::debug!(key, termination = ?outcome.termination, "not cached: not reproducible");
            return;
        }
        if outcome.stdout.len() + outcome.stderr.len() > MAX_STORED_OUTPUT {
            tracing::debug!(key, "not cached: output over {MAX_STORED_OUTPUT} bytes");
            return;
        }
        if key.len() != KEY_LEN {
            return;
        }
        let Ok(json) = serde_json::to_vec(outcome) else {
            return;
        };
        if json.len() > MAX_STORED_OUTPUT {
            tracing::debug!(key, "not cached: entry over {MAX_STORED_OUTPUT} bytes");
            return;
        }
        let Some(mut log) = self.lock() else {
            return;
        };
        if log.broken {
            return;
        }
        if log.end + json.len() as u64 > MAX_FILE_BYTES {
            if !log.full {
                log.full = true;
                tracing::warn!(
                    "execution cache: {} is over {} GiB; no more entries this run",
                    self.path.display(),
                    MAX_FILE_BYTES >> 30
                );
            }
            return;
        }
        // A torn last line gets its end first, so this entry stands on its own line.
        let lead = usize::from(log.torn);
        let mut line = Vec::with_capacity(lead + KEY_LEN + 2 + json.len());
        line.extend_from_slice(&b"\n"[..lead]);
        let line_at = log.end + lead as u64;
        line.extend_from_slice(key.as_bytes());
        line.push(b' ');
        line.extend_from_slice(&json);
        line.push(b'\n');
        match log.file.write_all(&line) {
            Ok(()) => {
                log.end += line.len() as u64;
                log.torn = false;
                log.index
                    .insert(key.to_owned(), (line_at, line.len() - lead - 1));
            }
            Err(e) => {
                tracing::warn!(
                    "execution cache: cannot write {}: {e}; no more entries this run",
                    self.path.display()
                );
                log.broken = true;
            }
        }
    }

    fn lock(&self) -> Option<std::sync::MutexGuard<'_, Log>> {
        let log = self.log.as_ref()?;
        Some(log.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Whether an outcome would come out the same on an idle machine: not a wall-clock verdict
/// (the machine may just have been busy), not a failure of the sandbox itself. Every kind is
/// named, so a new one must be decided here before it can be cached.
fn reproducible(outcome: &Outcome) -> bool {
    match &outcome.termination {
        Termination::TimeLimit { wall } => !wall,
        Termination::SandboxFailure { .. } => false,
        Termination::Finished
        | Termination::CompileError { .. }
        | Termination::RuntimeError { .. }
        | Termination::MemoryLimit
        | Termination::OutputLimit => true,
    }
}

/// The limits as the key hashes them: a field count, then every field as a fixed-width
/// little-endian integer in a fixed order (durations in nanoseconds), so the key does not
/// change with a `Debug` format or a field's reordering.
fn limits_bytes(limits: &Limits) -> Vec<u8> {
    // Destructured: a field added to `Limits` fails to compile here until it has a place.
    let Limits {
        cpu,
        wall,
        memory_bytes,
        output_bytes,
        max_processes,
    } = *limits;
    let mut bytes = Vec::with_capacity(1 + 16 * 2 + 8 * 2 + 4);
    bytes.push(5u8);
    bytes.extend_from_slice(&cpu.as_nanos().to_le_bytes());
    bytes.extend_from_slice(&wall.as_nanos().to_le_bytes());
    bytes.extend_from_slice(&memory_bytes.to_le_bytes());
    bytes.extend_from_slice(&output_bytes.to_le_bytes());
    bytes.extend_from_slice(&max_processes.to_le_bytes());
    bytes
}

/// Key → (line offset, line length) of every whole line, read in one streaming pass; a later
/// line for a key wins. Also the file's length and whether it ends mid-line.
fn scan(file: &File) -> io::Result<(Index, u64, bool)> {
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let (mut index, mut offset, mut line) = (HashMap::new(), 0u64, Vec::new());
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line)?;
        if read == 0 {
            return Ok((index, offset, false));
        }
        if line.last() != Some(&b'\n') {
            return Ok((index, offset + read as u64, true));
        }
        let body = &line[..read - 1];
        if body.len() > KEY_LEN + 1 && body[KEY_LEN] == b' ' {
            if let Ok(key) = std::str::from_utf8(&body[..KEY_LEN]) {
                index.insert(key.to_owned(), (offset, body.len()));
            }
        }
        offset += read as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn cache(path: &Path) -> ExecCache {
        ExecCache::open_with(path, "test".into()).expect("open")
    }

    fn outcome(stdout: &[u8]) -> Outcome {
        Outcome {
            termination: Termination::TimeLimit { wall: false },
            stdout: stdout.to_vec(),
            stderr: Vec::new(),
            stderr_truncated: false,
            returned: None,
            exit_code: None,
            signal: Some(9),
            cpu: Duration::from_millis(3),
            wall: Duration::from_millis(1001),
            memory_kb: 9000,
        }
    }

    #[test]
    fn keys_separate_everything_that_changes_an_outcome() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = cache(&dir.path().join("exec.log"));
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
        // A file's name and bytes are not two arguments.
        let mut file = base.clone();
        file.files = vec![("a".into(), b"b".to_vec())];
        let mut args = base.clone();
        args.args = vec!["a".into(), "b".into()];
        assert_ne!(cache.key(&file), cache.key(&args));
        // The same text as C++ is another program, and its key changes with the compiler.
        let mut cpp = base.clone();
        cpp.language = Language::Cpp;
        assert_ne!(key, cache.key(&cpp));
        let mut flagged = super::ExecCache::open_with(&dir.path().join("other.log"), "test".into())
            .expect("open");
        flagged.cxx = Some("g++ -O0".into());
        assert_ne!(cache.key(&cpp), flagged.key(&cpp));
        assert_eq!(
            cache.key(&base),
            flagged.key(&base),
            "Python keys do not see the compiler"
        );
    }

    #[test]
    fn outcomes_survive_reopening_and_a_torn_tail() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("cache/exec.log");
        let (a, b, c) = ("a".repeat(64), "b".repeat(64), "c".repeat(64));
        let first = cache(&path);
        assert!(first.load(&a).is_none());
        first.store(&a, &outcome(b"\x00out"));
        first.store(&b, &outcome(b"second"));
        assert_eq!(first.load(&a).expect("stored").stdout, b"\x00out");
        drop(first);
        // A kill mid-append leaves half a line: it is skipped, and the next entry is whole.
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("open");
        file.write_all(format!("{c} {{\"termin").as_bytes())
            .expect("tear");
        let again = cache(&path);
        assert_eq!(again.load(&b).expect("b").stdout, b"second");
        assert!(again.load(&c).is_none());
        again.store(&c, &outcome(b"third"));
        let back = again.load(&c).expect("c");
        assert_eq!(back.termination, Termination::TimeLimit { wall: false });
        drop(again);
        let reopened = cache(&path);
        for (key, out) in [(&a, &b"\x00out"[..]), (&b, b"second"), (&c, b"third")] {
            assert_eq!(reopened.load(key).expect("kept").stdout, out);
        }
    }

    #[test]
    fn a_large_returned_value_counts_against_the_stored_output_cap() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("exec.log");
        let cache = cache(&path);
        // What a candidate returning a long string on every test would have stored.
        let mut hog = outcome(b"");
        hog.termination = Termination::Finished;
        hog.returned = Some(serde_json::Value::String("x".repeat(MAX_STORED_OUTPUT)));
        for key in ["a", "b", "c"].map(|k| k.repeat(64)) {
            cache.store(&key, &hog);
            assert!(!cache.contains(&key));
        }
        assert_eq!(std::fs::metadata(&path).expect("log").len(), 0);
        let mut small = hog.clone();
        small.returned = Some(serde_json::Value::String("x".repeat(1000)));
        cache.store(&"d".repeat(64), &small);
        assert!(cache.contains(&"d".repeat(64)));
    }

    #[test]
    fn a_full_file_takes_no_more_entries() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("exec.log");
        let cache = cache(&path);
        cache.store(&"a".repeat(64), &outcome(b"first"));
        cache.lock().expect("log").end = MAX_FILE_BYTES - 10;
        cache.store(&"b".repeat(64), &outcome(b"second"));
        assert!(!cache.contains(&"b".repeat(64)));
        assert!(cache.contains(&"a".repeat(64)));
    }

    #[test]
    fn returned_infinities_and_nan_are_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = cache(&dir.path().join("exec.log"));
        let mut stored = outcome(b"");
        let value = sstar_pyjson::from_str("[Infinity, -Infinity, NaN, 1.5]");
        stored.returned = Some(value.expect("python json"));
        let key = "f".repeat(64);
        cache.store(&key, &stored);
        let loaded = cache.load(&key).expect("read back, not a miss");
        assert_eq!(
            loaded.returned.map(|v| v.to_string()),
            Some("[Infinity,-Infinity,NaN,1.5]".to_owned())
        );
    }

    #[test]
    fn a_second_open_of_a_held_cache_runs_uncached() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("exec.log");
        let first = cache(&path);
        let second = cache(&path);
        let key = "e".repeat(64);
        second.store(&key, &outcome(b"x"));
        assert!(second.load(&key).is_none());
        assert!(first.load(&key).is_none());
        first.store(&key, &outcome(b"y"));
        assert_eq!(first.load(&key).expect("stored").stdout, b"y");
    }

    #[test]
    fn huge_outputs_are_not_stored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = cache(&dir.path().join("exec.log"));
        let key = "d".repeat(64);
        cache.store(&key, &outcome(&vec![b'x'; MAX_STORED_OUTPUT + 1]));
        assert!(cache.load(&key).is_none());
    }

    #[test]
    fn wall_clock_limits_and_sandbox_failures_are_never_stored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = cache(&dir.path().join("exec.log"));
        let failure = Termination::SandboxFailure {
            message: "OSError: no scratch directory".into(),
        };
        for (n, termination) in [failure, Termination::TimeLimit { wall: true }]
            .into_iter()
            .enumerate()
        {
            let key = n.to_string().repeat(64);
            let mut stored = outcome(b"");
            stored.termination = termination;
            cache.store(&key, &stored);
            assert!(
                cache.load(&key).is_none(),
                "{:?} was kept",
                stored.termination
            );
        }
        drop(cache);
        let file = std::fs::read(dir.path().join("exec.log")).expect("read");
        assert!(file.is_empty(), "nothing written: {}", file.len());
        // The decision is by kind, never by words: a program's own error that happens to
        // say "sandbox setup failed" is its behaviour, and is kept.
        let cache =
            super::ExecCache::open_with(&dir.path().join("exec.log"), "test".into()).expect("open");
        let mut own = outcome(b"");
        own.termination = Termination::RuntimeError {
            detail: "sandbox setup failed: said the program".into(),
        };
        cache.store(&"a".repeat(64), &own);
        assert!(cache.load(&"a".repeat(64)).is_some());
    }

    #[test]
    fn a_line_this_build_cannot_read_is_a_miss() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("exec.log");
        let limits = Limits::new(Duration::from_secs(1), 256, 4);
        let key = cache(&path).key(&Execution::new(ProgramKind::Stdio, "print(1)", b"", limits));
        // Under a real key: a termination kind from another build, then a line cut short
        // inside its JSON but ended (a concurrent writer); neither may parse as an outcome.
        let stale = serde_json::to_string(&outcome(b"1\n"))
            .expect("json")
            .replace(r#""kind":"time_limit""#, r#""kind":"abducted""#);
        assert!(stale.contains("abducted"), "{stale}");
        std::fs::write(&path, format!("{key} {stale}\n")).expect("write");
        let reopened = cache(&path);
        assert!(reopened.load(&key).is_none());
        reopened.store(&key, &outcome(b"fresh"));
        assert_eq!(reopened.load(&key).expect("stored").stdout, b"fresh");
        drop(reopened);
        // The later, readable line wins on the next open.
        assert_eq!(cache(&path).load(&key).expect("kept").stdout, b"fresh");
        let other = "9".repeat(64);
        std::fs::write(&path, format!("{other} {{\"termination\":{{\"kind\"\n")).expect("write");
        assert!(cache(&path).load(&other).is_none());
    }

    #[test]
    fn keys_encode_each_limit_not_its_debug_text() {
        let limits = Limits::new(Duration::from_millis(1500), 256, 4);
        let bytes = limits_bytes(&limits);
        assert_eq!(bytes.len(), 1 + 16 + 16 + 8 + 8 + 4);
        assert_eq!(bytes[0], 5);
        assert_eq!(&bytes[1..17], &1_500_000_000u128.to_le_bytes());
        assert_eq!(&bytes[17..33], &4_000_000_000u128.to_le_bytes());
        assert_eq!(&bytes[33..41], &(256u64 << 20).to_le_bytes());
        assert_eq!(&bytes[41..49], &(4u64 << 20).to_le_bytes());
        assert_eq!(&bytes[49..], &32u32.to_le_bytes());
        // Every field counts.
        let mut other = limits;
        other.max_processes = 64;
        assert_ne!(limits_bytes(&other), bytes);
        let mut other = limits;
        other.wall = Duration::from_secs(5);
        assert_ne!(limits_bytes(&other), bytes);
    }
}
