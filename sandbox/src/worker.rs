//! One warm Python worker process: spawn it, hand it executions, read back outcomes.

use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::execution::{Execution, ProgramKind};
use crate::interpreter::Interpreter;
use crate::outcome::{Outcome, RawResult, Report};
use crate::pool::{Isolation, SandboxError, Slot};
use crate::protocol::{read_frame, write_frame};

/// The byte a run writes on its report channel once its setup is over, before program code runs
/// (`SETUP_DONE` in `python/worker/run.py`).
const SETUP_DONE: u8 = 0x06;

/// The worker's sources (`python/worker/`), embedded so the installed tool is one file, in the
/// order they are joined into one program after [`FUNCTION_CALLS`](crate::FUNCTION_CALLS), the
/// program I/O helpers and the runner both backends share. Every part but the last only
/// defines; the last, `main.py`, does what the worker does at start, in order, and runs its
/// main loop.
pub(crate) const WORKER_PARTS: [&str; 11] = [
    include_str!("../python/worker/framing.py"),
    include_str!("../python/worker/isolation.py"),
    include_str!("../python/worker/accounting.py"),
    include_str!("../python/worker/scratch.py"),
    include_str!("../python/worker/warm.py"),
    include_str!("../python/worker/confinement.py"),
    include_str!("../python/worker/run.py"),
    include_str!("../python/worker/zygote.py"),
    include_str!("../python/worker/compiled.py"),
    include_str!("../python/worker/supervisor.py"),
    include_str!("../python/worker/main.py"),
];

/// What the interpreter is started with (`-c`): it reads the worker's source and its JSON
/// config from stdin (lengths first, u32 little-endian), so neither crowds `ps`, and runs the
/// source as `worker.py` (tracebacks name it). Compiling it costs ~10 ms per start, so the
/// code object is kept in the user's cache, keyed by the source's hash and the interpreter's
/// bytecode tag.
const BOOTSTRAP: &str = "import json, marshal, os, struct, sys
def take(n):
    data = b''
    while len(data) < n:
        chunk = os.read(0, n - len(data))
        if not chunk:
            raise SystemExit('sstar worker: bootstrap input cut short')
        data += chunk
    return data
sizes = struct.unpack('<II', take(8))
source = take(sizes[0])
sys.argv[1:] = [take(sizes[1]).decode()]
cached = json.loads(sys.argv[1]).get('code_cache')
code = None
if cached:
    cached += '.' + sys.implementation.cache_tag
    try:
        with open(cached, 'rb') as f:
            code = marshal.load(f)
    except (OSError, EOFError, ValueError, TypeError):
        pass
if code is None:
    code = compile(source, 'worker.py', 'exec')
    if cached:
        try:
            with open(cached + '.%d' % os.getpid(), 'wb') as f:
                marshal.dump(code, f)
            os.replace(cached + '.%d' % os.getpid(), cached)
        except OSError:
            pass
exec(code)
";

/// Stack limit set before the worker starts: deep recursion through C (e.g. `lru_cache`)
/// needs more than the usual 8 MiB, and the main thread's stack room is fixed at exec.
const STACK_BYTES: libc::rlim_t = 1 << 30;

/// How long a worker may take to start and isolate itself.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// Slack on top of an execution's wall limit before the host gives up on the worker.
const ANSWER_SLACK: Duration = Duration::from_secs(15);

#[derive(Debug)]
pub(crate) struct Worker {
    child: Child,
    input: ChildStdin,
    output: ChildStdout,
    /// The worker's scratch base on the host (no private root), removed once it is reaped.
    scratch_base: Option<PathBuf>,
    /// See [`SpawnSpec::packages_root`].
    packages_root: Option<PathBuf>,
}

#[derive(Serialize)]
struct WorkerConfig<'a> {
    executable: &'a Path,
    uid: u32,
    root_mountpoint: &'a Path,
    /// Where the worker makes its scratch base when it gets no private root.
    temp_dir: &'a Path,
    preload: &'a [String],
    prelude: &'a str,
    /// Where the pinned packages are installed, mounted read-only (runs import from it only
    /// the package directories their request names).
    packages_root: Option<&'a Path>,
    /// The slot's cgroup directories, or why there are none.
    cgroup: Option<&'a crate::cgroup::SlotCgroup>,
    cgroup_error: Option<&'a str>,
    /// Raw BPF programs, hex-encoded, installed in this order.
    seccomp: Vec<String>,
    /// Where the compiled worker may be kept (a path prefix), if anywhere.
    code_cache: Option<PathBuf>,
    /// The C++ compiler to build a compiler root for, if there is one.
    compiler: Option<&'a CompilerRoot>,
}

