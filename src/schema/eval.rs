//! The shape of `eval.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::eval::{wilson, PairedDifference, Rate};
use crate::verdict::Verdict;

use super::format::Format;

/// `eval.json`'s current format. 1: before the field; 2: adds `format`.
pub const EVAL_FORMAT: u32 = 2;

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
    /// `--select random` runs: the chance a uniform draw among the public-passing candidates
    /// is accepted (the exact expectation beside the one draw in `verdict`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_expectation: Option<f64>,
    /// Final-round programs (one per sample that wrote one) and how many of them the hidden
    /// tests accept: the k/N behind pass@N (absent in runs evaluated before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finals: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finals_accepted: Option<usize>,
}

/// Random selection's expected score over the problems that report one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Expectation {
    /// Expected problems solved.
    pub expected: f64,
    /// Expected pass@1.
    pub rate: f64,
    pub count: usize,
}

/// Why a problem of the run's scope has no score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotScoredReason {
    /// `solve` recorded `status: "error"` (e.g. every model call failed): rerun solve.
    Errored,
    /// No line in results.jsonl: solve was interrupted, is running, or a shard is missing.
    Unfinished,
    /// The problem directory does not load (the loader's reason is in `detail`).
    Malformed,
    /// The problem has no hidden tests to score against.
    NoHiddenTests,
    /// The sandbox failed a run twice (a worker lost, a setup failure): no verdict to score;
    /// the next `eval` runs it again.
    InternalError,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotScored {
    pub reason: NotScoredReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// How the run selected its programs, as eval reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionInfo {
    /// `--select` (`None`: the run did not record it).
    pub method: Option<String>,
    /// No model was asked: inputs from the problem's structure, scoring by agreement.
    pub model_free: bool,
    /// The selection used hidden tests (`--select oracle`): not a fair score.
    pub analysis_only: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalSummary {
    /// Over the `count` scored problems; `null` when none was scored (not a 0% result).
    pub pass_at_1: Option<f64>,
    pub pass_at_n: Option<f64>,
    /// Scored problems: the denominator of pass@1 and pass@N.
    pub count: usize,
    /// The selection used hidden tests (`--select oracle`): not a fair score.
    #[serde(default)]
    pub analysis_only: bool,
    #[serde(default)]
    pub selection: SelectionInfo,
    /// Problems in the run's scope, and what became of each (they sum to `total`).
    #[serde(default)]
    pub total: usize,
    #[serde(default)]
    pub accepted: usize,
    #[serde(default)]
    pub wrong: usize,
    #[serde(default)]
    pub no_candidate: usize,
    #[serde(default)]
    pub errored: usize,
    #[serde(default)]
    pub unfinished: usize,
    #[serde(default)]
    pub malformed: usize,
    #[serde(default)]
    pub no_hidden_tests: usize,
    /// Problems whose runs the sandbox failed twice (`eval` again to retry).
    #[serde(default)]
    pub internal_error: usize,
    /// Every problem of the scope was scored: pass@1 is the run's score, not a partial one.
    #[serde(default)]
    pub complete: bool,
    /// pass@1 and pass@N with 95% Wilson intervals.
    pub pass_at_1_interval: Rate,
    pub pass_at_n_interval: Rate,
    /// The same, per `difficulty` and per `source` (the platform, for LiveCodeBench).
    pub by_difficulty: BTreeMap<String, Breakdown>,
    pub by_source: BTreeMap<String, Breakdown>,
    /// `--select random` runs: the draw's exact expectation (see `EvalProblem`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_expectation: Option<Expectation>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Breakdown {
    pub pass_at_1: Rate,
    pub pass_at_n: Rate,
}

impl EvalSummary {
    /// Summary statistics of the scored problems, and counts of the rest.
    pub fn of(
        problems: &BTreeMap<String, EvalProblem>,
        not_scored: &BTreeMap<String, NotScored>,
        selection: SelectionInfo,
    ) -> Self {
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
        let not =
            |reason: NotScoredReason| not_scored.values().filter(|n| n.reason == reason).count();
        let accepted = all.iter().filter(|p| p.accepted()).count();
        let no_candidate = all.iter().filter(|p| p.verdict.is_none()).count();
        let expected: Vec<f64> = all.iter().filter_map(|p| p.random_expectation).collect();
        let random_expectation = (!expected.is_empty() && expected.len() == all.len()).then(|| {
            let sum: f64 = expected.iter().sum();
            Expectation {
                expected: sum,
                rate: sum / all.len() as f64,
                count: all.len(),
            }
        });
        Self {
            random_expectation,
            pass_at_1: (!all.is_empty()).then_some(overall.pass_at_1.rate),
            pass_at_n: (!all.is_empty()).then_some(overall.pass_at_n.rate),
            count: all.len(),
            analysis_only: selection.analysis_only,
            selection,
            total: all.len() + not_scored.len(),
            accepted,
            wrong: all.len() - accepted - no_candidate,
            no_candidate,
            errored: not(NotScoredReason::Errored),
            unfinished: not(NotScoredReason::Unfinished),
            malformed: not(NotScoredReason::Malformed),
            no_hidden_tests: not(NotScoredReason::NoHiddenTests),
            internal_error: not(NotScoredReason::InternalError),
            complete: not_scored.is_empty() && !all.is_empty(),
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
    #[serde(default = "Format::unrecorded")]
    pub format: Format<EVAL_FORMAT>,
    /// Scored problems.
    pub problems: BTreeMap<String, EvalProblem>,
    pub summary: EvalSummary,
    /// Problems of the run's scope with no score, and why (left out of pass@1's denominator).
    #[serde(default)]
    pub not_scored: BTreeMap<String, NotScored>,
    /// Runs this one was compared with (`eval --against`), so a report can put them side by
    /// side; one entry per other run, the latest comparison.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub against: Vec<AgainstRecord>,
}

/// One `eval --against RUN_B`: the other run's pass@1 and the paired difference.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgainstRecord {
    /// RUN_B as typed.
    pub run: String,
    /// RUN_B's `--select` and whether it was model-free or the oracle's.
    pub selection: SelectionInfo,
    /// RUN_B's pass@1 over its scored problems.
    pub pass_at_1: Rate,
    /// This run's pass@1 minus RUN_B's, over the problems both scored.
    pub difference: PairedDifference,
    /// Problems scored in only one of the two runs (left out of the difference).
    #[serde(default)]
    pub only_in_this: Vec<String>,
    #[serde(default)]
    pub only_in_other: Vec<String>,
}
