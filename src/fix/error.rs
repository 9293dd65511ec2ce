//! Why `sstar fix` could not do its job (exit code 2), as opposed to finding no fix (exit 1).

use std::path::PathBuf;

use sstar_sandbox::SandboxError;

use crate::io_error::IoError;
use crate::llm::LlmError;

#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("{0}")]
    Usage(String),
    #[error("function `{function}` is not a top-level function of {file}")]
    NoFunction { file: String, function: String },
    #[error("{file} does not parse as Python: {reason}")]
    Unparsable { file: String, reason: String },
    #[error(
        "`{test}` fails ({status}) and left no record that its tests ran: sstar fix believes a \
         change fixes the tests only on pytest's own report (a JUnit XML file asked for through \
         PYTEST_ADDOPTS), never on an exit status; run the tests with pytest (`python3 -m pytest` \
         runs unittest suites too)"
    )]
    NoRecord { test: String, status: String },
    #[error("the test command needs a model to fix it: pass --model (or set SSTAR_MODEL)")]
    NoModel,
    #[error("the model endpoint refused the run: {0}")]
    Model(LlmError),
    #[error(
        "refusing the run directory {}{}: {reason}; a rerun believes the model answers and \
         test outcomes cached there, so it must be yours alone (remove it or pass another --run-dir)",
        root.display(),
        if path == root { String::new() } else { format!(": {}", path.display()) }
    )]
    UnsafeRunDir {
        root: PathBuf,
        path: PathBuf,
        reason: String,
    },
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// The sandbox failed a run twice (it was retried once on a fresh worker): nothing can be
    /// concluded from it, so `fix` stops rather than read it as a failing test.
    #[error("internal error: the sandbox failed a run twice: {0}")]
    Internal(String),
}

impl FixError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> FixError {
        let path = path.into();
        move |source| FixError::Io(IoError::new(path, source))
    }
}
