//! The public face of the sandbox: a pool of warm workers (or, with `--sandbox wasm`, the
//! wasm runtime) shared by any number of threads.

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::backend::Backend;
use crate::cgroup::SlotCgroup;
use crate::execution::{Execution, ProgramKind};
use crate::interpreter::Interpreter;
use crate::native::{CompileSettings, CompileStats, Compiled, Native};
use crate::outcome::{Outcome, Termination};
use crate::packages::Offered;
use crate::uids::UidBlock;
use crate::worker::{CompilerRoot, RunMode, SpawnSpec, Worker};

/// Why the sandbox could not do its job (as opposed to a program failing, which is an
/// [`Outcome`]).
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("python interpreter `{}` unusable: {reason}", python.display())]
    Interpreter { python: PathBuf, reason: String },
    #[error("cannot start a sandbox worker: {0}")]
    Spawn(String),
    #[error("sandbox worker lost: {0}")]
    WorkerLost(String),
    #[error("sandbox worker failed: {0}")]
    Internal(String),
    #[error("no sandbox workers left")]
    NoWorkers,
    #[error("cannot use the CPython WASI module `{}`: {reason}", path.display())]
    WasmPython { path: PathBuf, reason: String },
    #[error("wasm sandbox: {0}")]
    Wasm(String),
    /// C++ cannot be compiled here: no compiler, or no private root to run it in.
    #[error("cannot compile C++: {0}")]
    Compiler(String),
    #[error(transparent)]
    Package(#[from] crate::packages::PackageError),
    #[error(
        "this sstar was built without the `wasm` feature: cargo build --release --features wasm"
    )]
    WasmNotBuilt,
    /// The backend cannot run programs in this language.
    #[error(
        "the {backend} sandbox cannot run {language} programs (C++ needs `--sandbox process`)"
    )]
    Unsupported {
        backend: Backend,
        language: crate::Language,
    },
}

/// Runs `attempt`, and once more when the sandbox rather than the program failed it: a worker
/// lost mid-run, an internal error, or a run it could not set up. A failure that persists
/// becomes the run's outcome, [`Termination::SandboxFailure`]: no verdict of the program's,
/// and nothing a cache may keep. Errors that say the sandbox cannot run anything at all (no
/// workers left, a language it lacks) stay errors.
fn with_one_retry(
    mut attempt: impl FnMut() -> Result<Outcome, SandboxError>,
) -> Result<Outcome, SandboxError> {
    let failure = |result: &Result<Outcome, SandboxError>| match result {
        Ok(Outcome {
            termination: Termination::SandboxFailure { message },
            ..
        })
        | Err(SandboxError::WorkerLost(message) | SandboxError::Internal(message)) => {
            Some(message.clone())
        }
        _ => None,
    };
    let first = attempt();
    let Some(why) = failure(&first) else {
        return first;
    };
    tracing::warn!("retrying a run after a sandbox failure: {why}");
    let second = attempt();
    match failure(&second) {
        Some(why) => Ok(crate::native::outcome(Termination::SandboxFailure {
            message: format!("{why} (again on the retry)"),
        })),
        None => second,
    }
}

/// Which isolation layers are in force, as the workers reported them at start.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Isolation {
    /// The runtime candidates run in; under `wasm` none of the process layers below apply
    /// (the guest has no host kernel interface to isolate).
    #[serde(default)]
    pub backend: Backend,
    pub mount_ns: bool,
    pub net_ns: bool,
    pub chroot: bool,
    /// The unprivileged uid candidates of the first slot run as (root only).
    pub uid: Option<u32>,
    /// Each run gets fresh PID and IPC namespaces.
    pub fresh_namespaces_per_run: bool,
    /// Runs are under the seccomp filter (see [`denied_syscalls`](crate::denied_syscalls)).
    pub seccomp: bool,
    /// C++ compiles in a root of its own holding only the toolchain.
    #[serde(default)]
    pub compiler_root: bool,
    /// How a run's CPU time, memory and tasks are counted across its processes.
    pub accounting: Accounting,
    /// Layers the kernel or our privileges denied, in words.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// How the CPU time, memory and processes of a run are counted as a whole.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Accounting {
    /// The slot's cgroup: exact, enforced by the kernel.
    Cgroup,
    /// No writable cgroup: the processes of the run's PID namespace are summed every 50 ms.
    #[default]
    ProcessScan,
    /// The `wasm` backend: CPU counted in wasm fuel, memory as the size of linear memory
    /// (exact and deterministic).
    WasmFuel,
}

