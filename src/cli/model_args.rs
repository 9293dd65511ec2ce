//! Model flags as typed by the user (`clap`), and their resolution with the environment into
//! the [`LlmConfig`] the library sees.

use std::path::PathBuf;
use std::time::Duration;

use crate::llm::{
    normalize_base_url, ApiKey, ConfigError, LlmConfig, ModelPrice, PriceTable, DEFAULT_BASE_URL,
    DEFAULT_CONCURRENCY, DEFAULT_MAX_ATTEMPTS, DEFAULT_TEMPERATURE, DEFAULT_TIMEOUT, ENV_API_KEY,
    ENV_BASE_URL, ENV_MODEL,
};

/// The model flags of `sstar solve` (flatten into a subcommand with
/// `#[command(flatten)]`).
#[derive(Clone, Debug, PartialEq, clap::Args)]
pub struct LlmArgs {
    /// OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 [env: OPENAI_BASE_URL]
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Main model: generation and debugging [env: SSTAR_MODEL]
    #[arg(long, value_name = "M")]
    pub model: Option<String>,
    /// Model for pairwise judgements [default: the main model]
    #[arg(long, value_name = "M")]
    pub judge_model: Option<String>,
    /// Model for test inputs and generators [default: the main model]
    #[arg(long, value_name = "M")]
    pub test_model: Option<String>,
    /// Sampling temperature
    #[arg(long, value_name = "T", default_value_t = DEFAULT_TEMPERATURE)]
    pub temperature: f32,
    /// Token limit per answer
    #[arg(long, value_name = "K")]
    pub max_tokens: Option<u32>,
    /// Nucleus sampling
    #[arg(long, value_name = "P")]
    pub top_p: Option<f32>,
    /// Sampling seed (sample i of separate requests uses seed + i)
    #[arg(long, value_name = "S")]
    pub seed: Option<i64>,
    /// Reasoning effort for reasoning models (low, medium, high, …); sends the token limit as max_completion_tokens
    #[arg(long, value_name = "EFFORT")]
    pub reasoning_effort: Option<String>,
    /// Send the token limit as max_completion_tokens instead of max_tokens
    #[arg(long)]
    pub use_max_completion_tokens: bool,
    /// Model requests in flight at most
    #[arg(long, value_name = "C", default_value_t = DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// Timeout of one model request, in seconds
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIMEOUT.as_secs_f64())]
    pub request_timeout: f64,
    /// Attempts per model call (retries on 429, 5xx, timeouts, dropped connections)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_ATTEMPTS)]
    pub max_attempts: u32,
    /// TOML price file: [models."NAME"] input = .., output = .., cached_input = .. ($ per million tokens)
    #[arg(long, value_name = "FILE")]
    pub price_file: Option<PathBuf>,
    /// Price of the main model's prompt tokens, $ per million
    #[arg(long, value_name = "USD", requires = "output_price")]
    pub input_price: Option<f64>,
    /// Price of the main model's completion tokens, $ per million
    #[arg(long, value_name = "USD", requires = "input_price")]
    pub output_price: Option<f64>,
    /// Price of the main model's cached prompt tokens, $ per million [default: the input price]
    #[arg(long, value_name = "USD", requires = "input_price")]
    pub cached_input_price: Option<f64>,
}

impl Default for LlmArgs {
    /// The values clap gives when no flag is typed.
    fn default() -> Self {
        Self {
            base_url: None,
            model: None,
            judge_model: None,
            test_model: None,
            temperature: DEFAULT_TEMPERATURE,
            max_tokens: None,
            top_p: None,
            seed: None,
            reasoning_effort: None,
            use_max_completion_tokens: false,
            concurrency: DEFAULT_CONCURRENCY,
            request_timeout: DEFAULT_TIMEOUT.as_secs_f64(),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            price_file: None,
            input_price: None,
            output_price: None,
            cached_input_price: None,
        }
    }
}

fn invalid(what: &'static str, value: impl ToString, reason: &'static str) -> ConfigError {
    ConfigError::Invalid {
        what,
        value: value.to_string(),
        reason,
    }
}

