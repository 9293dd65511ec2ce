//! Import failures: the whole import (unreadable input, unwritable set) and one row (a skip).

use std::io;
use std::path::PathBuf;

use sstar_sandbox::SandboxError;

/// The import cannot go on; problems written so far stay on disk.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input file cannot be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The input file.
        path: PathBuf,
        /// The underlying failure.
        source: io::Error,
    },
    /// The input is not JSON lines (nor a JSON array).
    #[error("{}: not a json array: {source}", path.display())]
    NotJson {
        /// The input file.
        path: PathBuf,
        /// The JSON parser's error.
        source: serde_json::Error,
    },
    /// A file or directory of the set cannot be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The underlying failure.
        source: io::Error,
    },
    /// `ids.json` of the set exists but cannot be used.
    #[error(transparent)]
    Ids(#[from] crate::problem::IdsError),
    /// The input is one JSON array larger than the cap (it is parsed whole).
    #[error("{}: a json array larger than {} MiB; write it as json lines", path.display(), limit >> 20)]
    TooLarge {
        /// The input file.
        path: PathBuf,
        /// The cap in bytes.
        limit: u64,
    },
    /// An option value is malformed.
    #[error("{0}")]
    Option(String),
    /// The format runs reference solutions and no sandbox was given.
    #[error("importing {0:?} runs reference solutions: it needs a sandbox")]
    NoSandbox(super::Format),
    /// The async runtime the reference checks run on cannot start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(io::Error),
}

impl ImportError {
    pub(crate) fn write(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> ImportError {
        let path = path.into();
        move |source| ImportError::Write { path, source }
    }
}

/// Why one row of the input was not imported. The rest of the import goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// The row is not a JSON object of the expected shape.
    #[error("bad row: {0}")]
    BadRow(String),
    /// Another row already has this id.
    #[error("duplicate id `{0}`")]
    DuplicateId(String),
    /// No test survived conversion (or the row has none).
    #[error("no tests: {0}")]
    NoTests(String),
    /// The tests cannot be read.
    #[error("unparsable tests: {0}")]
    UnparsableTests(String),
    /// No reference solution sstar can run (Python 3 or C++).
    #[error("no python 3 or c++ solution")]
    NoSolution,
    /// The starter code is not Python.
    #[error("non-python starter code")]
    NonPythonStarter,
    /// An interactive problem (needs a live judge).
    #[error("interactive problem")]
    Interactive,
    /// The reference solution cannot be run to compute expected values.
    #[error("reference solution: {0}")]
    Reference(String),
    /// The sandbox failed on this row.
    #[error("sandbox: {0}")]
    Sandbox(String),
    /// The row, or what it decodes to, is over a size cap.
    #[error("too large: {0}")]
    TooLarge(String),
    /// The written problem does not load back.
    #[error("imported problem does not load: {0}")]
    Invalid(String),
}

impl SkipReason {
    /// A short category for the summary (no per-row detail).
    pub fn label(&self) -> &'static str {
        match self {
            SkipReason::BadRow(_) => "bad row",
            SkipReason::DuplicateId(_) => "duplicate id",
            SkipReason::NoTests(_) => "no tests",
            SkipReason::UnparsableTests(_) => "unparsable tests",
            SkipReason::NoSolution => "no python 3 or c++ solution",
            SkipReason::NonPythonStarter => "non-python starter code",
            SkipReason::Interactive => "interactive problem",
            SkipReason::Reference(_) => "reference solution failed",
            SkipReason::Sandbox(_) => "sandbox failure",
            SkipReason::Invalid(_) => "does not load back",
            SkipReason::TooLarge(_) => "too large",
        }
    }
}

impl From<SandboxError> for SkipReason {
    fn from(error: SandboxError) -> Self {
        SkipReason::Sandbox(error.to_string())
    }
}