/// How to build a [`Sandbox`].
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The host interpreter the process backend's workers run (unused by the wasm backend).
    pub interpreter: Interpreter,
    /// Executions in flight (one warm worker each). Default: the number of cores.
    pub workers: usize,
    /// First of the uids candidates run as (one per worker). Default: a block reserved with a
    /// lock file, so concurrent sstar processes never share a uid.
    pub uid_base: Option<u32>,
    /// Count each run in a cgroup per slot where one can be made (default); `false` forces
    /// the process-scan fallback.
    pub cgroups: bool,
    /// Extra modules each worker imports up front, besides the stdlib set.
    pub preload: Vec<String>,
    /// Packages of the pinned set ([`crate::packages`]) executions may ask for; each must be
    /// installed, or the sandbox does not start.
    pub packages: Vec<String>,
    /// The runtime candidates run in (default: `process`).
    pub backend: Backend,
    /// The CPython WASI module for the `wasm` backend; `None`: see [`locate_wasm_python`].
    ///
    /// [`locate_wasm_python`]: crate::locate_wasm_python
    pub wasm_python: Option<PathBuf>,
    /// How C++ programs are compiled (process backend).
    pub compile: CompileSettings,
}

impl SandboxConfig {
    pub fn new(interpreter: Interpreter) -> Self {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            interpreter,
            workers,
            uid_base: None,
            cgroups: true,
            preload: Vec::new(),
            packages: Vec::new(),
            backend: Backend::Process,
            wasm_python: None,
            compile: CompileSettings::default(),
        }
    }

    /// Settings for the wasm backend, which needs no host interpreter: `wasm_python` as in
    /// [`SandboxConfig::wasm_python`], other settings as in [`SandboxConfig::new`].
    pub fn wasm(wasm_python: Option<PathBuf>) -> Self {
        Self {
            backend: Backend::Wasm,
            wasm_python,
            ..Self::new(Interpreter {
                executable: PathBuf::new(),
            })
        }
    }
}

/// Largest pool; uids are allotted in blocks of this size per sstar process.
const MAX_WORKERS: usize = 64;

/// Runs untrusted programs: a pool of warm, isolated Python workers, or the wasm runtime
/// (see [`Backend`]). `run` may be called from many threads at once; each call blocks until a
/// worker is free.
#[derive(Debug)]
pub struct Sandbox {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Process(Box<ProcessPool>),
    #[cfg(feature = "wasm")]
    Wasm(Box<crate::wasm::WasmRuntime>),
}

impl Sandbox {
    /// Starts the backend `config.backend` names: `config.workers` warm workers (in
    /// parallel), checked to have come up; or the wasm runtime (python.wasm's snapshot built
    /// and compiled, or loaded from the cache, then checked to run).
    pub fn start(config: SandboxConfig) -> Result<Self, SandboxError> {
        let inner = match config.backend {
            Backend::Process => Inner::Process(Box::new(ProcessPool::start(config)?)),
            Backend::Wasm => Self::start_wasm(config)?,
        };
        Ok(Self { inner })
    }

    #[cfg(feature = "wasm")]
    fn start_wasm(config: SandboxConfig) -> Result<Inner, SandboxError> {
        let module = crate::locate_wasm_python(config.wasm_python.as_deref())?;
        let packages = Offered::from_env(&config.interpreter, true);
        packages.dirs(&config.packages)?;
        let cache = crate::cache_dir::private("wasm");
        let workers = config.workers.clamp(1, MAX_WORKERS);
        let runtime =
            crate::wasm::WasmRuntime::start(&module, workers, cache.as_deref(), packages)?;
        for warning in &runtime.isolation().warnings {
            tracing::warn!("sandbox: {warning}");
        }
        Ok(Inner::Wasm(Box::new(runtime)))
    }

    #[cfg(not(feature = "wasm"))]
    fn start_wasm(_config: SandboxConfig) -> Result<Inner, SandboxError> {
        Err(SandboxError::WasmNotBuilt)
    }

    /// Starts a pool with the interpreter from the environment and default settings.
    pub fn from_env() -> Result<Self, SandboxError> {
        Self::start(SandboxConfig::new(Interpreter::from_env()?))
    }

    /// Runs one program. Blocks until a worker is free and the program has finished.
    pub fn run(&self, execution: &Execution<'_>) -> Result<Outcome, SandboxError> {
        if execution.language == crate::Language::Cpp {
            return match &self.inner {
                Inner::Process(pool) => pool.run_cpp(execution),
                #[cfg(feature = "wasm")]
                Inner::Wasm(_) => Err(SandboxError::Unsupported {
                    backend: self.backend(),
                    language: execution.language,
                }),
            };
        }
        let offered = match &self.inner {
            Inner::Process(pool) => &pool.packages,
            #[cfg(feature = "wasm")]
            Inner::Wasm(runtime) => runtime.packages(),
        };
        // Resolved here, before anything runs: a package that is not installed is a setup
        // error, never the program's `ModuleNotFoundError`.
        let packages = offered.dirs(&execution.environment.packages)?;
        match &self.inner {
            Inner::Process(pool) => pool.run(execution, &packages, RunMode::Python),
            #[cfg(feature = "wasm")]
            Inner::Wasm(runtime) => with_one_retry(|| runtime.run(execution, &packages)),
        }
    }

