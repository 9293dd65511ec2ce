//! The resolved model-layer settings the library sees: endpoint, models per role, sampling,
//! budgets.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::price::PriceTable;
use super::retry::RetryPolicy;
use super::secret::ApiKey;

/// The OpenAI endpoint used when neither `--base-url` nor `OPENAI_BASE_URL` is given.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// Default limit on model requests in flight.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// Default sampling temperature (`--temperature`, docs/cli.md).
pub const DEFAULT_TEMPERATURE: f32 = 0.7;

/// What a model call is for; each role maps to a configured model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Writing the first programs (main model).
    Generate,
    /// Fixing a program from its failures (main model).
    Debug,
    /// Pairwise judgement between two programs (judge model).
    Judge,
    /// Writing test inputs or an input generator (test model).
    TestGen,
}

impl Role {
    /// The role's name, also the default stage label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Generate => "generate",
            Self::Debug => "debug",
            Self::Judge => "judge",
            Self::TestGen => "test_gen",
        }
    }
}

/// Sampling parameters sent with every request (all optional on the wire).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sampling {
    /// `temperature`.
    pub temperature: Option<f32>,
    /// `top_p`.
    pub top_p: Option<f32>,
    /// Token limit per answer.
    pub max_tokens: Option<u32>,
    /// `seed`; with separate requests per sample, sample `i` gets `seed + i`.
    pub seed: Option<i64>,
    /// `reasoning_effort` for reasoning models (`low`, `medium`, `high`, …).
    pub reasoning_effort: Option<String>,
    /// Send the token limit as `max_completion_tokens` (reasoning models)
    /// instead of `max_tokens`.
    pub use_max_completion_tokens: bool,
}

impl Default for Sampling {
    fn default() -> Self {
        Self {
            temperature: Some(DEFAULT_TEMPERATURE),
            top_p: None,
            max_tokens: None,
            seed: None,
            reasoning_effort: None,
            use_max_completion_tokens: false,
        }
    }
}

/// Everything the model client needs. Build it with [`LlmConfig::new`] and
/// adjust fields, or from flags with `sstar`'s model flags (`cli::model_args`).
///
/// `Debug` and `Serialize` redact the API key, so the config can go into
/// logs and `run.json`; read back from `run.json`, it has no key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LlmConfig {
    /// Endpoint root, e.g. `http://127.0.0.1:8000/v1` (no trailing slash).
    pub base_url: String,
    /// Bearer token; `None` for local servers that need none.
    #[serde(serialize_with = "redact_key", skip_deserializing)]
    pub api_key: Option<ApiKey>,
    /// Main model: generation and debugging.
    pub model: String,
    /// Model for pairwise judgements.
    pub judge_model: String,
    /// Model for test inputs and generators.
    pub test_model: String,
    /// Sampling parameters.
    pub sampling: Sampling,
    /// Limit on one HTTP request, answer body included.
    #[serde(serialize_with = "as_secs", deserialize_with = "from_secs")]
    pub timeout: Duration,
    /// Requests in flight at most, over all callers of one client.
    pub concurrency: usize,
    /// Retries and backoff.
    pub retry: RetryPolicy,
    /// Prices per model, for the ledger.
    pub prices: PriceTable,
}

impl LlmConfig {
    /// A config for `model` at `base_url` (every role uses `model`), no key,
    /// default sampling, budgets and retries, no prices.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        let model = model.into();
        Self {
            base_url: normalize_base_url(&base_url.into()),
            api_key: None,
            judge_model: model.clone(),
            test_model: model.clone(),
            model,
            sampling: Sampling::default(),
            timeout: DEFAULT_TIMEOUT,
            concurrency: DEFAULT_CONCURRENCY,
            retry: RetryPolicy::default(),
            prices: PriceTable::default(),
        }
    }

    /// The model that serves `role`.
    pub fn model_for(&self, role: Role) -> &str {
        match role {
            Role::Generate | Role::Debug => &self.model,
            Role::Judge => &self.judge_model,
            Role::TestGen => &self.test_model,
        }
    }
}

/// Drops trailing slashes, so `…/v1/` and `…/v1` name one endpoint (and one cache key).
pub(crate) fn normalize_base_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_owned()
}

fn redact_key<S: Serializer>(key: &Option<ApiKey>, s: S) -> Result<S::Ok, S::Error> {
    match key {
        Some(_) => s.serialize_some("[redacted]"),
        None => s.serialize_none(),
    }
}

fn as_secs<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

fn from_secs<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let secs = f64::deserialize(d)?;
    Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_map_to_models() {
        let mut c = LlmConfig::new("http://x/v1/", "main");
        c.judge_model = "judge".into();
        c.test_model = "tests".into();
        assert_eq!(c.base_url, "http://x/v1");
        assert_eq!(c.model_for(Role::Generate), "main");
        assert_eq!(c.model_for(Role::Debug), "main");
        assert_eq!(c.model_for(Role::Judge), "judge");
        assert_eq!(c.model_for(Role::TestGen), "tests");
    }

    #[test]
    fn key_is_redacted_in_debug_and_json() {
        let mut c = LlmConfig::new("http://x/v1", "m");
        c.api_key = Some(ApiKey::new("sk-hidden-123"));
        assert!(!format!("{c:?}").contains("sk-hidden-123"));
        let json = serde_json::to_string(&c).expect("serialises");
        assert!(!json.contains("sk-hidden-123"));
        assert!(json.contains("[redacted]"));
    }
}
