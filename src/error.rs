//! The tool's own failures (not a program's), each mapped to the SPEC §4 exit code.

use std::path::PathBuf;

use sstar_sandbox::SandboxError;

use crate::judge::JudgeError;
use crate::problem::{LoadError, SetError};

/// Exit code: ran fine, the answer is positive.
pub const EXIT_OK: i32 = 0;
/// Exit code: ran fine, the answer is negative (e.g. a program failed `judge`).
pub const EXIT_NEGATIVE: i32 = 1;
/// Exit code: usage or tool error.
pub const EXIT_ERROR: i32 = 2;
/// Exit code: interrupted (Ctrl-C), as shells report SIGINT.
pub const EXIT_INTERRUPTED: i32 = 130;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Problem(#[from] LoadError),
    #[error(transparent)]
    Set(#[from] SetError),
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    #[error(transparent)]
    Judge(#[from] JudgeError),
    #[error(transparent)]
    Eval(#[from] crate::eval::EvalError),
    #[error(transparent)]
    Fix(#[from] crate::fix::FixError),
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }

    /// Every tool error is exit code 2; a negative answer is not an error.
    pub fn exit_code(&self) -> i32 {
        EXIT_ERROR
    }
}
