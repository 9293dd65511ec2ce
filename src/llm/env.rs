//! What model settings the environment may give (variable names in one place), and why a
//! model configuration cannot be used.

use super::config::DEFAULT_BASE_URL;
use super::price::PriceFileError;

/// Environment variable holding the API key.
pub const ENV_API_KEY: &str = "OPENAI_API_KEY";
/// Environment variable holding the endpoint, when `--base-url` is absent.
pub const ENV_BASE_URL: &str = "OPENAI_BASE_URL";
/// Environment variable holding the main model, when `--model` is absent.
pub const ENV_MODEL: &str = "SSTAR_MODEL";

/// Reads a variable of the process environment; an empty value counts as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Model flags or environment that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A value out of range or malformed.
    #[error("invalid {what} {value:?}: {reason}")]
    Invalid {
        /// The flag or variable.
        what: &'static str,
        /// The value given.
        value: String,
        /// What is expected.
        reason: &'static str,
    },
    /// A role model or price was given without a main model.
    #[error("{flag} needs a main model (--model or {ENV_MODEL})")]
    NeedsModel {
        /// The flag given.
        flag: &'static str,
    },
    /// A model but neither an endpoint nor a key for the hosted default.
    #[error(
        "no endpoint: pass --base-url URL (or set {ENV_BASE_URL}) for a local or hosted server, \
         or set {ENV_API_KEY} to use {DEFAULT_BASE_URL}"
    )]
    NoEndpoint,
    /// Prices on the command line need both input and output prices.
    #[error("--input-price and --output-price go together")]
    IncompletePrice,
    /// The price file is unusable.
    #[error(transparent)]
    PriceFile(#[from] PriceFileError),
}
