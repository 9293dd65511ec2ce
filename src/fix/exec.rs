//! What `sstar fix` runs in the sandbox (the test command over a tree, a call into it, its own
//! helpers), on the shared executor with the run directory's execution cache, so a rerun pays
//! nothing twice.

use std::sync::Arc;
use std::time::Duration;

use sstar_sandbox::{
    shell_command, tree_function, Limits, Outcome, ProgramKind, Sandbox, Termination,
};

use super::error::FixError;
use crate::exec::{self, Executor};
use crate::store::ExecCache;

/// What `fix` runs, in its own terms.
#[derive(Debug, Clone)]
pub(crate) enum FixRun {
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

impl FixRun {
    /// The executor's job, the tree's archive moved into it.
    fn into_exec(self) -> exec::OwnedExecution {
        match self {
            FixRun::Shell { command, archive } => {
                exec::OwnedExecution::of(shell_command(&command, archive, shell_limits()))
            }
            FixRun::Call {
                module,
                function,
                archive,
                stdin,
            } => exec::OwnedExecution::of(tree_function(
                &module,
                &function,
                archive,
                &stdin,
                call_limits(),
            )),
            FixRun::Helper {
                code,
                entry_point,
                stdin,
            } => exec::OwnedExecution::new(
                ProgramKind::Function {
                    entry_point: entry_point.to_owned(),
                },
                code,
                stdin,
                call_limits(),
            ),
        }
    }
}

/// Runs [`FixRun`]s on the shared executor ([`crate::exec::Executor`]), cached.
#[derive(Debug, Clone)]
pub struct TreeRunner {
    executor: Arc<Executor>,
}

impl TreeRunner {
    pub fn new(sandbox: Arc<Sandbox>, cache: ExecCache) -> Self {
        Self {
            executor: Arc::new(Executor::new(sandbox, Some(cache))),
        }
    }

    /// Runs actually made (cache hits excluded).
    pub fn executions(&self) -> u64 {
        self.executor.executions()
    }

    /// Runs `job`; a run the sandbox failed (twice) is an error, never a behaviour of the code.
    pub(crate) async fn run(&self, job: FixRun) -> Result<Outcome, FixError> {
        let outcome = self.executor.run(job.into_exec(), &()).await?;
        match &outcome.termination {
            Termination::SandboxFailure { message } => Err(FixError::Internal(message.clone())),
            _ => Ok(outcome),
        }
    }
}

impl TreeRunner {
    /// The test command over a tree (an archive of [`super::Snapshot`]), its record asked for
    /// and read back. `before` is the run before the change, for a candidate's run.
    pub(crate) async fn test(
        &self,
        command: &str,
        archive: Vec<u8>,
        before: Option<&super::TestRun>,
    ) -> Result<super::TestRun, FixError> {
        let outcome = self
            .run(FixRun::Shell {
                command: super::record::wrap(command),
                archive,
            })
            .await?;
        Ok(super::TestRun::of(&outcome, before))
    }
}
