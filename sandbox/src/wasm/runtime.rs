//! A started wasm sandbox: the interpreter's snapshot (see `snapshot`) built and compiled once,
//! a fresh store, instance and WASI context per run (instantiation maps the snapshot's memory
//! copy-on-write), runs from any number of threads up to the worker count, each run
//! classified into the same outcomes as the process backend.

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use wasmtime::{Engine, InstancePre, Linker, Trap};
use wasmtime_wasi::p1;
use wasmtime_wasi::I32Exit;

use super::engine::{self, Ticker, TICK};
use super::guest::{self, entropy, new_store, Guest, Launch, Startup};
use super::host_calls;
use super::limits::{self, WALL_BACKSTOP_FACTOR};
use super::module_cache::{self, Compiled};
use super::snapshot;
use super::streams::Capture;
use crate::execution::{Execution, Limits, ProgramKind};
use crate::outcome::{KillReason, Outcome, RawResult, Report, Termination};
use crate::packages::Offered;
use crate::pool::{Accounting, Isolation, SandboxError};
use crate::Backend;

/// The driver's source (the guest runs it after the function-call and program I/O helpers and
/// the runner both backends share).
pub(crate) const DRIVER_PY: &str = include_str!("../../python/wasm_driver.py");

/// The driver as the guest runs it: the function-call and program I/O helpers, the shared
/// runner, then the driver. The snapshot's cache key and the backend's fingerprint hold all of
/// it, so a change to any part (the shared runner too) rebuilds the snapshot.
pub(crate) fn driver_source() -> String {
    format!(
        "{}\n{}\n{}\n{DRIVER_PY}",
        crate::FUNCTION_CALLS,
        crate::execution::PROGRAM_IO,
        crate::execution::RUNNER
    )
}

/// The detail of a run that overflowed the guest's C stack (a trap, not a Python exception).
pub(crate) const C_STACK_EXHAUSTED: &str = "wasm: C stack exhausted (deep recursion through C frames, e.g. with functools.lru_cache, is not supported under --sandbox wasm)";

/// An instance run to its end.
struct Ran {
    ending: Ending,
    guest: Guest,
    wall: Duration,
    /// Fuel left.
    remaining: u64,
}

/// What a run used, besides its outcome.
#[derive(Debug, Clone, Copy)]
struct Usage {
    fuel: u64,
    memory: u64,
}

/// The wasm backend of a [`Sandbox`](crate::Sandbox).
pub(crate) struct WasmRuntime {
    engine: Engine,
    pre: InstancePre<Guest>,
    driver: String,
    entropy: Vec<u8>,
    /// Shared read-only as `/` with runs that have no files, and as the packages' store when
    /// there is none: every instance has the preopens the snapshot was taken with.
    empty: tempfile::TempDir,
    module: PathBuf,
    module_sha256: String,
    engine_hash: u64,
    compiled: Compiled,
    python: String,
    stdio: Startup,
    /// A stdio program after the prelude (a judged one).
    judged_stdio: Startup,
    function: Startup,
    /// The pure-Python packages offered, each preopened read-only where a run asks for it.
    packages: Offered,
    isolation: Isolation,
    workers: usize,
    free: Mutex<usize>,
    freed: Condvar,
    _ticker: Ticker,
}

impl std::fmt::Debug for WasmRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmRuntime")
            .field("module", &self.module)
            .field("module_sha256", &self.module_sha256)
            .field("python", &self.python)
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

/// What the snapshot built from python.wasm (by its digest) with `driver` is cached under:
/// everything the init runs.
fn snapshot_key(module_sha256: &str, driver: &str) -> String {
    format!(
        "python.wasm sha256={module_sha256}\nwasmtime-wizer 48\n{}\n{driver}\n{}",
        snapshot::INIT,
        crate::PRELUDE
    )
}