#[derive(Deserialize)]
struct Ready {
    isolation: Isolation,
    #[serde(default)]
    warnings: Vec<String>,
    python: String,
    #[serde(default)]
    scratch_base: Option<PathBuf>,
}

/// What a worker reports once it is ready.
#[derive(Debug)]
pub(crate) struct Started {
    pub isolation: Isolation,
    /// The interpreter's version, e.g. `3.11.7`.
    pub python: String,
}

/// The C++ compiler a worker's compiler root is built for.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CompilerRoot {
    pub driver: PathBuf,
    /// What the root binds, parents first (see [`crate::toolchain::Toolchain::binds`]).
    pub binds: Vec<PathBuf>,
}

/// What a run executes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RunMode<'a> {
    /// The execution's code, as Python.
    Python,
    /// The execution's code, as C++ source, compiled in the compiler root with the
    /// execution's arguments as flags; the binary comes back as stdout.
    Compile,
    /// This binary, with the execution's input, arguments and limits.
    Native(&'a [u8]),
}

#[derive(Serialize)]
struct Request<'a> {
    kind: &'static str,
    entry_point: Option<&'a str>,
    cpu_ms: u128,
    wall_ms: u128,
    memory_bytes: u64,
    output_bytes: u64,
    max_processes: u32,
    argv: &'a [String],
    files: Vec<&'a str>,
    /// A judged program: the prelude before a stdio program too, no site-packages.
    judged: bool,
    /// The directories of the packages the program may import, relative to `packages_root`.
    packages: Vec<&'a Path>,
}

/// What a worker needs to start; shared by every slot of a pool.
#[derive(Debug, Clone)]
pub(crate) struct SpawnSpec {
    pub interpreter: Interpreter,
    pub root_mountpoint: std::path::PathBuf,
    /// The host's temporary directory (`std::env::temp_dir`).
    pub temp_dir: PathBuf,
    pub preload: Vec<String>,
    /// Where the pinned packages are installed (see [`crate::packages`]), if anywhere.
    pub packages_root: Option<PathBuf>,
    /// The seccomp filters every run installs (raw BPF).
    pub seccomp: Vec<Vec<u8>>,
    /// See [`code_cache`].
    pub code_cache: Option<PathBuf>,
    /// See [`CompilerRoot`].
    pub compiler: Option<CompilerRoot>,
}

/// The worker's source as it is sent: the function-call and program I/O helpers and the
/// shared runner, then the worker's parts.
pub(crate) fn worker_source() -> String {
    format!(
        "{}\n{}\n{}\n{}",
        crate::FUNCTION_CALLS,
        crate::execution::PROGRAM_IO,
        crate::execution::RUNNER,
        WORKER_PARTS.join("\n")
    )
}

/// Where the worker's compiled code is kept between starts: `$XDG_CACHE_HOME/sstar` (or
/// `~/.cache/sstar`), only if that directory is ours and nobody else can write to it (the
/// worker runs what it finds there).
pub(crate) fn code_cache(source: &str) -> Option<PathBuf> {
    use sha2::Digest as _;
    let dir = crate::cache_dir::private("")?;
    let hash = hex::encode(sha2::Sha256::digest(source.as_bytes()));
    Some(dir.join(format!("worker-{}", &hash[..16])))
}

