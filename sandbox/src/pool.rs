//! The public face of the sandbox: a pool of warm workers shared by any number of threads.

use std::path::PathBuf;
use std::sync::{Condvar, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::execution::Execution;
use crate::interpreter::Interpreter;
use crate::outcome::Outcome;
use crate::worker::{SpawnSpec, Worker};

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
}

/// Which isolation layers are in force, as the workers reported them at start.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Isolation {
    pub mount_ns: bool,
    pub net_ns: bool,
    pub chroot: bool,
    /// The unprivileged uid candidates of the first slot run as (root only).
    pub uid: Option<u32>,
    /// Layers the kernel or our privileges denied, in words.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// How to build a [`Sandbox`].
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub interpreter: Interpreter,
    /// Executions in flight (one warm worker each). Default: the number of cores.
    pub workers: usize,
    /// First of the uids candidates run as (one per worker). Default: derived from our pid,
    /// so concurrent sstar processes do not share process-count limits.
    pub uid_base: Option<u32>,
    /// Extra modules each worker imports up front (e.g. `numpy`), besides the stdlib set.
    pub preload: Vec<String>,
}

impl SandboxConfig {
    pub fn new(interpreter: Interpreter) -> Self {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            interpreter,
            workers,
            uid_base: None,
            preload: Vec::new(),
        }
    }
}

/// Largest pool; uids are allotted in blocks of this size per sstar process.
const MAX_WORKERS: usize = 64;

/// A pool of warm, isolated Python workers. `run` may be called from many threads at once;
/// each call blocks until a worker is free.
#[derive(Debug)]
pub struct Sandbox {
    spec: SpawnSpec,
    idle: Mutex<Slots>,
    freed: Condvar,
    isolation: Isolation,
}

#[derive(Debug)]
struct Slots {
    idle: Vec<(Worker, u32)>,
    alive: usize,
}

impl Sandbox {
    /// Starts `config.workers` workers (in parallel) and checks that they came up.
    pub fn start(config: SandboxConfig) -> Result<Self, SandboxError> {
        let workers = config.workers.clamp(1, MAX_WORKERS);
        let uid_base = config
            .uid_base
            .unwrap_or_else(|| 1_000_000 + (std::process::id() % 100_000) * MAX_WORKERS as u32);
        static POOLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let pool = POOLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let root_mountpoint =
            std::env::temp_dir().join(format!("sstar-root-{}-{pool}", std::process::id()));
        std::fs::create_dir_all(&root_mountpoint)
            .map_err(|e| SandboxError::Spawn(format!("{}: {e}", root_mountpoint.display())))?;
        let spec = SpawnSpec {
            interpreter: config.interpreter,
            root_mountpoint,
            preload: config.preload,
        };
        let started: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers as u32)
                .map(|slot| {
                    let spec = &spec;
                    scope.spawn(move || {
                        Worker::spawn(spec, uid_base + slot).map(|w| (w, uid_base + slot))
                    })
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
        let mut isolation = None;
        for result in started {
            let ((worker, isolated), uid) = result?;
            isolation.get_or_insert(isolated);
            idle.push((worker, uid));
        }
        for warning in isolation.iter().flat_map(|i| &i.warnings) {
            tracing::warn!("sandbox: {warning}");
        }
        Ok(Self {
            spec,
            idle: Mutex::new(Slots {
                alive: idle.len(),
                idle,
            }),
            freed: Condvar::new(),
            isolation: isolation.unwrap_or_default(),
        })
    }

    /// Starts a pool with the interpreter from the environment and default settings.
    pub fn from_env() -> Result<Self, SandboxError> {
        Self::start(SandboxConfig::new(Interpreter::from_env()?))
    }

    /// Runs one program. Blocks until a worker is free and the program has finished.
    /// A worker lost mid-run is replaced and the run tried once more on the fresh one, so a
    /// one-off failure costs a retry, not the caller's whole job.
    pub fn run(&self, execution: &Execution<'_>) -> Result<Outcome, SandboxError> {
        match self.run_once(execution) {
            Err(SandboxError::WorkerLost(first) | SandboxError::Internal(first)) => {
                tracing::warn!("retrying a run after a sandbox failure: {first}");
                self.run_once(execution)
            }
            other => other,
        }
    }

    fn run_once(&self, execution: &Execution<'_>) -> Result<Outcome, SandboxError> {
        let (mut worker, uid) = self.checkout()?;
        match worker.run(execution) {
            Ok(outcome) => {
                self.checkin(worker, uid);
                Ok(outcome)
            }
            Err(error) => {
                drop(worker);
                tracing::warn!("replacing sandbox worker: {error}");
                match Worker::spawn(&self.spec, uid) {
                    Ok((fresh, _)) => self.checkin(fresh, uid),
                    Err(spawn_error) => {
                        tracing::error!("{spawn_error}");
                        self.lock().alive -= 1;
                        self.freed.notify_all();
                    }
                }
                Err(error)
            }
        }
    }

    /// The isolation layers in force.
    pub fn isolation(&self) -> &Isolation {
        &self.isolation
    }

    /// Executions that can run at once.
    pub fn workers(&self) -> usize {
        self.lock().alive
    }

    /// The interpreter the workers run.
    pub fn interpreter(&self) -> &Interpreter {
        &self.spec.interpreter
    }

    /// Everything besides a program, its input and its limits that can change an outcome:
    /// the interpreter, the isolation layers in force, preloaded modules and the runtime's own
    /// code. Stable across runs of the same build (the per-run uid is left out), so callers
    /// can key execution caches on it.
    pub fn fingerprint(&self) -> String {
        let i = &self.isolation;
        format!(
            "{} {}\nisolation mount={} net={} chroot={} uid={}\npreload {:?}\n{}\n{}\n{}",
            self.spec.interpreter.executable.display(),
            self.spec.interpreter.version,
            i.mount_ns,
            i.net_ns,
            i.chroot,
            i.uid.is_some(),
            self.spec.preload,
            crate::worker::WORKER_PY,
            crate::FUNCTION_CALLS,
            crate::FUNCTION_PRELUDE,
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn checkout(&self) -> Result<(Worker, u32), SandboxError> {
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

    fn checkin(&self, worker: Worker, uid: u32) {
        self.lock().idle.push((worker, uid));
        self.freed.notify_one();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.lock().idle.clear();
        let _ = std::fs::remove_dir(&self.spec.root_mountpoint);
    }
}
