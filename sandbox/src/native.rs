//! C++ programs: compiled once in the worker's compiler root, the binary kept by the hash of
//! source, compiler and flags (in memory and in the user's cache), then run like any program.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sha2::{Digest as _, Sha256};

use crate::execution::Limits;
use crate::outcome::{Outcome, Termination};
use crate::pool::SandboxError;
use crate::toolchain::Toolchain;

/// The flags Codeforces compiles C++ with.
pub const DEFAULT_CXX_FLAGS: &[&str] = &["-std=gnu++17", "-O2", "-pipe"];

/// How a C++ program is compiled: the flags, and the compiler's own limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileSettings {
    /// Passed to the compiler before the source (default [`DEFAULT_CXX_FLAGS`]).
    pub flags: Vec<String>,
    /// CPU, memory, output (the binary and any file the compiler writes) and processes.
    pub limits: Limits,
}

impl Default for CompileSettings {
    fn default() -> Self {
        Self {
            flags: DEFAULT_CXX_FLAGS.iter().map(|f| (*f).to_owned()).collect(),
            limits: Limits {
                cpu: Duration::from_secs(30),
                wall: Duration::from_secs(90),
                memory_bytes: 2 << 30,
                output_bytes: 64 << 20,
                max_processes: 16,
            },
        }
    }
}

/// Lines and characters of compiler messages kept: the first errors say what is wrong, and a
/// template error can run to megabytes.
const MESSAGE_LINES: usize = 30;
const MESSAGE_CHARS: usize = 3000;

/// Bumped when what goes into a binary changes in a way the key does not see.
const CACHE_VERSION: &str = "sstar-cpp v1";

/// What compiling a source gave.
#[derive(Debug, Clone)]
pub(crate) enum Compiled {
    Binary(Arc<[u8]>),
    /// The compiler rejected the source, with its messages: kept in memory and on disk.
    Rejected(String),
    /// The compile hit a limit or died of a signal: the program's compile error, kept for
    /// this process only (how close a compile runs to a limit can depend on the machine).
    OverLimit(String),
    /// The machine, not the source, stopped it (the wall clock twice, the sandbox): kept
    /// nowhere, so the next run compiles again.
    Unavailable(String),
}

/// Most bytes of binaries kept in memory; past it they are read back from disk (or
/// compiled again) when asked for.
const MAX_MEMORY_BYTES: u64 = 256 << 20;

/// How often the compiler ran and how often a binary was found instead.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CompileStats {
    /// Sources compiled (successfully or not).
    pub compiled: u64,
    /// Found in this process's memory.
    pub memory_hits: u64,
    /// Found in the user's cache directory.
    pub disk_hits: u64,
}

/// Where one source's binary is kept once compiled.
type Slot = Arc<Mutex<Option<Compiled>>>;

/// The C++ side of a process pool: the toolchain, the settings, the binaries.
#[derive(Debug)]
pub(crate) struct Native {
    pub toolchain: Result<Toolchain, String>,
    pub settings: CompileSettings,
    /// One slot per source: callers wanting the same binary wait for one compile.
    binaries: Mutex<HashMap<[u8; 32], Slot>>,
    disk: Option<PathBuf>,
    /// Bytes of binaries held in `binaries`.
    held: AtomicU64,
    /// See [`Native::fingerprint`]; made once, since every C++ run keys on it.
    fingerprint: Option<String>,
    compiled: AtomicU64,
    memory_hits: AtomicU64,
    disk_hits: AtomicU64,
}

impl Native {
    pub(crate) fn new(toolchain: Result<Toolchain, String>, settings: CompileSettings) -> Self {
        // The worker's code runs the compiler: its hash is part of every key.
        let driver = hex::encode(Sha256::digest(crate::worker::worker_source()));
        let limits = &settings.limits;
        let fingerprint = toolchain.as_ref().ok().map(|toolchain| {
            format!(
                "{CACHE_VERSION}\n{}\nbinds {:?}\ndriver {driver}\nflags {:?}\nlimits cpu={:?} memory={} output={}",
                toolchain.identity,
                toolchain.binds,
                settings.flags,
                limits.cpu,
                limits.memory_bytes,
                limits.output_bytes
            )
        });
        Self {
            toolchain,
            settings,
            binaries: Mutex::default(),
            disk: crate::cache_dir::private("cpp"),
            held: AtomicU64::new(0),
            fingerprint,
            compiled: AtomicU64::new(0),
            memory_hits: AtomicU64::new(0),
            disk_hits: AtomicU64::new(0),
        }
    }

    /// What besides the source decides a binary: compiler, flags, compile limits; `None`
    /// without a compiler.
    pub(crate) fn fingerprint(&self) -> Option<&str> {
        self.fingerprint.as_deref()
    }