impl Worker {
    /// Starts a worker for `slot` (its uid, its cgroup) and waits until it is ready.
    pub(crate) fn spawn(spec: &SpawnSpec, slot: &Slot) -> Result<(Self, Started), SandboxError> {
        let config = WorkerConfig {
            executable: &spec.interpreter.executable,
            uid: slot.uid,
            root_mountpoint: &spec.root_mountpoint,
            temp_dir: &spec.temp_dir,
            preload: &spec.preload,
            prelude: crate::execution::PRELUDE,
            packages_root: spec.packages_root.as_deref(),
            cgroup: slot.cgroup.as_ref().ok(),
            cgroup_error: slot.cgroup.as_ref().err().map(String::as_str),
            seccomp: spec.seccomp.iter().map(hex::encode).collect(),
            code_cache: spec.code_cache.clone(),
            compiler: spec.compiler.as_ref(),
        };
        let config =
            serde_json::to_string(&config).map_err(|e| SandboxError::Spawn(e.to_string()))?;
        let mut command = Command::new(&spec.interpreter.executable);
        command
            // -S: no site (its .pth imports cost every fork); sys.path comes from the probe.
            // A fixed hash seed makes set and dict iteration order, and so outputs, the same
            // in every worker and every run (EvalPlus does the same); nothing else is passed.
            .args(["-S", "-s", "-B", "-c", BOOTSTRAP])
            .env_clear()
            .env("PYTHONHASHSEED", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .process_group(0);
        // SAFETY: the closure runs between fork and exec and only calls setrlimit, which is
        // async-signal-safe; it touches no memory shared with other threads.
        unsafe {
            command.pre_exec(|| {
                let mut limit = libc::rlimit {
                    rlim_cur: 0,
                    rlim_max: 0,
                };
                if libc::getrlimit(libc::RLIMIT_STACK, &mut limit) == 0 {
                    limit.rlim_cur = STACK_BYTES.min(limit.rlim_max);
                    libc::setrlimit(libc::RLIMIT_STACK, &limit);
                }
                Ok(())
            });
        }
        let mut child = command
            .spawn()
            .map_err(|e| SandboxError::Spawn(e.to_string()))?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(SandboxError::Spawn("worker pipes missing".into()));
        };
        let mut worker = Worker {
            child,
            input,
            output,
            scratch_base: None,
            packages_root: spec.packages_root.clone(),
        };
        let source = worker_source();
        let mut boot = Vec::with_capacity(8 + source.len() + config.len());
        for blob in [source.as_bytes(), config.as_bytes()] {
            let len = u32::try_from(blob.len()).map_err(|e| SandboxError::Spawn(e.to_string()))?;
            boot.extend_from_slice(&len.to_le_bytes());
        }
        boot.extend_from_slice(source.as_bytes());
        boot.extend_from_slice(config.as_bytes());
        worker
            .input
            .write_all(&boot)
            .and_then(|()| worker.input.flush())
            .map_err(|e| SandboxError::Spawn(format!("worker did not take its source: {e}")))?;
        let (ready, _): (Ready, _) =
            read_frame(&mut worker.output, Instant::now() + STARTUP_TIMEOUT)
                .map_err(|e| SandboxError::Spawn(format!("worker did not start: {e}")))?;
        worker.scratch_base = ready
            .scratch_base
            .filter(|base| is_scratch_base(&spec.temp_dir, base));
        let mut isolation = ready.isolation;
        isolation.warnings = ready.warnings;
        let python = ready.python;
        Ok((worker, Started { isolation, python }))
    }

