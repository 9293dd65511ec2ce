//! Model client: any OpenAI-compatible endpoint, concurrent, retried, cached, costed.
//!
//! The rest of sstar sees [`LlmClient::complete`] (N samples of one
//! conversation), the [`Ledger`] of what it cost, and the pure extraction
//! functions (docs/candidates-and-inputs.md). async-openai is used only inside `transport.rs`.

mod batching;
mod cache;
mod client;
mod config;
mod env;
mod error;
pub mod extract;
mod ledger;
mod price;
mod retry;
mod secret;
mod transport;
mod types;

pub use client::LlmClient;
pub(crate) use config::normalize_base_url;
pub use config::{
    LlmConfig, Role, Sampling, DEFAULT_BASE_URL, DEFAULT_CONCURRENCY, DEFAULT_TEMPERATURE,
    DEFAULT_TIMEOUT,
};
pub use env::{process_env, ConfigError, ENV_API_KEY, ENV_BASE_URL, ENV_MODEL};
pub use error::{LlmError, LlmErrorKind};
pub use extract::{
    extract_generator, extract_inputs, extract_program, extract_program_in, extract_verdict,
    split_think, strip_think, Winner,
};
pub use ledger::{CallRecord, Ledger};
pub use price::{ModelPrice, PriceFileError, PriceTable};
pub use retry::{RetryPolicy, DEFAULT_MAX_ATTEMPTS};
pub use secret::ApiKey;
pub use types::{Completion, CompletionRequest, Finish, Message, MessageRole, Usage};