    /// The runtime candidates run in.
    pub fn backend(&self) -> Backend {
        match &self.inner {
            Inner::Process(_) => Backend::Process,
            #[cfg(feature = "wasm")]
            Inner::Wasm(_) => Backend::Wasm,
        }
    }

    /// The isolation layers in force.
    pub fn isolation(&self) -> &Isolation {
        match &self.inner {
            Inner::Process(pool) => &pool.isolation,
            #[cfg(feature = "wasm")]
            Inner::Wasm(runtime) => runtime.isolation(),
        }
    }

    /// Executions that can run at once.
    pub fn workers(&self) -> usize {
        match &self.inner {
            Inner::Process(pool) => pool.workers(),
            #[cfg(feature = "wasm")]
            Inner::Wasm(runtime) => runtime.workers(),
        }
    }

    /// The uids candidates run as (when sstar runs as root), one per worker slot; empty for
    /// the wasm backend, whose candidates are no processes.
    pub fn uids(&self) -> std::ops::Range<u32> {
        match &self.inner {
            Inner::Process(pool) => pool.uids.clone(),
            #[cfg(feature = "wasm")]
            Inner::Wasm(_) => 0..0,
        }
    }

    /// The version of the interpreter candidates run on, e.g. `3.11.7`, or
    /// `3.12.0 (wasm32-wasi)` under the wasm backend.
    pub fn python_version(&self) -> &str {
        match &self.inner {
            Inner::Process(pool) => &pool.python,
            #[cfg(feature = "wasm")]
            Inner::Wasm(runtime) => runtime.python_version(),
        }
    }

    /// What besides a C++ program's source decides its binary (compiler, flags, compile
    /// limits); `None` where C++ cannot be compiled. Callers caching outcomes of C++ programs
    /// key on it too.
    pub fn cxx_fingerprint(&self) -> Option<String> {
        match &self.inner {
            Inner::Process(pool) if pool.isolation.compiler_root => {
                pool.native.fingerprint().map(str::to_owned)
            }
            _ => None,
        }
    }

    /// The C++ compiler's `--version` line, where C++ can be compiled.
    pub fn cxx_version(&self) -> Option<&str> {
        match &self.inner {
            Inner::Process(pool) if pool.isolation.compiler_root => pool
                .native
                .toolchain
                .as_ref()
                .ok()
                .map(|t| t.version.as_str()),
            _ => None,
        }
    }

    /// How often C++ sources were compiled, and how often a kept binary was used instead.
    pub fn compile_stats(&self) -> CompileStats {
        match &self.inner {
            Inner::Process(pool) => pool.native.stats(),
            #[cfg(feature = "wasm")]
            Inner::Wasm(_) => CompileStats::default(),
        }
    }

    /// The host interpreter the workers run; `None` under the wasm backend.
    pub fn interpreter(&self) -> Option<&Interpreter> {
        match &self.inner {
            Inner::Process(pool) => Some(&pool.spec.interpreter),
            #[cfg(feature = "wasm")]
            Inner::Wasm(_) => None,
        }
    }

    /// Everything besides a program, its input and its limits that can change an outcome:
    /// the backend, the interpreter (or python.wasm's sha256, the wasmtime engine and the
    /// fuel mapping), the isolation layers in force, preloaded modules and the runtime's own
    /// code. Stable across runs of the same build (the per-run uid is left out), so callers
    /// can key execution caches on it; the two backends never share one.
    pub fn fingerprint(&self) -> String {
        match &self.inner {
            Inner::Process(pool) => pool.fingerprint(),
            #[cfg(feature = "wasm")]
            Inner::Wasm(runtime) => runtime.fingerprint(),
        }
    }
}

/// The process backend: a pool of warm, isolated Python workers.
#[derive(Debug)]
struct ProcessPool {
    spec: SpawnSpec,
    /// The pinned packages runs may ask for, under `spec.packages_root`.
    packages: Offered,
    idle: Mutex<Slots>,
    freed: Condvar,
    isolation: Isolation,
    /// The interpreter's version, as the workers reported it.
    python: String,
    /// Declared after `idle`: the workers die before their cgroups are removed.
    slots: Vec<Slot>,
    uids: std::ops::Range<u32>,
    _uid_block: Option<UidBlock>,
    /// C++: the toolchain, the compile settings, the binaries.
    native: Native,
}