impl WasmRuntime {
    /// Loads the snapshot of `module` (building and compiling it, or from the cache), then runs
    /// trivial programs to learn the interpreter's version and what start-up costs each kind
    /// of program.
    pub(crate) fn start(
        module: &Path,
        workers: usize,
        cache_dir: Option<&Path>,
        packages: Offered,
    ) -> Result<Self, SandboxError> {
        let unusable = |reason: String| SandboxError::WasmPython {
            path: module.to_path_buf(),
            reason,
        };
        let wasm = std::fs::read(module).map_err(|e| unusable(e.to_string()))?;
        if !wasm.starts_with(b"\0asm") {
            return Err(unusable("not a WebAssembly module".into()));
        }
        let module_sha256 = hex::encode(Sha256::digest(&wasm));
        let mut warnings = Vec::new();
        if module_sha256 != limits::CALIBRATED_SHA256 {
            warnings.push(format!(
                "{} is not the python.wasm the fuel mapping was calibrated on (sha256 {}): CPU limits may be off",
                module.display(),
                limits::CALIBRATED_SHA256
            ));
        }
        if cache_dir.is_none() {
            warnings.push(
                "no private cache directory: python.wasm's snapshot is built at every start"
                    .to_owned(),
            );
        }
        let engine = engine::engine()?;
        let mut linker: Linker<Guest> = Linker::new(&engine);
        let wasm_error = |e: wasmtime::Error| SandboxError::Wasm(format!("{e:#}"));
        p1::add_to_linker_sync(&mut linker, |guest: &mut Guest| &mut guest.wasi)
            .map_err(wasm_error)?;
        host_calls::add_to_linker(&mut linker).map_err(wasm_error)?;
        let empty = tempfile::Builder::new()
            .prefix("sstar-wasm-empty-")
            .tempdir()
            .map_err(|e| SandboxError::Internal(format!("wasm sandbox: empty directory: {e}")))?;
        let driver = driver_source();
        let entropy = entropy();
        let key = snapshot_key(&module_sha256, &driver);
        let (compiled_module, compiled) = module_cache::load(&engine, &key, cache_dir, || {
            let with_entry = snapshot::with_entry(&wasm).map_err(unusable)?;
            let init = Launch {
                stdin: [driver.as_bytes(), b"\0", crate::PRELUDE.as_bytes()]
                    .concat()
                    .into(),
                env: &[("PYTHONHASHSEED", "0")],
                files: empty.path(),
                limits: &Limits::new(Duration::from_secs(600), 1024, 16),
                startup: Startup::default(),
            };
            let (stdout, stderr) = (Capture::stdout(1 << 20), Capture::stderr(1 << 20, b""));
            let packages_root = packages.root().unwrap_or(empty.path());
            on_own_thread(|| {
                let mut store =
                    new_store(&engine, &init, packages_root, &entropy, &stdout, &stderr)?;
                snapshot::freeze(
                    &with_entry,
                    &linker,
                    &mut store,
                    || stdout.take().program,
                    || stderr.take().program,
                )
                .map_err(unusable)
            })
        })?;
        drop(wasm);
        let pre = linker
            .instantiate_pre(&compiled_module)
            .map_err(|e| unusable(format!("cannot link: {e:#}")))?;
        let engine_hash = {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            engine.precompile_compatibility_hash().hash(&mut hasher);
            hasher.finish()
        };
        let ticker = Ticker::start(&engine)?;
        let workers = workers.max(1);
        let mut runtime = Self {
            engine,
            pre,
            driver,
            entropy,
            empty,
            module: module.to_path_buf(),
            module_sha256,
            engine_hash,
            compiled,
            python: String::new(),
            stdio: Startup::default(),
            judged_stdio: Startup::default(),
            function: Startup::default(),
            packages,
            isolation: Isolation {
                backend: Backend::Wasm,
                mount_ns: false,
                net_ns: false,
                chroot: false,
                uid: None,
                fresh_namespaces_per_run: false,
                seccomp: false,
                compiler_root: false,
                accounting: Accounting::WasmFuel,
                warnings,
            },
            workers,
            free: Mutex::new(workers),
            freed: Condvar::new(),
            _ticker: ticker,
        };
        runtime.calibrate()?;
        Ok(runtime)
    }

