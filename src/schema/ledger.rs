//! `ledger.json`'s types: token counts and costs per run, stage and problem, as the model
//! client totals them and the report, merge and resume read them back.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::format::Format;

/// `ledger.json`'s current format. 1: before the field; 2: adds `format`.
pub const LEDGER_FORMAT: u32 = 2;

/// Token counts, as the server's `usage` reported them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Prompt tokens (cached ones included).
    pub prompt_tokens: u64,
    /// Completion tokens (reasoning ones included).
    pub completion_tokens: u64,
    /// Of the completion tokens, those spent reasoning.
    pub reasoning_tokens: u64,
    /// Of the prompt tokens, those served from the provider's prompt cache.
    pub cached_tokens: u64,
}

impl Usage {
    /// Adds `other` to `self`.
    pub fn add(&mut self, other: &Usage) {
        self.prompt_tokens += other.prompt_tokens;
        self.completion_tokens += other.completion_tokens;
        self.reasoning_tokens += other.reasoning_tokens;
        self.cached_tokens += other.cached_tokens;
    }

    /// Splits one call's usage among its `k` answers so that the shares sum
    /// to the whole: prompt (and cached) tokens go to the first answer, which
    /// carried the prompt; completion and reasoning tokens are divided evenly,
    /// the remainder going to the first answers.
    pub fn split(&self, k: usize) -> Vec<Usage> {
        let k = k.max(1);
        let parts = k as u64;
        (0..parts)
            .map(|i| {
                let share = |total: u64| total / parts + u64::from(i < total % parts);
                let first = i == 0;
                Usage {
                    prompt_tokens: if first { self.prompt_tokens } else { 0 },
                    cached_tokens: if first { self.cached_tokens } else { 0 },
                    completion_tokens: share(self.completion_tokens),
                    reasoning_tokens: share(self.reasoning_tokens),
                }
            })
            .collect()
    }
}

/// Sums over a set of records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Network calls made (answered or failed).
    pub calls: u64,
    /// Of those, calls that ended in an error.
    pub failed_calls: u64,
    /// Answers received over the network.
    pub samples: u64,
    /// Answers served from the cache.
    pub cache_hits: u64,
    /// Tokens of network calls.
    pub usage: Usage,
    /// Original tokens of the answers served from the cache (not paid again).
    pub cached_usage: Usage,
    /// Sum of call latencies.
    pub latency_ms: u64,
    /// Dollars spent; `None` as soon as one answered call had no known price.
    pub cost_usd: Option<f64>,
    /// Answered calls whose price was unknown.
    pub unpriced_calls: u64,
}

impl Default for Totals {
    fn default() -> Self {
        Self {
            calls: 0,
            failed_calls: 0,
            samples: 0,
            cache_hits: 0,
            usage: Usage::default(),
            cached_usage: Usage::default(),
            latency_ms: 0,
            cost_usd: Some(0.0),
            unpriced_calls: 0,
        }
    }
}

impl Totals {
    /// Adds another sum (of another role, session or shard) to this one.
    pub fn merge(&mut self, other: &Totals) {
        // Destructured, so a field added to `Totals` fails to compile here until it is summed.
        let Totals {
            calls,
            failed_calls,
            samples,
            cache_hits,
            usage,
            cached_usage,
            latency_ms,
            cost_usd,
            unpriced_calls,
        } = other;
        self.calls += calls;
        self.failed_calls += failed_calls;
        self.samples += samples;
        self.cache_hits += cache_hits;
        self.usage.add(usage);
        self.cached_usage.add(cached_usage);
        self.latency_ms += latency_ms;
        // Unknown as soon as one part is unknown, as within one run.
        self.cost_usd = self.cost_usd.zip(*cost_usd).map(|(a, b)| a + b);
        self.unpriced_calls += unpriced_calls;
    }
}

/// Everything the ledger knows, for reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LedgerReport {
    #[serde(default = "Format::unrecorded")]
    pub format: Format<LEDGER_FORMAT>,
    /// The whole run.
    pub run: Totals,
    /// By stage label.
    pub by_stage: BTreeMap<String, Totals>,
    /// By problem id.
    pub by_problem: BTreeMap<String, Totals>,
}

impl LedgerReport {
    /// Adds another report (an earlier session of a resumed run, or another shard).
    pub fn add(&mut self, other: &LedgerReport) {
        self.run.merge(&other.run);
        for (stage, totals) in &other.by_stage {
            self.by_stage
                .entry(stage.clone())
                .or_default()
                .merge(totals);
        }
        for (problem, totals) in &other.by_problem {
            self.by_problem
                .entry(problem.clone())
                .or_default()
                .merge(totals);
        }
    }
}
