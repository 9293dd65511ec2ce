//! An execution owned, so it can wait for a permit and cross into the blocking pool.

use std::sync::Arc;

use sstar_sandbox::{Execution, Limits, ProgramKind};

/// What to run: a program on an input, a helper with arguments, a driver over a tree with
/// files. The same fields as [`Execution`], owned.
#[derive(Debug, Clone)]
pub struct Job {
    pub kind: ProgramKind,
    pub code: Arc<str>,
    pub stdin: Arc<[u8]>,
    /// Files placed in the run's scratch directory.
    pub files: Vec<(String, Vec<u8>)>,
    /// `sys.argv[1..]`.
    pub args: Vec<String>,
    pub limits: Limits,
}

impl Job {
    /// `code` run as `kind` on `stdin`.
    pub fn new(
        kind: ProgramKind,
        code: impl Into<Arc<str>>,
        stdin: impl Into<Arc<[u8]>>,
        limits: Limits,
    ) -> Self {
        Self {
            kind,
            code: code.into(),
            stdin: stdin.into(),
            files: Vec::new(),
            args: Vec::new(),
            limits,
        }
    }

    /// An owned copy of `execution` (e.g. one built by [`sstar_sandbox::shell_command`]).
    pub fn of(execution: &Execution<'_>) -> Self {
        Self {
            kind: execution.kind.clone(),
            code: execution.code.into(),
            stdin: execution.stdin.into(),
            files: execution.files.clone(),
            args: execution.args.clone(),
            limits: execution.limits,
        }
    }

    /// The sandbox's view of this job.
    pub fn execution(&self) -> Execution<'_> {
        let mut execution = Execution::new(self.kind.clone(), &self.code, &self.stdin, self.limits);
        execution.files.clone_from(&self.files);
        execution.args.clone_from(&self.args);
        execution
    }
}
