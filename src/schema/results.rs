//! `results.jsonl`: one line per finished problem.

use serde::{Deserialize, Serialize};

use super::format::Format;

/// `results.jsonl`'s current format (of each line). 1: before the field; 2: adds `format`, and
/// `selection_stopped` is one of three labels.
pub const RESULTS_FORMAT: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultStatus {
    Selected,
    NoCandidate,
    Error,
}

impl ResultStatus {
    /// The status as written in `results.jsonl`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Selected => "selected",
            Self::NoCandidate => "no_candidate",
            Self::Error => "error",
        }
    }
}

/// One line of `results.jsonl`: a finished problem.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProblemResult {
    #[serde(default = "Format::unrecorded")]
    pub format: Format<RESULTS_FORMAT>,
    pub id: String,
    pub status: ResultStatus,
    /// Whether the selected program passes every public test.
    pub public_passed: bool,
    pub samples: usize,
    /// Requests sent to the model over the network (an answer read from the cache is no call).
    pub llm_calls: u64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub seconds: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Selection method used.
    #[serde(default)]
    pub select: String,
    /// Programs that passed every public test.
    #[serde(default)]
    pub candidates: usize,
    /// Behaviour groups among them on synthesized inputs.
    #[serde(default)]
    pub groups: usize,
    /// Of `llm_calls`, those of stage 1 (generation and debugging) and stage 2 (selection).
    #[serde(default)]
    pub generation_calls: u64,
    #[serde(default)]
    pub selection_calls: u64,
    /// Model answers read from the run's cache instead of asked again.
    #[serde(default)]
    pub cached_answers: u64,
    /// Dollars, when every call's price was known.
    #[serde(default)]
    pub cost_usd: Option<f64>,
    /// Sandbox executions, and the wall time they took summed over workers.
    #[serde(default)]
    pub executions: u64,
    #[serde(default)]
    pub sandbox_seconds: f64,
    /// Difficulty and source from problem.toml, for breakdowns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Samples drawn (or candidates taken) of `samples`: fewer when adaptive sampling stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples_used: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling_stopped: Option<SamplingStop>,
    /// Why selection ran no more inputs, when it stopped before its ladder's end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection_stopped: Option<super::selection::LadderStop>,
    /// The budget that ran out for this problem, and before which stage's request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_exhausted: Option<Exhausted>,
    /// The selected program's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<crate::program::Language>,
}

/// Why a problem took no more samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SamplingStop {
    /// Fixed N: every sample was drawn.
    Fixed,
    /// One behaviour group leads clearly, or the samples left could not overtake it.
    Agreement,
    /// The cap (`--max-samples`, or the candidates given) was reached first.
    MaxSamples,
    /// A budget ran out.
    Budget,
    /// The model answered none of a wave's requests: the next wave would fare no better.
    ModelError,
}

impl SamplingStop {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Fixed => "fixed number of samples",
            Self::Agreement => "one behaviour group leads clearly",
            Self::MaxSamples => "reached the most samples allowed",
            Self::Budget => "a budget ran out",
            Self::ModelError => "the model answered none of a wave's requests",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    Usd,
    Tokens,
}

/// Whose limit: the problem's own, or its share of the run's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Problem,
    Run,
}

/// A budget that ran out for a problem: which, and the stage whose request it refused first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exhausted {
    pub unit: Unit,
    pub scope: Scope,
    /// `generate`, `debug`, `test-gen` or `judge`.
    pub stage: String,
}

impl Exhausted {
    /// The flag that set the limit, as the user typed it.
    pub fn flag(&self) -> &'static str {
        match (self.scope, self.unit) {
            (Scope::Problem, Unit::Usd) => "--budget-usd",
            (Scope::Problem, Unit::Tokens) => "--budget-tokens",
            (Scope::Run, Unit::Usd) => "--run-budget-usd",
            (Scope::Run, Unit::Tokens) => "--run-budget-tokens",
        }
    }
}

impl std::fmt::Display for Exhausted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let whose = match self.scope {
            Scope::Problem => "the problem's budget",
            Scope::Run => "its share of the run's budget",
        };
        write!(
            f,
            "{whose} ({}) ran out before a {} request",
            self.flag(),
            self.stage
        )
    }
}
