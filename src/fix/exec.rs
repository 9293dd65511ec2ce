//! Sandbox runs for `sstar fix` from async code: a permit per run (the CPU budget), the work on
//! tokio's blocking pool, and the run directory's execution cache, so a rerun pays nothing
//! twice.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sstar_sandbox::{
    shell_command, tree_function, Execution, Limits, Outcome, ProgramKind, Sandbox,
};
use tokio::sync::Semaphore;

use super::error::FixError;
use crate::pipeline::reproducible;
use crate::store::ExecCache;

/// What to run, owned so it can cross into the blocking pool.
#[derive(Debug, Clone)]
pub(crate) enum Job {
    /// The test command over a tree.
    Shell { command: String, archive: Vec<u8> },
    /// `module.function(*args)` imported from a tree, one JSON argument per `stdin` line.
    Call {
        module: String,
        function: String,
        archive: Vec<u8>,
        stdin: Vec<u8>,
    },
    /// A function program of our own (e.g. the locator), called with `stdin`'s arguments.
    Helper {
        code: &'static str,
        entry_point: &'static str,
        stdin: Vec<u8>,
    },
}

/// A test suite may take minutes; a call on one input, or a helper, seconds.
fn shell_limits() -> Limits {
    let mut limits = Limits::new(Duration::from_secs(300), 2048, 16);
    limits.max_processes = 64;
    limits
}

fn call_limits() -> Limits {
    Limits::new(Duration::from_secs(10), 1024, 4)
}

impl Job {
    fn execution(&self) -> Execution<'_> {
        match self {
            Job::Shell { command, archive } => {
                shell_command(command, archive.clone(), shell_limits())
            }
            Job::Call {
                module,
                function,
                archive,
                stdin,
            } => tree_function(module, function, archive.clone(), stdin, call_limits()),
            Job::Helper {
                code,
                entry_point,
                stdin,
            } => Execution::new(
                ProgramKind::Function {
                    entry_point: (*entry_point).to_owned(),
                },
                code,
                stdin,
                call_limits(),
            ),
        }
    }
}

/// Runs [`Job`]s in the sandbox, cached.
#[derive(Debug, Clone)]
pub struct TreeRunner {
    sandbox: Arc<Sandbox>,
    cache: Arc<ExecCache>,
    permits: Arc<Semaphore>,
    executions: Arc<AtomicU64>,
}

impl TreeRunner {
    pub fn new(sandbox: Arc<Sandbox>, cache: ExecCache) -> Self {
        let permits = Arc::new(Semaphore::new(sandbox.workers().max(1)));
        Self {
            sandbox,
            cache: Arc::new(cache),
            permits,
            executions: Arc::default(),
        }
    }

    /// Runs actually made (cache hits excluded).
    pub fn executions(&self) -> u64 {
        self.executions.load(Ordering::Relaxed)
    }

    pub(crate) async fn run(&self, job: Job) -> Result<Outcome, FixError> {
        let key = self.cache.key(&job.execution());
        if let Some(outcome) = self.cache.load(&key) {
            return Ok(outcome);
        }
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| FixError::Usage("sandbox closed".into()))?;
        let (sandbox, cache) = (self.sandbox.clone(), self.cache.clone());
        self.executions.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(move || {
            let outcome = sandbox.run(&job.execution())?;
            if reproducible(&outcome) {
                cache.store(&key, &outcome);
            }
            Ok(outcome)
        })
        .await
        .map_err(|e| FixError::Sandbox(sstar_sandbox::SandboxError::Internal(e.to_string())))?
    }
}

impl TreeRunner {
    /// The test command over a tree (an archive of [`super::Snapshot`]).
    pub(crate) async fn test(
        &self,
        command: &str,
        archive: Vec<u8>,
    ) -> Result<super::TestRun, FixError> {
        let outcome = self
            .run(Job::Shell {
                command: command.to_owned(),
                archive,
            })
            .await?;
        Ok(super::TestRun::of(&outcome))
    }
}
