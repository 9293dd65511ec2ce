//! The shape of `eval.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalReport {
    pub problems: BTreeMap<String, EvalProblem>,
    pub summary: EvalSummary,
}