/// The host's C++ toolchain, looked for once per process (it runs the driver five times).
fn toolchain() -> Result<crate::toolchain::Toolchain, String> {
    static FOUND: std::sync::OnceLock<Result<crate::toolchain::Toolchain, String>> =
        std::sync::OnceLock::new();
    FOUND
        .get_or_init(crate::toolchain::Toolchain::discover)
        .clone()
}

#[derive(Debug)]
struct Slots {
    idle: Vec<(Worker, usize)>,
    alive: usize,
}

/// What a worker slot keeps across worker restarts: its uid and its cgroup.
#[derive(Debug)]
pub(crate) struct Slot {
    pub uid: u32,
    pub cgroup: Result<SlotCgroup, String>,
}

impl ProcessPool {
    /// Starts `config.workers` workers (in parallel) and checks that they came up.
    fn start(config: SandboxConfig) -> Result<Self, SandboxError> {
        let workers = config.workers.clamp(1, MAX_WORKERS);
        let root = crate::uids::effective_uid() == 0;
        // Only root drops candidates to a uid of their own; others need no block.
        let uid_block = match config.uid_base {
            None if root => Some(UidBlock::reserve(MAX_WORKERS as u32)?),
            _ => None,
        };
        let uid_base = config
            .uid_base
            .or(uid_block.as_ref().map(|b| b.first))
            .unwrap_or_default();
        static POOLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let pool = POOLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let slots: Vec<Slot> = (0..workers as u32)
            .map(|slot| Slot {
                uid: uid_base + slot,
                cgroup: if config.cgroups {
                    SlotCgroup::create(&pool.to_string(), slot)
                } else {
                    Err("turned off".into())
                },
            })
            .collect();
        let temp_dir = std::env::temp_dir();
        crate::worker::remove_stale_scratch(&temp_dir);
        let root_mountpoint = temp_dir.join(format!("sstar-root-{}-{pool}", std::process::id()));
        std::fs::create_dir_all(&root_mountpoint)
            .map_err(|e| SandboxError::Spawn(format!("{}: {e}", root_mountpoint.display())))?;
        // Checked before any worker starts: a package the caller needs and nobody installed
        // is a setup error now, not a failure halfway through.
        let packages = Offered::from_env(&config.interpreter, false);
        packages.dirs(&config.packages)?;
        let toolchain = toolchain();
        let spec = SpawnSpec {
            interpreter: config.interpreter,
            root_mountpoint,
            temp_dir,
            packages_root: packages.root().map(Path::to_path_buf),
            preload: config.preload,
            seccomp: crate::seccomp::compiled_filters()?,
            code_cache: crate::worker::code_cache(&crate::worker::worker_source()),
            compiler: toolchain.as_ref().ok().map(|t| CompilerRoot {
                driver: t.driver.clone(),
                binds: t.binds.clone(),
            }),
        };
        let started: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = slots
                .iter()
                .enumerate()
                .map(|(index, slot)| {
                    let spec = &spec;
                    scope.spawn(move || Worker::spawn(spec, slot).map(|w| (w, index)))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(SandboxError::Spawn("panicked".into())))
                })
                .collect()
        });
        let mut idle = Vec::with_capacity(workers);
        let mut first = None;
        for result in started {
            let ((worker, started), slot) = result?;
            first.get_or_insert(started);
            idle.push((worker, slot));
        }
        let (isolation, python) = first.map(|s| (s.isolation, s.python)).unwrap_or_default();
        for warning in &isolation.warnings {
            tracing::warn!("sandbox: {warning}");
        }
        Ok(Self {
            spec,
            packages,
            idle: Mutex::new(Slots {
                alive: idle.len(),
                idle,
            }),
            freed: Condvar::new(),
            isolation,
            python,
            slots,
            uids: uid_base..uid_base + workers as u32,
            _uid_block: uid_block,
            native: Native::new(toolchain, config.compile),
        })
    }

    /// Runs a C++ program: its binary (compiled in a worker's compiler root unless kept from
    /// before), run like any program; a compile error is the program's outcome.
    fn run_cpp(&self, execution: &Execution<'_>) -> Result<Outcome, SandboxError> {
        if !matches!(execution.kind, ProgramKind::Stdio) {
            return Ok(crate::native::compile_error(
                "a C++ program can answer stdio problems only (function problems call Python)"
                    .into(),
            ));
        }
        if let Err(reason) = &self.native.toolchain {
            return Err(SandboxError::Compiler(reason.clone()));
        }
        if !self.isolation.compiler_root {
            return Err(SandboxError::Compiler(
                "the compiler runs in a private root, which this machine did not allow (see the sandbox warnings)".into(),
            ));
        }
        let compiled = self.native.binary(execution.code, |settings| {
            let mut compile =
                Execution::new(ProgramKind::Stdio, execution.code, b"", settings.limits);
            compile.language = crate::Language::Cpp;
            compile.args = settings.flags.clone();
            compile.args.push("-fdiagnostics-color=never".into());
            self.run(&compile, &[], RunMode::Compile)
        })?;
        match compiled {
            Compiled::Binary(binary) => self.run(execution, &[], RunMode::Native(&binary)),
            Compiled::Rejected(message) | Compiled::OverLimit(message) => {
                Ok(crate::native::compile_error(message))
            }
            // Not the program's doing: an outcome no cache keeps, so the next run compiles.
            Compiled::Unavailable(message) => {
                Ok(crate::native::outcome(Termination::SandboxFailure {
                    message,
                }))
            }
        }
    }

    /// Runs one program. Blocks until a worker is free and the program has finished.
    /// A run the sandbox failed (a worker lost mid-run, a setup failure) is tried once more
    /// on a fresh worker (see [`with_one_retry`]).
    fn run(
        &self,
        execution: &Execution<'_>,
        packages: &[PathBuf],
        mode: RunMode<'_>,
    ) -> Result<Outcome, SandboxError> {
        with_one_retry(|| self.run_once(execution, packages, mode))
    }

    /// One attempt; a worker that failed the run is replaced, so a retry gets a fresh one.
    fn run_once(
        &self,
        execution: &Execution<'_>,
        packages: &[PathBuf],
        mode: RunMode<'_>,
    ) -> Result<Outcome, SandboxError> {
        let (mut worker, slot) = self.checkout()?;
        let result = worker.run(execution, packages, mode);
        let failed = match &result {
            Ok(outcome) => match &outcome.termination {
                Termination::SandboxFailure { message } => Some(message.clone()),
                _ => None,
            },
            Err(error) => Some(error.to_string()),
        };
        let Some(failure) = failed else {
            self.checkin(worker, slot);
            return result;
        };
        drop(worker);
        tracing::warn!("replacing sandbox worker: {failure}");
        match Worker::spawn(&self.spec, &self.slots[slot]) {
            Ok((fresh, _)) => self.checkin(fresh, slot),
            Err(spawn_error) => {
                tracing::error!("{spawn_error}");
                self.lock().alive -= 1;
                self.freed.notify_all();
            }
        }
        result
    }

    /// Executions that can run at once.
    fn workers(&self) -> usize {
        self.lock().alive
    }

    /// See [`Sandbox::fingerprint`].
    fn fingerprint(&self) -> String {
        let i = &self.isolation;
        format!(
            "{} {}\nisolation mount={} net={} chroot={} uid={} namespaces={} seccomp={} accounting={:?}\npreload {:?}\n{}\n{}\n{}",
            self.spec.interpreter.executable.display(),
            self.python,
            i.mount_ns,
            i.net_ns,
            i.chroot,
            i.uid.is_some(),
            i.fresh_namespaces_per_run,
            i.seccomp,
            i.accounting,
            self.spec.preload,
            crate::worker::worker_source(),
            crate::PRELUDE,
            crate::packages::fingerprint(),
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn checkout(&self) -> Result<(Worker, usize), SandboxError> {
        let mut slots = self.lock();
        loop {
            if let Some(worker) = slots.idle.pop() {
                return Ok(worker);
            }
            if slots.alive == 0 {
                return Err(SandboxError::NoWorkers);
            }
            slots = self
                .freed
                .wait(slots)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn checkin(&self, worker: Worker, slot: usize) {
        self.lock().idle.push((worker, slot));
        self.freed.notify_one();
    }
}

impl Drop for ProcessPool {
    fn drop(&mut self) {
        self.lock().idle.clear();
        let _ = std::fs::remove_dir(&self.spec.root_mountpoint);
    }
}

#[cfg(all(test, not(feature = "wasm")))]
mod tests {
    use super::*;

    #[test]
    fn the_wasm_backend_needs_the_feature() {
        let mut config = SandboxConfig::new(Interpreter {
            executable: PathBuf::from("/nonexistent/python3"),
        });
        config.backend = Backend::Wasm;
        let error = Sandbox::start(config).expect_err("not built in");
        assert!(error.to_string().contains("--features wasm"), "{error}");
    }
}