    pub(crate) fn stats(&self) -> CompileStats {
        CompileStats {
            compiled: self.compiled.load(Ordering::Relaxed),
            memory_hits: self.memory_hits.load(Ordering::Relaxed),
            disk_hits: self.disk_hits.load(Ordering::Relaxed),
        }
    }

    /// The binary for `source`: from memory, from the disk cache, or from `compile` (which
    /// runs the compiler in the sandbox; asked twice when the wall clock stopped it).
    pub(crate) fn binary(
        &self,
        source: &str,
        compile: impl Fn(&CompileSettings) -> Result<Outcome, SandboxError>,
    ) -> Result<Compiled, SandboxError> {
        let Some(fingerprint) = self.fingerprint() else {
            let reason = self.toolchain.as_ref().err().cloned().unwrap_or_default();
            return Ok(Compiled::Unavailable(format!(
                "cannot compile C++ here: {reason}"
            )));
        };
        let mut hasher = Sha256::new();
        for part in [fingerprint.as_bytes(), source.as_bytes()] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        let key: [u8; 32] = hasher.finalize().into();
        let slot = Arc::clone(
            self.binaries
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(key)
                .or_default(),
        );
        let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(done) = slot.as_ref() {
            self.memory_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(done.clone());
        }
        let file = self.disk.as_ref().map(|dir| dir.join(hex::encode(key)));
        if let Some(found) = file.as_deref().and_then(read_cached) {
            self.disk_hits.fetch_add(1, Ordering::Relaxed);
            self.keep(&mut slot, &found);
            return Ok(found);
        }
        self.compiled.fetch_add(1, Ordering::Relaxed);
        let mut compiled = self.classify(compile(&self.settings)?);
        if matches!(compiled, Compiled::Unavailable(_)) {
            compiled = self.classify(compile(&self.settings)?);
        }
        if let (Some(file), Compiled::Binary(_) | Compiled::Rejected(_)) = (&file, &compiled) {
            write_cached(file, &compiled);
        }
        self.keep(&mut slot, &compiled);
        Ok(compiled)
    }

    /// Keeps `compiled` in memory: not an unavailable compile, nor a binary past the budget.
    fn keep(&self, slot: &mut Option<Compiled>, compiled: &Compiled) {
        let bytes = match compiled {
            Compiled::Binary(binary) => binary.len() as u64,
            Compiled::Unavailable(_) => return,
            Compiled::Rejected(_) | Compiled::OverLimit(_) => 0,
        };
        if self.held.fetch_add(bytes, Ordering::Relaxed) + bytes > MAX_MEMORY_BYTES {
            self.held.fetch_sub(bytes, Ordering::Relaxed);
            return;
        }
        *slot = Some(compiled.clone());
    }

    /// The compiler's run, told apart as the source's fault (rejected, or over a limit) or
    /// the machine's (the wall clock, the sandbox).
    fn classify(&self, outcome: Outcome) -> Compiled {
        let limits = &self.settings.limits;
        let said = trim_message(&String::from_utf8_lossy(&outcome.stderr));
        match &outcome.termination {
            Termination::Finished if !outcome.stdout.is_empty() => {
                Compiled::Binary(Arc::from(outcome.stdout.as_slice()))
            }
            Termination::Finished => Compiled::Unavailable("the compiler wrote no binary".into()),
            Termination::SandboxFailure { message } => {
                Compiled::Unavailable(format!("compiling: {message}"))
            }
            Termination::TimeLimit { wall: true } => Compiled::Unavailable(format!(
                "the compiler was still running after {} s of wall time",
                limits.wall.as_secs()
            )),
            // The compiler's own verdict on the source: an exit status with its messages.
            Termination::RuntimeError { .. } if outcome.signal.is_none() && !said.is_empty() => {
                Compiled::Rejected(said)
            }
            Termination::RuntimeError { detail } => Compiled::OverLimit(
                format!("the compiler died ({detail})\n{said}")
                    .trim_end()
                    .to_owned(),
            ),
            Termination::TimeLimit { wall: false } => Compiled::OverLimit(format!(
                "compilation took over {} s of CPU time",
                limits.cpu.as_secs()
            )),
            Termination::MemoryLimit => Compiled::OverLimit(format!(
                "compilation needed over {} MiB of memory",
                limits.memory_bytes >> 20
            )),
            Termination::OutputLimit => Compiled::OverLimit(format!(
                "compilation wrote over {} MiB (binary or messages)",
                limits.output_bytes >> 20
            )),
            Termination::CompileError { message } => Compiled::Rejected(message.clone()),
        }
    }
}