    /// Measures start-up with two trivial programs; also checks that the module runs at all.
    fn calibrate(&mut self) -> Result<(), SandboxError> {
        let limits = Limits::new(Duration::from_secs(600), 1024, 1);
        let probe = "import sys\nprint(sys.version.split()[0], sys.implementation._multiarch)\n";
        let execution = Execution::new(ProgramKind::Stdio, probe, b"", limits);
        let (outcome, usage) = self.run_with(&execution, &[], Startup::default())?;
        let said = String::from_utf8_lossy(&outcome.stdout).trim().to_owned();
        let (version, platform) = said.split_once(' ').unwrap_or((said.as_str(), ""));
        if outcome.termination != Termination::Finished || version.is_empty() {
            return Err(SandboxError::WasmPython {
                path: self.module.clone(),
                reason: format!(
                    "it does not run python ({:?}): {}",
                    outcome.termination,
                    String::from_utf8_lossy(&outcome.stderr).trim()
                ),
            });
        }
        self.python = format!("{version} ({platform})");
        self.stdio = Startup {
            fuel: usage.fuel,
            memory: usage.memory,
        };
        let mut judged = Execution::new(ProgramKind::Stdio, "", b"", limits);
        judged.environment.judged = true;
        self.judged_stdio = self.startup(&judged, "the prelude", |outcome| {
            outcome.termination == Termination::Finished
        })?;
        let kind = ProgramKind::Function {
            entry_point: "f".into(),
        };
        let execution = Execution::new(kind, "def f():\n    return 0\n", b"", limits);
        self.function = self.startup(&execution, "the function driver", |outcome| {
            outcome.returned == Some(serde_json::json!(0))
        })?;
        tracing::debug!(
            "wasm sandbox: python {} from {} ({:?}); start-up fuel {} (stdio) / {} (judged stdio) / {} (function)",
            self.python,
            self.module.display(),
            self.compiled,
            self.stdio.fuel,
            self.judged_stdio.fuel,
            self.function.fuel
        );
        Ok(())
    }

    /// The start-up cost of `execution` run from a standing start, or an error saying `what`
    /// does not work when `works` rejects its outcome.
    fn startup(
        &self,
        execution: &Execution<'_>,
        what: &str,
        works: impl Fn(&Outcome) -> bool,
    ) -> Result<Startup, SandboxError> {
        let (outcome, usage) = self.run_with(execution, &[], Startup::default())?;
        if !works(&outcome) {
            return Err(SandboxError::Wasm(format!(
                "{what} does not work ({:?}): {}",
                outcome.termination,
                String::from_utf8_lossy(&outcome.stderr).trim()
            )));
        }
        Ok(Startup {
            fuel: usage.fuel,
            memory: usage.memory,
        })
    }

    /// Runs one program; blocks while `workers` runs are in flight.
    pub(crate) fn run(
        &self,
        execution: &Execution<'_>,
        packages: &[PathBuf],
    ) -> Result<Outcome, SandboxError> {
        let startup = match execution.kind {
            ProgramKind::Stdio if execution.environment.judged => self.judged_stdio,
            ProgramKind::Stdio => self.stdio,
            ProgramKind::Function { .. } => self.function,
        };
        let _slot = self.acquire();
        self.run_with(execution, packages, startup)
            .map(|(outcome, _)| outcome)
    }

    /// Runs one instance on a thread of its own (see [`on_own_thread`]).
    fn run_with(
        &self,
        execution: &Execution<'_>,
        packages: &[PathBuf],
        startup: Startup,
    ) -> Result<(Outcome, Usage), SandboxError> {
        on_own_thread(|| self.run_here(execution, packages, startup))
    }

    fn run_here(
        &self,
        execution: &Execution<'_>,
        packages: &[PathBuf],
        startup: Startup,
    ) -> Result<(Outcome, Usage), SandboxError> {
        let limits = &execution.limits;
        let marker = guest::marker()?;
        let scratch = guest::scratch(&execution.files)?;
        let cap = usize::try_from(limits.output_bytes).unwrap_or(usize::MAX);
        let stdout = Capture::stdout(cap);
        let stderr = Capture::stderr(cap, &marker);
        let launch = Launch {
            stdin: self.request(execution, packages, &marker)?.into(),
            env: &[],
            files: scratch
                .as_ref()
                .map_or(self.empty.path(), tempfile::TempDir::path),
            limits,
            startup,
        };
        let ran = self.launch(launch, &stdout, &stderr)?;
        drop(scratch);
        let (stdout_stopped, stdout_bytes) = (stdout.stopped(), stdout.take().program);
        let (stderr_stopped, stderr_captured) = (stderr.stopped(), stderr.take());
        let report = stderr_captured
            .reporting
            .then(|| Report::parse(&stderr_captured.report))
            .flatten()
            // The driver never reports a setup error; a program that found the marker may
            // write one, and must not pass for a run the sandbox failed.
            .filter(|r| !matches!(r, Report::SetupError { .. }));
        let Ran {
            ending,
            guest,
            wall,
            remaining,
        } = ran;
        let killed_for = if stdout_stopped || stderr_stopped {
            Some(KillReason::OutputLimit)
        } else if guest.wall_time_exceeded || ending == Ending::Trap(Trap::Interrupt) {
            Some(KillReason::WallTime)
        } else if ending == Ending::Trap(Trap::OutOfFuel) {
            Some(KillReason::CpuTime)
        } else if guest.limiter.refused && (report.is_none() || !ending.exited()) {
            Some(KillReason::Memory)
        } else {
            None
        };
        let exit_code = match ending {
            Ending::Exit(code) => Some(code),
            Ending::Trap(_) | Ending::Error(_) => None,
        };
        let used_memory = (guest.limiter.peak as u64).saturating_sub(startup.memory);
        let raw = RawResult {
            killed_for,
            exit_code,
            signal: None,
            cpu_ms: guest.meter.cpu(remaining).as_secs_f64() * 1000.0,
            wall_ms: wall.as_secs_f64() * 1000.0,
            memory_kb: used_memory / 1024,
            stderr_truncated: stderr_captured.overflowed,
            crash: ending.crash(),
        };
        let usage = Usage {
            fuel: guest.meter.budget.saturating_sub(remaining),
            memory: guest.limiter.peak as u64,
        };
        let outcome = raw.into_outcome(report, limits, stdout_bytes, stderr_captured.program);
        Ok((outcome, usage))
    }