    /// Runs one execution. An `Err` means the worker itself failed and must be replaced.
    pub(crate) fn run(
        &mut self,
        execution: &Execution<'_>,
        packages: &[PathBuf],
        mode: RunMode<'_>,
    ) -> Result<Outcome, SandboxError> {
        let limits = &execution.limits;
        let (kind, entry_point) = match (mode, &execution.kind) {
            (RunMode::Compile, _) => ("compile", None),
            (RunMode::Native(_), _) => ("native", None),
            (RunMode::Python, ProgramKind::Stdio) => ("stdio", None),
            (RunMode::Python, ProgramKind::Function { entry_point }) => {
                ("function", Some(entry_point.as_str()))
            }
        };
        // A native program runs as the child of the run's first process, which waits for it.
        let waiter = u32::from(!matches!(mode, RunMode::Python));
        let request = Request {
            kind,
            entry_point,
            cpu_ms: limits.cpu.as_millis(),
            wall_ms: limits.wall.as_millis(),
            memory_bytes: limits.memory_bytes,
            output_bytes: limits.output_bytes,
            max_processes: limits.max_processes.saturating_add(waiter),
            argv: &execution.args,
            files: execution
                .files
                .iter()
                .map(|(name, _)| name.as_str())
                .collect(),
            judged: execution.environment.judged,
            packages: packages
                .iter()
                .map(|dir| {
                    (self.packages_root.as_deref())
                        .and_then(|root| dir.strip_prefix(root).ok())
                        .ok_or_else(|| {
                            SandboxError::Internal(format!(
                                "package directory {} is outside the package store",
                                dir.display()
                            ))
                        })
                })
                .collect::<Result<_, _>>()?,
        };
        let code = match mode {
            RunMode::Native(binary) => binary,
            RunMode::Python | RunMode::Compile => execution.code.as_bytes(),
        };
        let mut blobs: Vec<&[u8]> = vec![code, execution.stdin];
        blobs.extend(execution.files.iter().map(|(_, data)| data.as_slice()));
        let lost = |e: io::Error| SandboxError::WorkerLost(e.to_string());
        write_frame(&mut self.input, &request, &blobs).map_err(lost)?;
        // Saturating: a wall limit of Duration::MAX must not panic here (a day is forever).
        let patience = limits.wall.min(Duration::from_secs(86_400)) + ANSWER_SLACK;
        let deadline = Instant::now() + patience;
        let (response, mut blobs): (serde_json::Value, _) =
            read_frame(&mut self.output, deadline).map_err(lost)?;
        if let Some(message) = response.get("internal_error").and_then(|m| m.as_str()) {
            return Err(SandboxError::Internal(message.to_owned()));
        }
        let raw: RawResult = serde_json::from_value(response)
            .map_err(|e| SandboxError::WorkerLost(format!("malformed worker response: {e}")))?;
        if blobs.len() != 3 {
            return Err(SandboxError::WorkerLost(
                "malformed worker response: blobs".into(),
            ));
        }
        let report_bytes = blobs.pop().unwrap_or_default();
        let stderr = blobs.pop().unwrap_or_default();
        let stdout = blobs.pop().unwrap_or_default();
        let (set_up, report_bytes) = match report_bytes.split_first() {
            Some((&SETUP_DONE, rest)) => (true, rest),
            _ => (false, &report_bytes[..]),
        };
        // A Python program can write to the channel: it must not pass for a native run's
        // signal, nor, once setup is over, for a run the sandbox failed (which no verdict
        // scores).
        let report = Report::parse(report_bytes).filter(|r| match (r, mode) {
            (Report::Signal { .. }, RunMode::Python) => false,
            (Report::SetupError { .. }, RunMode::Python) => !set_up,
            _ => true,
        });
        Ok(raw.into_outcome(report, limits, stdout, stderr))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing stdin asks the worker to leave; a wedged one is killed with its group.
        // SAFETY: plain syscall on the worker's process group id, which we created.
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGKILL);
        }
        let _ = self.child.wait();
        if let Some(base) = &self.scratch_base {
            // remove_dir_all never follows symlinks, a run's included.
            if let Err(e) = std::fs::remove_dir_all(base) {
                tracing::debug!("could not remove {}: {e}", base.display());
            }
        }
    }
}

/// Prefix of a worker's scratch base in the host's temporary directory (no private root);
/// `sstar-scratch-PID-RANDOM`, PID the worker's.
const SCRATCH_PREFIX: &str = "sstar-scratch-";

/// Only a directory the worker can have made is ever removed: a direct child of `temp_dir`
/// named as the worker names them, whatever it reported.
fn is_scratch_base(temp_dir: &Path, base: &Path) -> bool {
    base.parent() == Some(temp_dir)
        && base
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(SCRATCH_PREFIX) && !n.contains(".."))
}

/// Removes scratch bases left in `temp_dir` by workers that no longer run, where the worker
/// and its host were both killed (SIGKILL) and neither could: only our own directories.
pub(crate) fn remove_stale_scratch(temp_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(temp_dir) else {
        return;
    };
    let euid = crate::uids::effective_uid();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(SCRATCH_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let ours = entry
            .metadata() // of the entry itself: a symlink is not a directory
            .is_ok_and(|m| m.is_dir() && m.uid() == euid);
        if ours && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