/// The first lines of the compiler's messages, at most [`MESSAGE_LINES`] lines and
/// [`MESSAGE_CHARS`] characters, with a note of what was left out.
pub(crate) fn trim_message(text: &str) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let mut kept = String::new();
    let mut taken = 0;
    for line in &lines {
        if taken == MESSAGE_LINES || kept.len() + line.len() > MESSAGE_CHARS {
            if taken == 0 {
                // A first line longer than the whole budget (a template's name): its start.
                kept.extend(line.chars().take(MESSAGE_CHARS));
                kept.push_str(" [...]\n");
                taken = 1;
            }
            break;
        }
        kept.push_str(line);
        kept.push('\n');
        taken += 1;
    }
    if taken < lines.len() {
        kept.push_str(&format!("[{} more lines]\n", lines.len() - taken));
    }
    kept.trim_end().to_owned()
}

/// A compile error as the outcome of running the program.
pub(crate) fn compile_error(message: String) -> Outcome {
    outcome(Termination::CompileError { message })
}

/// An outcome of a program that never ran.
pub(crate) fn outcome(termination: Termination) -> Outcome {
    Outcome {
        termination,
        stdout: Vec::new(),
        stderr: Vec::new(),
        stderr_truncated: false,
        returned: None,
        exit_code: None,
        signal: None,
        cpu: Duration::ZERO,
        wall: Duration::ZERO,
        memory_kb: 0,
    }
}

/// Cache files: the binary as `KEY`, a compile error's message as `KEY.err`; read only when
/// nobody else could have written them (what is found there is run).
fn read_cached(file: &std::path::Path) -> Option<Compiled> {
    let error = file.with_extension("err");
    if crate::cache_dir::guarded(&error) {
        if let Ok(message) = std::fs::read_to_string(&error) {
            return Some(Compiled::Rejected(message));
        }
    }
    if crate::cache_dir::guarded(file) {
        if let Ok(binary) = std::fs::read(file) {
            return (!binary.is_empty()).then(|| Compiled::Binary(Arc::from(binary)));
        }
    }
    None
}

fn write_cached(file: &std::path::Path, compiled: &Compiled) {
    let (path, bytes): (PathBuf, &[u8]) = match compiled {
        Compiled::Binary(binary) => (file.to_path_buf(), binary),
        Compiled::Rejected(message) => (file.with_extension("err"), message.as_bytes()),
        Compiled::OverLimit(_) | Compiled::Unavailable(_) => return,
    };
    let Some(dir) = path.parent() else { return };
    let written = tempfile::NamedTempFile::new_in(dir).and_then(|mut temp| {
        std::io::Write::write_all(&mut temp, bytes)?;
        temp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    });
    if let Err(e) = written {
        tracing::debug!("could not keep a compiled binary in {}: {e}", dir.display());
    }
    prune(dir, MAX_CACHE_BYTES);
}

/// Most bytes of binaries kept on disk; past it the least recently written go.
const MAX_CACHE_BYTES: u64 = 1 << 30;

/// Removes the oldest files of `dir` until what is left holds at most three quarters of
/// `max` bytes, once it holds more than `max`.
fn prune(dir: &std::path::Path, max: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, u64, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let meta = entry.metadata().ok().filter(std::fs::Metadata::is_file)?;
            Some((meta.modified().ok()?, meta.len(), entry.path()))
        })
        .collect();
    let mut total: u64 = files.iter().map(|(_, len, _)| len).sum();
    if total <= max {
        return;
    }
    files.sort();
    for (_, len, path) in files {
        if total <= max / 4 * 3 {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total -= len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_cache_loses_its_oldest_binaries_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (n, name) in ["old", "middle", "new"].iter().enumerate() {
            let path = dir.path().join(name);
            std::fs::write(&path, vec![0u8; 400]).expect("write");
            let when = std::time::UNIX_EPOCH + Duration::from_secs(1_000 + n as u64);
            let file = std::fs::File::options()
                .write(true)
                .open(&path)
                .expect("open");
            file.set_modified(when).expect("mtime");
        }
        prune(dir.path(), 1_100);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["middle", "new"]);
        prune(dir.path(), 1_100);
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            2,
            "under the cap: kept"
        );
    }

    #[test]
    fn long_compiler_messages_keep_their_first_lines() {
        let text: String = (0..100)
            .map(|i| format!("solution.cpp:{i}:1: error: x\n"))
            .collect();
        let trimmed = trim_message(&text);
        assert!(trimmed.starts_with("solution.cpp:0:1: error"));
        assert_eq!(trimmed.lines().count(), MESSAGE_LINES + 1);
        assert!(trimmed.ends_with("[70 more lines]"), "{trimmed}");
        assert_eq!(trim_message("a\nb\n"), "a\nb");
        // A first line past the budget keeps its start.
        let long = format!("solution.cpp:1:1: error: {}\nnext\n", "x".repeat(10_000));
        let trimmed = trim_message(&long);
        assert!(
            trimmed.starts_with("solution.cpp:1:1: error: xxx"),
            "{trimmed}"
        );
        assert!(trimmed.len() < MESSAGE_CHARS + 100, "{}", trimmed.len());
        assert!(trimmed.ends_with("[1 more lines]"), "{trimmed}");
    }
}
