//! `selection.json`: how one problem's program was chosen, every candidate, input, group and
//! comparison on the way.

use serde::Serialize;

use super::labels::DecidedBy;
use crate::pipeline::SelectMethod;
use crate::program::Language;

/// `selection.json`.
#[derive(Debug, Clone, Serialize)]
pub struct SelectionReport {
    pub method: SelectMethod,
    /// No model took part (offline or `--candidates` without one).
    pub model_free: bool,
    /// Uses hidden tests (`oracle`): never a fair result.
    pub analysis_only: bool,
    /// Every sample's final program (for pass@N).
    pub finals: Vec<FinalRecord>,
    /// Positions in `finals` of the programs that pass every public test.
    pub candidates: Vec<usize>,
    pub inputs: Vec<InputRecord>,
    /// Members are positions in `candidates`.
    pub groups: Vec<GroupRecord>,
    /// Samples left out of the groups: they failed on every synthesized input.
    pub always_failing: Vec<usize>,
    pub comparisons: Vec<Comparison>,
    /// The judge's votes in all, and how often its two orders disagreed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judge: Option<VoteSummary>,
    /// Inputs (positions in `inputs`) that tell groups apart: those the judge was shown, then
    /// those that split groups; each group's real output on them is in `groups[].outputs`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub distinguishing: Vec<usize>,
    pub pick: Option<Pick>,
    /// How many inputs were synthesized, run and kept, and why running stopped early.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_counts: Option<InputCounts>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputCounts {
    /// Synthesized, all sources (`inputs` lists the ones run).
    pub generated: usize,
    pub run: usize,
    pub kept: usize,
    /// Executions of candidates on synthesized inputs (cached ones included).
    pub executions: usize,
    /// Executions per problem past which the size ladder stops.
    pub budget: usize,
    /// Why the ladder stopped before its end (`groups stopped splitting`, `execution budget`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FinalRecord {
    pub sample: usize,
    pub public_passed: usize,
    pub public_total: usize,
    pub code: String,
    pub language: Language,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputRecord {
    pub source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    pub bytes: usize,
    pub preview: String,
    /// The whole input, relative to the problem's run directory (`inputs/K.in`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Dropped because no candidate answered it or most crashed on it (likely invalid).
    pub kept: bool,
    /// The rule that made a model-free structured input (`size-max`, `arg0-empty`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Behaviour classes this input split off from those the inputs before it left.
    pub splits: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupRecord {
    pub samples: Vec<usize>,
    pub wins: usize,
    /// Given expected outputs (`--inputs`) this group reproduces, when any were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreements: Option<usize>,
    /// Model-free: candidates agreeing with this group's answers, summed over kept inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<usize>,
    /// The group's real output (or failure) on each `distinguishing` input, as a judge sees it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pick {
    /// Position in `finals`.
    pub final_index: usize,
    pub sample: usize,
    pub reason: String,
}

/// One pair's result, as `selection.json` records it.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub a: usize,
    pub b: usize,
    /// Index of the synthesized input shown first (none for code-only judging).
    pub input: Option<usize>,
    /// The first round's answers: asked as (A, B), then swapped (B shown as A).
    pub answers: [Option<char>; 2],
    /// Every answer, in the order asked (two per round; empty when nobody was asked).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub votes: Vec<Vote>,
    pub winner: Option<usize>,
    pub decided_by: DecidedBy,
}

/// One answer of the judge about a pair.
#[derive(Debug, Clone, Serialize)]
pub struct Vote {
    pub round: usize,
    /// The input both outputs were shown on (none for code-only judging).
    pub input: Option<usize>,
    /// Asked with group `b` shown as A.
    pub swapped: bool,
    /// The letter answered, if any.
    pub answer: Option<char>,
    /// The group that letter stands for.
    pub group: Option<usize>,
}

/// The judge's votes over one problem's pairs, and how often its two orders disagreed.
#[derive(Debug, Clone, Serialize)]
pub struct VoteSummary {
    /// Pairs the judge was asked about.
    pub pairs: usize,
    pub rounds: usize,
    /// Answers that named a program.
    pub votes: usize,
    /// Rounds whose two orders named different groups (or only one answered).
    pub split_rounds: usize,
    /// `split_rounds / rounds`: about 2p(1-p) for a judge whose answers flip at rate p.
    pub flip_rate: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Written directly by the model.
    Model,
    /// Printed by the model's generator program for one seed.
    Generator,
    /// A seeded mutation of a public input (no model).
    Mutation,
    /// Printed by the model's largest-size generator.
    Stress,
    /// Given by the user (`--inputs`).
    Given,
    /// Model-free edge values and sizes from the problem's structure (`synth`).
    Edge,
    /// A public input's repeated rows reordered (`synth`).
    Rewrite,
    /// Model-free random stdio input of the inferred shape, on a ladder of sizes (`synth`).
    Structure,
    /// Model-free random function arguments by type (`synth`).
    Typed,
}
