//! What can stop a report: a path that is not a run, a file that does not parse, a write
//! that fails. Every error names the path it is about.

use crate::io_error::IoError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("{}: malformed: {reason}", path.display())]
    Malformed { path: PathBuf, reason: String },
    #[error("{}: not a run directory (no run.json, results.jsonl or problems/)", path.display())]
    NotARun { path: PathBuf },
}

impl ReportError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io(IoError::new(path, source))
    }

    pub(crate) fn malformed(path: impl Into<PathBuf>, reason: impl ToString) -> Self {
        Self::Malformed {
            path: path.into(),
            reason: reason.to_string(),
        }
    }
}
