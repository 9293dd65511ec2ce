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
    /// No later call can succeed either: the endpoint refuses the key (401, 403), or the
    /// model or the route does not exist (404, or a 400 that says the model is unknown).
    /// A run stops on these instead of failing every problem the same way.
    pub fn is_fatal(&self) -> bool {
        match self {
            Self::Http { status, message } => match status {
                401 | 403 | 404 => true,
                400 | 422 => {
                    let message = message.to_lowercase();
                    message.contains("model")
                        && [
                            "not found",
                            "does not exist",
                            "unknown model",
                            "no such model",
                        ]
                        .iter()
                        .any(|phrase| message.contains(phrase))
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// The most samples one request may ask for, when this is a server refusing the `n` it
    /// was sent (`asked`): llama.cpp's server caps `n` at its parallel slots and answers 400
    /// "Field 'n': Value must be between 1 <= value <= 2, but got 3". The cap is the largest
    /// number the message names below `asked`, else 1.
    pub fn n_cap(&self, asked: u32) -> Option<u32> {
        let Self::Http {
            status: 400 | 422,
            message,
        } = self
        else {
            return None;
        };
        let names_n = message
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| word == "n");
        if !names_n {
            return None;
        }
        let cap = message
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|digits| digits.parse::<u32>().ok())
            .filter(|&n| n >= 1 && n < asked)
            .max();
        Some(cap.unwrap_or(1))
    }

    /// Retrying may help: rate limits, server errors, timeouts, dropped connections.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Http { status, .. } => *status == 408 || *status == 429 || *status >= 500,
            Self::Timeout { .. } | Self::Connection { .. } => true,
            Self::Malformed { .. } | Self::EmptyChoices | Self::Other { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LlmErrorKind;

    fn http(status: u16, message: &str) -> LlmErrorKind {
        LlmErrorKind::Http {
            status,
            message: message.into(),
        }
    }

    #[test]
    fn refused_keys_and_unknown_models_are_fatal_rate_limits_are_not() {
        assert!(http(401, "invalid api key").is_fatal());
        assert!(http(403, "forbidden").is_fatal());
        assert!(http(404, "The model `x` does not exist").is_fatal());
        assert!(http(400, "model 'llama9' not found, try pulling it first").is_fatal());
        assert!(!http(400, "This model's maximum context length is 4096 tokens").is_fatal());
        assert!(!http(429, "slow down").is_fatal());
        assert!(!http(500, "model not found").is_fatal());
        assert!(!LlmErrorKind::Connection {
            message: "refused".into()
        }
        .is_fatal());
    }

    #[test]
    fn a_refused_n_gives_the_cap_the_server_names() {
        let llama = http(
            400,
            "Field 'n': Value must be between 1 <= value <= 2, but got 3",
        );
        assert_eq!(llama.n_cap(3), Some(2));
        let four_slots = http(
            400,
            "Field 'n': Value must be between 1 <= value <= 4, but got 16",
        );
        assert_eq!(four_slots.n_cap(16), Some(4));
        assert_eq!(http(400, "n must be at most 8").n_cap(16), Some(8));
        assert_eq!(http(422, "\"n\" is not supported").n_cap(4), Some(1));
        assert_eq!(http(400, "max_tokens must be at most 8").n_cap(16), None);
        assert_eq!(http(400, "max_token must be at most 8").n_cap(16), None);
        assert_eq!(
            http(400, "This model's maximum context length is 4096").n_cap(16),
            None
        );
        assert_eq!(http(500, "Field 'n': too large").n_cap(16), None);
    }
}
