//! Why judging could not produce a verdict (a failing program is a verdict, not this).

use sstar_sandbox::SandboxError;

#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    #[error("problem `{problem}`: checker.py failed on test `{test}`: {reason}")]
    Checker {
        problem: String,
        test: String,
        reason: String,
    },
    #[error("problem `{problem}`: test `{test}` is unusable: {reason}")]
    BadTest {
        problem: String,
        test: String,
        reason: String,
    },
    /// The sandbox failed a run twice (it was retried once): a test's verdict is then
    /// `internal_error`; a caller that cannot carry that verdict stops with this error.
    #[error("internal error: {0}")]
    Internal(String),
}
