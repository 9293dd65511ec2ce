//! Model prices (dollars per million tokens) from flags or a TOML price file, and call costs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::types::Usage;

/// Prices of one model, in dollars per million tokens.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPrice {
    /// Prompt tokens.
    pub input: f64,
    /// Completion tokens (reasoning tokens are billed as completion tokens).
    pub output: f64,
    /// Prompt tokens served from the provider's prompt cache; the input
    /// price when not given.
    #[serde(default)]
    pub cached_input: Option<f64>,
}

impl ModelPrice {
    /// Dollars for `usage`.
    pub fn cost(&self, usage: &Usage) -> f64 {
        let cached = usage.cached_tokens.min(usage.prompt_tokens);
        let fresh = usage.prompt_tokens - cached;
        let cached_price = self.cached_input.unwrap_or(self.input);
        (fresh as f64 * self.input
            + cached as f64 * cached_price
            + usage.completion_tokens as f64 * self.output)
            / 1_000_000.0
    }

    fn validate(&self) -> Result<(), &'static str> {
        let ok = |p: f64| p.is_finite() && p >= 0.0;
        if ok(self.input) && ok(self.output) && self.cached_input.is_none_or(ok) {
            Ok(())
        } else {
            Err("prices must be finite and not negative")
        }
    }
}

/// Prices by model name. A model not in the table has an unknown cost.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PriceTable {
    /// Model name → prices.
    pub models: BTreeMap<String, ModelPrice>,
}

/// A price file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PriceFileError {
    /// The file could not be read.
    #[error("cannot read price file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("invalid price file {path}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: toml::de::Error,
    },
    /// A price is negative or not a number.
    #[error("invalid price for model {model:?} in {path}: {reason}")]
    Value {
        /// The file.
        path: PathBuf,
        /// The model.
        model: String,
        /// Why.
        reason: &'static str,
    },
}

impl PriceTable {
    /// Reads a price file:
    ///
    /// ```toml
    /// [models."gpt-4o-mini"]
    /// input = 0.15
    /// output = 0.6
    /// cached_input = 0.075
    /// ```
    pub fn load(path: &Path) -> Result<Self, PriceFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| PriceFileError::Read {
            path: path.to_owned(),
            source,
        })?;
        let table: PriceTable = toml::from_str(&text).map_err(|source| PriceFileError::Parse {
            path: path.to_owned(),
            source,
        })?;
        for (model, price) in &table.models {
            price.validate().map_err(|reason| PriceFileError::Value {
                path: path.to_owned(),
                model: model.clone(),
                reason,
            })?;
        }
        Ok(table)
    }

    /// The prices of `model`, if known.
    pub fn get(&self, model: &str) -> Option<&ModelPrice> {
        self.models.get(model)
    }

    /// Dollars for `usage` on `model`; `None` when the model's price is unknown.
    pub fn cost(&self, model: &str, usage: &Usage) -> Option<f64> {
        self.get(model).map(|p| p.cost(usage))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_counts_cached_input_at_its_price() {
        let price = ModelPrice {
            input: 1.0,
            output: 4.0,
            cached_input: Some(0.5),
        };
        let usage = Usage {
            prompt_tokens: 1_000_000,
            completion_tokens: 500_000,
            reasoning_tokens: 100_000,
            cached_tokens: 200_000,
        };
        let cost = price.cost(&usage);
        assert!((cost - (0.8 + 0.1 + 2.0)).abs() < 1e-9, "{cost}");
    }

    #[test]
    fn unknown_model_has_no_cost() {
        assert_eq!(PriceTable::default().cost("m", &Usage::default()), None);
    }

    #[test]
    fn loads_a_price_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("prices.toml");
        std::fs::write(
            &path,
            "[models.\"gpt-4o-mini\"]\ninput = 0.15\noutput = 0.6\ncached_input = 0.075\n\n[models.local]\ninput = 0\noutput = 0\n",
        )
        .expect("write");
        let table = PriceTable::load(&path).expect("loads");
        assert_eq!(table.get("gpt-4o-mini").map(|p| p.output), Some(0.6));
        assert_eq!(table.get("local").and_then(|p| p.cached_input), None);
    }

    #[test]
    fn rejects_typos_and_negative_prices() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("prices.toml");
        std::fs::write(&path, "[models.m]\ninput = 1\nouptut = 2\n").expect("write");
        assert!(matches!(
            PriceTable::load(&path),
            Err(PriceFileError::Parse { .. })
        ));
        std::fs::write(&path, "[models.m]\ninput = -1\noutput = 2\n").expect("write");
        assert!(matches!(
            PriceTable::load(&path),
            Err(PriceFileError::Value { .. })
        ));
    }
}
