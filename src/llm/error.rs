//! Why a model call produced no answer: a value the pipeline records, never a panic.

use serde::Serialize;

/// A failed model call, after its retries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("model {model}: {kind} (after {attempts} attempt(s))")]
pub struct LlmError {
    /// The model asked.
    pub model: String,
    /// HTTP attempts made.
    pub attempts: u32,
    /// What went wrong on the last attempt.
    pub kind: LlmErrorKind,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum LlmErrorKind {
    /// The server answered with an error status.
    #[error("server answered http {status}: {message}")]
    Http {
        /// HTTP status.
        status: u16,
        /// The server's error message (key scrubbed, shortened).
        message: String,
    },
    /// No complete answer within the request timeout.
    #[error("no answer within {timeout_ms} ms")]
    Timeout {
        /// The timeout.
        timeout_ms: u64,
    },
    /// The connection failed or dropped.
    #[error("connection failed: {message}")]
    Connection {
        /// Transport error text.
        message: String,
    },
    /// The body was not a chat completion.
    #[error("malformed response: {message}")]
    Malformed {
        /// Decoder error text.
        message: String,
    },
    /// The response held no choices.
    #[error("response has no choices")]
    EmptyChoices,
    /// Anything else (a bug or an unusable request).
    #[error("request failed: {message}")]
    Other {
        /// Error text.
        message: String,
    },
}

impl LlmErrorKind {
    /// Retrying may help: rate limits, server errors, timeouts, dropped connections.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Http { status, .. } => *status == 408 || *status == 429 || *status >= 500,
            Self::Timeout { .. } | Self::Connection { .. } => true,
            Self::Malformed { .. } | Self::EmptyChoices | Self::Other { .. } => false,
        }
    }
}