impl LlmArgs {
    /// Merges flags with the environment (`env` reads a variable; pass
    /// [`process_env`] for the real one): a flag wins over its variable.
    /// `Ok(None)` when no model is configured — the valid offline mode.
    pub fn resolve(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<LlmConfig>, ConfigError> {
        let non_empty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        let Some(model) = non_empty(&self.model).or_else(|| env(ENV_MODEL)) else {
            let given = [
                ("--judge-model", self.judge_model.is_some()),
                ("--test-model", self.test_model.is_some()),
                ("--input-price", self.input_price.is_some()),
            ];
            if let Some((flag, _)) = given.iter().find(|(_, set)| *set) {
                return Err(ConfigError::NeedsModel { flag });
            }
            return Ok(None);
        };
        let model = model.trim().to_owned();

        let api_key_set = env(ENV_API_KEY).is_some();
        // The hosted default only when a key says so: with neither an endpoint nor a key,
        // a request to api.openai.com would fail for every problem (or go to the wrong host).
        let base_url = match non_empty(&self.base_url).or_else(|| env(ENV_BASE_URL)) {
            Some(url) => url,
            None if api_key_set => DEFAULT_BASE_URL.to_owned(),
            None => return Err(ConfigError::NoEndpoint),
        };
        let base_url = normalize_base_url(&base_url);
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(invalid(
                "base url",
                base_url,
                "expected http:// or https://",
            ));
        }

        let api_key = match env(ENV_API_KEY) {
            Some(key) if !key.bytes().all(|b| b.is_ascii_graphic()) => {
                // Never echo the key, even in an error.
                return Err(invalid(
                    ENV_API_KEY,
                    "[redacted]",
                    "expected printable ascii without spaces",
                ));
            }
            other => other.map(ApiKey::new),
        };

        if !(0.0..=2.0).contains(&self.temperature) {
            return Err(invalid(
                "--temperature",
                self.temperature,
                "expected 0 to 2",
            ));
        }
        if let Some(p) = self.top_p.filter(|p| !(*p > 0.0 && *p <= 1.0)) {
            return Err(invalid("--top-p", p, "expected more than 0, at most 1"));
        }
        if self.max_tokens == Some(0) {
            return Err(invalid("--max-tokens", 0, "expected at least 1"));
        }
        if self.concurrency == 0 {
            return Err(invalid("--concurrency", 0, "expected at least 1"));
        }
        if self.max_attempts == 0 {
            return Err(invalid("--max-attempts", 0, "expected at least 1"));
        }
        let timeout = Duration::try_from_secs_f64(self.request_timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or_else(|| {
                invalid(
                    "--request-timeout",
                    self.request_timeout,
                    "expected seconds above 0",
                )
            })?;
        let effort = non_empty(&self.reasoning_effort).map(|e| e.trim().to_lowercase());

        let mut prices = match &self.price_file {
            Some(path) => PriceTable::load(path)?,
            None => PriceTable::default(),
        };
        match (self.input_price, self.output_price) {
            (Some(input), Some(output)) => {
                for (flag, price) in [
                    ("--input-price", Some(input)),
                    ("--output-price", Some(output)),
                    ("--cached-input-price", self.cached_input_price),
                ] {
                    if let Some(p) = price.filter(|p| !(p.is_finite() && *p >= 0.0)) {
                        return Err(invalid(
                            flag,
                            p,
                            "expected dollars per million tokens, not negative",
                        ));
                    }
                }
                prices.models.insert(
                    model.clone(),
                    ModelPrice {
                        input,
                        output,
                        cached_input: self.cached_input_price,
                    },
                );
            }
            (None, None) if self.cached_input_price.is_none() => {}
            _ => return Err(ConfigError::IncompletePrice),
        }

        let mut config = LlmConfig::new(base_url, model.clone());
        config.api_key = api_key;
        config.judge_model = non_empty(&self.judge_model).unwrap_or_else(|| model.clone());
        config.test_model = non_empty(&self.test_model).unwrap_or(model);
        config.sampling.temperature = Some(self.temperature);
        config.sampling.top_p = self.top_p;
        config.sampling.max_tokens = self.max_tokens;
        config.sampling.seed = self.seed;
        config.sampling.use_max_completion_tokens = self.use_max_completion_tokens;
        config.sampling.reasoning_effort = effort;
        config.concurrency = self.concurrency;
        config.timeout = timeout;
        config.retry.max_attempts = self.max_attempts;
        config.prices = prices;
        Ok(Some(config))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use clap::Parser;

    use super::*;
    use crate::llm::Role;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        llm: LlmArgs,
    }

    fn parse(args: &[&str]) -> LlmArgs {
        Cli::try_parse_from(std::iter::once("sstar").chain(args.iter().copied()))
            .expect("parses")
            .llm
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn default_matches_clap_defaults() {
        assert_eq!(LlmArgs::default(), parse(&[]));
    }

    #[test]
    fn no_model_is_offline_mode() {
        assert!(parse(&[]).resolve(env(&[])).expect("resolves").is_none());
    }

    #[test]
    fn role_model_without_main_model_is_an_error() {
        let err = parse(&["--judge-model", "j"])
            .resolve(env(&[]))
            .expect_err("fails");
        assert!(err.to_string().contains("--judge-model"), "{err}");
    }

    #[test]
    fn defaults_from_env_and_flags_win() {
        let vars = env(&[
            (ENV_MODEL, "env-model"),
            (ENV_BASE_URL, "http://env/v1/"),
            (ENV_API_KEY, "sk-env-secret"),
        ]);
        let config = parse(&[])
            .resolve(&vars)
            .expect("resolves")
            .expect("model set");
        assert_eq!(config.model, "env-model");
        assert_eq!(config.base_url, "http://env/v1");
        assert_eq!(config.sampling.temperature, Some(0.7));
        assert_eq!(config.concurrency, 8);
        assert_eq!(config.retry.max_attempts, 4);
        assert_eq!(config.model_for(Role::Judge), "env-model");
        assert_eq!(
            config.api_key.as_ref().map(ApiKey::expose),
            Some("sk-env-secret")
        );
        assert!(!format!("{config:?}").contains("sk-env-secret"));

        let args = parse(&[
            "--model",
            "flag-model",
            "--base-url",
            "http://flag/v1",
            "--judge-model",
            "judge",
            "--test-model",
            "tester",
            "--temperature",
            "0.2",
            "--max-tokens",
            "256",
            "--top-p",
            "0.9",
            "--seed",
            "7",
            "--reasoning-effort",
            "High",
            "--concurrency",
            "3",
            "--request-timeout",
            "2.5",
        ]);
        let config = args.resolve(&vars).expect("resolves").expect("model set");
        assert_eq!(config.model, "flag-model");
        assert_eq!(config.base_url, "http://flag/v1");
        assert_eq!(config.model_for(Role::Judge), "judge");
        assert_eq!(config.model_for(Role::TestGen), "tester");
        assert_eq!(config.model_for(Role::Debug), "flag-model");
        assert_eq!(config.sampling.temperature, Some(0.2));
        assert_eq!(config.sampling.max_tokens, Some(256));
        assert_eq!(config.sampling.top_p, Some(0.9));
        assert_eq!(config.sampling.seed, Some(7));
        assert_eq!(config.sampling.reasoning_effort.as_deref(), Some("high"));
        assert_eq!(config.concurrency, 3);
        assert_eq!(config.timeout, Duration::from_millis(2500));
    }

    #[test]
    fn no_endpoint_and_no_key_is_an_error_not_a_request_to_a_default_host() {
        let err = parse(&["--model", "m"])
            .resolve(env(&[]))
            .expect_err("no endpoint");
        assert!(err.to_string().contains("--base-url"), "{err}");
        let hosted = parse(&["--model", "m"])
            .resolve(env(&[(ENV_API_KEY, "sk-x")]))
            .expect("resolves")
            .expect("model set");
        assert_eq!(hosted.base_url, DEFAULT_BASE_URL);
    }

    #[test]
    fn local_server_needs_no_key() {
        let config = parse(&["--model", "m", "--base-url", "http://127.0.0.1:8000/v1"])
            .resolve(env(&[]))
            .expect("resolves")
            .expect("model set");
        assert!(config.api_key.is_none());
    }

    #[test]
    fn bad_values_are_rejected() {
        let vars = env(&[(ENV_MODEL, "m"), (ENV_BASE_URL, "http://127.0.0.1:1/v1")]);
        for args in [
            &["--temperature", "3"][..],
            &["--top-p", "0"],
            &["--concurrency", "0"],
            &["--request-timeout", "0"],
            &["--max-tokens", "0"],
            &["--base-url", "ftp://x"],
            &["--input-price=-1", "--output-price", "1"],
        ] {
            assert!(parse(args).resolve(&vars).is_err(), "{args:?} accepted");
        }
        let err = parse(&[])
            .resolve(env(&[(ENV_MODEL, "m"), (ENV_API_KEY, "sk-bad key\n")]))
            .expect_err("bad key");
        assert!(!err.to_string().contains("sk-bad"), "{err}");
    }

    #[test]
    fn prices_from_flags_and_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("prices.toml");
        std::fs::write(&path, "[models.judge]\ninput = 1.0\noutput = 2.0\n").expect("write");
        let args = parse(&[
            "--model",
            "main",
            "--base-url",
            "http://127.0.0.1:8000/v1",
            "--judge-model",
            "judge",
            "--price-file",
            path.to_str().expect("utf-8 path"),
            "--input-price",
            "0.15",
            "--output-price",
            "0.6",
        ]);
        let config = args
            .resolve(env(&[]))
            .expect("resolves")
            .expect("model set");
        assert_eq!(config.prices.get("main").map(|p| p.input), Some(0.15));
        assert_eq!(config.prices.get("judge").map(|p| p.output), Some(2.0));
        assert!(config.prices.get("other").is_none());

        let missing = parse(&[
            "--model",
            "m",
            "--base-url",
            "http://127.0.0.1:8000/v1",
            "--price-file",
            "/nonexistent/prices.toml",
        ]);
        let err = missing.resolve(env(&[])).expect_err("missing file");
        assert!(
            err.to_string().contains("/nonexistent/prices.toml"),
            "{err}"
        );
    }
}
