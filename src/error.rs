//! The tool's own failures (not a program's), each mapped to its exit code (docs/cli.md) in
//! [`Error::exit_code`].

use std::path::PathBuf;

use sstar_sandbox::SandboxError;

use crate::import::ImportError;
use crate::io_error::IoError;
use crate::judge::JudgeError;
use crate::llm::{ConfigError, LlmError};
use crate::pipeline::{CandidatesError, RunError};
use crate::problem::{LoadError, SetError};
use crate::store::{LockError, MergeError};

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
    /// The command line or its environment asks for something that cannot be done (a flag
    /// out of range, flags that contradict each other or the run being resumed).
    #[error("{0}")]
    Usage(String),
    /// The model flags or environment cannot be used.
    #[error(transparent)]
    Model(#[from] ConfigError),
    #[error(transparent)]
    Problem(#[from] LoadError),
    #[error(transparent)]
    Set(#[from] SetError),
    /// A set in which no problem could be loaded: there is nothing to run.
    #[error("no problem of {} could be loaded: {malformed} malformed (see above)", set.display())]
    NoProblems { set: PathBuf, malformed: usize },
    /// `--candidates` or `--inputs` cannot be read.
    #[error(transparent)]
    Candidates(#[from] CandidatesError),
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
    #[error(transparent)]
    Import(#[from] ImportError),
    /// A run directory is busy or missing.
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// The pipeline stopped: its run directory cannot be written.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The model endpoint refuses every call (key or model): the run stopped early.
    #[error(
        "stopped: the model endpoint refuses every call ({source}); check the key ({}), --base-url and --model. Finished problems are saved in {}",
        crate::llm::ENV_API_KEY,
        run.display()
    )]
    EndpointRefuses { source: LlmError, run: PathBuf },
    /// The async runtime cannot start (threads, file descriptors).
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// Output cannot be encoded as JSON.
    #[error("cannot encode {what} as json: {source}")]
    Json {
        what: &'static str,
        source: serde_json::Error,
    },
    #[error(transparent)]
    Io(#[from] IoError),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io(IoError::new(path, source))
    }

    /// For `map_err`: `what` could not be encoded as JSON.
    pub fn json(what: &'static str) -> impl FnOnce(serde_json::Error) -> Error {
        move |source| Error::Json { what, source }
    }

    /// The exit code (docs/cli.md). Every variant is named (no `_` arm), so a new one needs a
    /// decision here. All of them are 2 today: a negative answer (1) is not an error, and an
    /// interruption (130) is reported by the command as it stops, not raised.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Model(_) => EXIT_ERROR,
            Error::Problem(_) | Error::Set(_) | Error::NoProblems { .. } => EXIT_ERROR,
            Error::Candidates(_) | Error::Import(_) => EXIT_ERROR,
            Error::Sandbox(_) | Error::Judge(_) | Error::Runtime(_) => EXIT_ERROR,
            Error::Eval(_) | Error::Fix(_) | Error::Report(_) => EXIT_ERROR,
            Error::Lock(_) | Error::Merge(_) | Error::Run(_) => EXIT_ERROR,
            Error::EndpointRefuses { .. } => EXIT_ERROR,
            Error::Json { .. } | Error::Io(_) => EXIT_ERROR,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io_error() -> std::io::Error {
        std::io::Error::other("disk on fire")
    }

    #[test]
    fn every_tool_error_exits_2_and_says_what_failed() {
        let json_error = serde_json::from_str::<u8>("x").expect_err("not json");
        let cases: Vec<(Error, &str)> = vec![
            (
                Error::Usage("--samples must be at least 1".into()),
                "--samples",
            ),
            (
                Error::NoProblems {
                    set: "sets/empty".into(),
                    malformed: 3,
                },
                "sets/empty",
            ),
            (
                Error::Lock(LockError::Missing {
                    dir: "runs/gone".into(),
                }),
                "runs/gone",
            ),
            (
                Error::Run(RunError::Io(IoError::new(
                    "runs/a/results.jsonl",
                    io_error(),
                ))),
                "results.jsonl",
            ),
            (Error::Runtime(io_error()), "async runtime"),
            (
                Error::Json {
                    what: "the eval report",
                    source: json_error,
                },
                "eval report",
            ),
            (
                Error::Io(IoError::new("runs/a/run.json", io_error())),
                "run.json",
            ),
        ];
        for (error, mentions) in cases {
            assert_eq!(error.exit_code(), EXIT_ERROR, "{error}");
            assert!(error.to_string().contains(mentions), "{error}");
        }
    }

    #[test]
    fn exit_codes_are_the_documented_ones() {
        assert_eq!(
            (EXIT_OK, EXIT_NEGATIVE, EXIT_ERROR, EXIT_INTERRUPTED),
            (0, 1, 2, 130)
        );
    }
}
