//! The shape of `eval.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::stats::{wilson, Rate};
use crate::verdict::Verdict;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalProblem {
    /// The selected program's verdict on the hidden tests (`None`: nothing was selected).
    pub verdict: Option<Verdict>,
    pub passed: usize,
    pub total: usize,
    /// pass@N: some final-round program of this problem is accepted.
    pub any_candidate_accepted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalSummary {
    pub pass_at_1: f64,
    pub pass_at_n: f64,
    pub count: usize,
    /// The selection used hidden tests (`--select oracle`): not a fair score.
    #[serde(default)]
    pub analysis_only: bool,
    /// pass@1 and pass@N with 95% Wilson intervals.
    pub pass_at_1_interval: Rate,
    pub pass_at_n_interval: Rate,
    /// The same, per `difficulty` and per `source` (the platform, for LiveCodeBench).
    pub by_difficulty: BTreeMap<String, Breakdown>,
    pub by_source: BTreeMap<String, Breakdown>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Breakdown {
    pub pass_at_1: Rate,
    pub pass_at_n: Rate,
}

impl EvalSummary {
    /// Summary statistics of per-problem results.
    pub fn of(problems: &BTreeMap<String, EvalProblem>, analysis_only: bool) -> Self {
        let all: Vec<&EvalProblem> = problems.values().collect();
        let overall = Breakdown::of(&all);
        let group = |key: fn(&EvalProblem) -> Option<&String>| {
            let mut groups: BTreeMap<String, Vec<&EvalProblem>> = BTreeMap::new();
            for p in &all {
                groups
                    .entry(key(p).cloned().unwrap_or_else(|| "unknown".into()))
                    .or_default()
                    .push(p);
            }
            groups
                .into_iter()
                .map(|(k, v)| (k, Breakdown::of(&v)))
                .collect()
        };
        Self {
            pass_at_1: overall.pass_at_1.rate,
            pass_at_n: overall.pass_at_n.rate,
            count: all.len(),
            analysis_only,
            by_difficulty: group(|p| p.difficulty.as_ref()),
            by_source: group(|p| p.source.as_ref()),
            pass_at_1_interval: overall.pass_at_1,
            pass_at_n_interval: overall.pass_at_n,
        }
    }
}

impl Breakdown {
    fn of(problems: &[&EvalProblem]) -> Self {
        let n = problems.len();
        Self {
            pass_at_1: wilson(problems.iter().filter(|p| p.accepted()).count(), n),
            pass_at_n: wilson(
                problems.iter().filter(|p| p.any_candidate_accepted).count(),
                n,
            ),
        }
    }
}

impl EvalProblem {
    pub fn accepted(&self) -> bool {
        self.verdict.is_some_and(|v| v.is_accepted())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalReport {
    pub problems: BTreeMap<String, EvalProblem>,
    pub summary: EvalSummary,
}