    /// Runs a fresh instance of the snapshot to its end.
    fn launch(
        &self,
        launch: Launch<'_>,
        stdout: &Capture,
        stderr: &Capture,
    ) -> Result<Ran, SandboxError> {
        let packages_root = self.packages.root().unwrap_or(self.empty.path());
        let mut store = new_store(
            &self.engine,
            &launch,
            packages_root,
            &self.entropy,
            stdout,
            stderr,
        )?;
        let started = Instant::now();
        let ended = self.pre.instantiate(&mut store).and_then(|instance| {
            let run = instance.get_typed_func::<(), i32>(&mut store, snapshot::ENTRY)?;
            run.call(&mut store, ())
        });
        let wall = started.elapsed();
        let remaining = store.get_fuel().unwrap_or(0);
        Ok(Ran {
            ending: Ending::from(ended),
            guest: store.into_data(),
            wall,
            remaining,
        })
    }

    /// The guest's stdin: the request's fields, then the program's input.
    fn request(
        &self,
        execution: &Execution<'_>,
        packages: &[PathBuf],
        marker: &[u8],
    ) -> Result<Vec<u8>, SandboxError> {
        let (kind, entry) = match &execution.kind {
            ProgramKind::Stdio => ("stdio", ""),
            ProgramKind::Function { entry_point } => ("function", entry_point.as_str()),
        };
        let environment = &execution.environment;
        let prelude = match execution.kind {
            ProgramKind::Stdio if !environment.judged => "",
            ProgramKind::Stdio | ProgramKind::Function { .. } => crate::PRELUDE,
        };
        let root = self.packages.root().unwrap_or(self.empty.path());
        let path = (packages.iter())
            .map(|dir| guest::guest_package_dir(root, dir))
            .collect::<Result<Vec<_>, _>>()?
            .join("\n");
        let mut fields: Vec<&[u8]> = vec![
            marker,
            kind.as_bytes(),
            entry.as_bytes(),
            prelude.as_bytes(),
            execution.code.as_bytes(),
            path.as_bytes(),
        ];
        fields.extend(execution.args.iter().map(|a| a.as_bytes()));
        let lengths = fields
            .iter()
            .map(|f| f.len().to_string())
            .collect::<Vec<_>>()
            .join(" ");
        let size = fields.iter().map(|f| f.len()).sum::<usize>()
            + lengths.len()
            + 10
            + execution.stdin.len();
        let mut request = Vec::with_capacity(size);
        request.extend_from_slice(format!("{:010}", lengths.len()).as_bytes());
        request.extend_from_slice(lengths.as_bytes());
        for field in fields {
            request.extend_from_slice(field);
        }
        request.extend_from_slice(execution.stdin);
        Ok(request)
    }

