//! An execution owned, so it can wait for a permit and cross into the blocking pool.

use std::sync::Arc;

use sstar_sandbox::{
    Environment, Execution, Language, Limits, Outcome, ProgramKind, Sandbox, SandboxError,
};

/// What to run: a program on an input, a helper with arguments, a driver over a tree with
/// files. The same fields as [`Execution`], owned.
#[derive(Debug, Clone)]
pub struct OwnedExecution {
    pub kind: ProgramKind,
    /// What `code` is written in.
    pub language: Language,
    pub code: Arc<str>,
    pub stdin: Arc<[u8]>,
    /// Files placed in the run's scratch directory.
    pub files: Vec<(String, Vec<u8>)>,
    /// `sys.argv[1..]`.
    pub args: Vec<String>,
    pub limits: Limits,
    /// The prelude and packages around the program (none: sstar's own helpers).
    pub environment: Environment,
}

impl OwnedExecution {
    /// `code` run as `kind` on `stdin`.
    pub fn new(
        kind: ProgramKind,
        code: impl Into<Arc<str>>,
        stdin: impl Into<Arc<[u8]>>,
        limits: Limits,
    ) -> Self {
        Self {
            kind,
            language: Language::Python,
            code: code.into(),
            stdin: stdin.into(),
            files: Vec::new(),
            args: Vec::new(),
            limits,
            environment: Environment::default(),
        }
    }

    /// `execution` (e.g. one built by [`sstar_sandbox::shell_command`]) owned: its files and
    /// arguments moved, its code and input copied.
    pub fn of(execution: Execution<'_>) -> Self {
        Self {
            language: execution.language,
            code: execution.code.into(),
            stdin: execution.stdin.into(),
            kind: execution.kind,
            files: execution.files,
            args: execution.args,
            limits: execution.limits,
            environment: execution.environment,
        }
    }

    /// The sandbox's view of this job (its files copied: see [`OwnedExecution::run`] to run one).
    pub fn execution(&self) -> Execution<'_> {
        let mut execution = Execution::new(self.kind.clone(), &self.code, &self.stdin, self.limits);
        execution.language = self.language;
        execution.files.clone_from(&self.files);
        execution.args.clone_from(&self.args);
        execution.environment.clone_from(&self.environment);
        execution
    }

    /// Runs the job on `sandbox`, its files moved into the run rather than copied (a `fix`
    /// tree's archive can be megabytes).
    pub(crate) fn run(self, sandbox: &Sandbox) -> Result<Outcome, SandboxError> {
        let Self {
            kind,
            language,
            code,
            stdin,
            files,
            args,
            limits,
            environment,
        } = self;
        let mut execution = Execution::new(kind, &code, &stdin, limits);
        execution.language = language;
        execution.files = files;
        execution.args = args;
        execution.environment = environment;
        sandbox.run(&execution)
    }
}