    fn acquire(&self) -> SlotGuard<'_> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self
                .freed
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        SlotGuard(self)
    }

    /// What guards the candidates: none of the process backend's layers (there is no host
    /// kernel interface to isolate), and any warnings.
    pub(crate) fn isolation(&self) -> &Isolation {
        &self.isolation
    }

    /// The packages offered.
    pub(crate) fn packages(&self) -> &Offered {
        &self.packages
    }

    /// Runs that may be in flight at once.
    pub(crate) fn workers(&self) -> usize {
        self.workers
    }

    /// E.g. `3.12.0 (wasm32-wasi)`.
    pub(crate) fn python_version(&self) -> &str {
        &self.python
    }

    /// How the compiled module was obtained at start.
    #[cfg(test)]
    pub(crate) fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    /// Everything besides a program, its input and its limits that can change an outcome.
    pub(crate) fn fingerprint(&self) -> String {
        format!(
            "backend wasm\nmodule sha256={} python {}\nwasmtime 48 engine={:016x} fuel consume+epoch\nfuel_per_cpu_ms={} wall_backstop={}x tick={:?}\nsnapshot of argv python -S -c INIT, env PYTHONHASHSEED=0; entropy fixed; preopens / (the run's files or empty) and the packages' store, read-only\n{}\n{}\n{}\n{}",
            self.module_sha256,
            self.python,
            self.engine_hash,
            limits::FUEL_PER_CPU_MS,
            WALL_BACKSTOP_FACTOR,
            TICK,
            snapshot::INIT,
            self.driver,
            crate::PRELUDE,
            crate::packages::fingerprint(),
        )
    }
}

struct SlotGuard<'a>(&'a WasmRuntime);

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.0.freed.notify_one();
    }
}

/// Stack of the threads instances run on: wasm code runs on the calling thread's stack, up to
/// wasmtime's `max_wasm_stack` (512 KiB) on top of the host's own frames.
const RUN_STACK: usize = 8 << 20;

/// Runs `f` on a fresh thread and waits for it. WASI's host calls block on a tokio runtime of
/// their own, which panics on a thread that drives async tasks; a caller of
/// [`Sandbox::run`](crate::Sandbox::run) may be one. A spawn costs tens of microseconds, next
/// to the tens of milliseconds of a run.
fn on_own_thread<T: Send>(
    f: impl FnOnce() -> Result<T, SandboxError> + Send,
) -> Result<T, SandboxError> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("sstar-wasm-run".into())
            .stack_size(RUN_STACK)
            .spawn_scoped(scope, f)
            .map_err(|e| SandboxError::Internal(format!("cannot start a wasm run thread: {e}")))?
            .join()
            .map_err(|_| SandboxError::Internal("a wasm run thread panicked".into()))?
    })
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ending {
    /// The guest exited.
    Exit(i32),
    /// A wasm trap: the guest was stopped or crashed.
    Trap(Trap),
    /// Any other error: a host function (output over its cap, the sleep check) stopped it.
    Error(String),
}

impl From<wasmtime::Result<i32>> for Ending {
    fn from(result: wasmtime::Result<i32>) -> Self {
        match result {
            // The runner ends every run with `os._exit`: a return is a broken snapshot.
            Ok(_) => Ending::Error("the runner returned instead of exiting".into()),
            Err(error) => {
                if let Some(exit) = error.downcast_ref::<I32Exit>() {
                    Ending::Exit(exit.0)
                } else if let Some(trap) = error.downcast_ref::<Trap>() {
                    Ending::Trap(*trap)
                } else {
                    Ending::Error(format!("{error:#}"))
                }
            }
        }
    }
}

impl Ending {
    fn exited(&self) -> bool {
        matches!(self, Ending::Exit(_))
    }

    /// What a crash (not an exit) says in a runtime error's detail.
    fn crash(&self) -> Option<String> {
        match self {
            Ending::Exit(_) => None,
            Ending::Trap(Trap::MemoryOutOfBounds | Trap::StackOverflow) => {
                Some(C_STACK_EXHAUSTED.to_owned())
            }
            Ending::Trap(Trap::UnreachableCodeReached) => Some(
                "wasm: the interpreter aborted (os.abort(), or a fatal error inside CPython)"
                    .to_owned(),
            ),
            Ending::Trap(trap) => Some(format!("wasm: {trap}")),
            Ending::Error(error) => Some(format!("wasm: {error}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snapshot_key_holds_the_shared_runner_and_the_driver_after_it() {
        let driver = driver_source();
        let key = snapshot_key("0", &driver);
        let runner = key
            .find(crate::execution::RUNNER)
            .expect("the runner is in the key");
        let own = key.find(DRIVER_PY).expect("the driver is in the key");
        assert!(
            runner < own,
            "the runner is defined before the driver uses it"
        );
        assert!(key.contains(crate::execution::PROGRAM_IO) && key.contains(crate::FUNCTION_CALLS));
    }
}
