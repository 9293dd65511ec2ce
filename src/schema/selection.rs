//! `selection.json`: how one problem's program was chosen, every candidate, input, group and
//! comparison on the way.

use serde::{Deserialize, Serialize};

use super::format::Format;

use super::labels::DecidedBy;
use crate::pipeline::SelectMethod;
use crate::program::Language;

/// `selection.json`.
/// `selection.json`'s current format. 1: before the field; 2: adds `format`.
pub const SELECTION_FORMAT: u32 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectionReport {
    #[serde(default = "Format::unrecorded")]
    pub format: Format<SELECTION_FORMAT>,
    pub method: SelectMethod,
    /// No model took part (offline or `--candidates` without one).
    #[serde(default)]
    pub model_free: bool,
    /// Uses hidden tests (`oracle`): never a fair result.
    #[serde(default)]
    pub analysis_only: bool,
    /// Every sample's final program (for pass@N).
    pub finals: Vec<FinalRecord>,
    /// Positions in `finals` of the programs that pass every public test.
    #[serde(default)]
    pub candidates: Vec<usize>,
    #[serde(default)]
    pub inputs: Vec<InputRecord>,
    /// Members are positions in `candidates`.
    #[serde(default)]
    pub groups: Vec<GroupRecord>,
    /// Samples left out of the groups: they failed on every synthesized input.
    #[serde(default)]
    pub always_failing: Vec<usize>,
    #[serde(default)]
    pub comparisons: Vec<Comparison>,
    /// The judge's votes in all, and how often its two orders disagreed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judge: Option<VoteSummary>,
    /// Inputs (positions in `inputs`) that tell groups apart: those the judge was shown, then
    /// those that split groups; each group's real output on them is in `groups[].outputs`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distinguishing: Vec<usize>,
    pub pick: Option<Pick>,
    /// How many inputs were synthesized, run and kept, and why running stopped early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_counts: Option<InputCounts>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub stopped: Option<LadderStop>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinalRecord {
    pub sample: usize,
    pub public_passed: usize,
    pub public_total: usize,
    pub code: String,
    #[serde(default)]
    pub language: Language,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputRecord {
    pub source: Source,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    pub bytes: usize,
    pub preview: String,
    /// The whole input, relative to the problem's run directory (`inputs/K.in`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Dropped because no candidate answered it or most crashed on it (likely invalid).
    #[serde(default = "kept_by_default")]
    pub kept: bool,
    /// The rule that made a model-free structured input (`size-max`, `arg0-empty`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Behaviour classes this input split off from those the inputs before it left.
    #[serde(default)]
    pub splits: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRecord {
    pub samples: Vec<usize>,
    #[serde(default)]
    pub wins: usize,
    /// Given expected outputs (`--inputs`) this group reproduces, when any were given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreements: Option<usize>,
    /// Model-free: candidates agreeing with this group's answers, summed over kept inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<usize>,
    /// The group's real output (or failure) on each `distinguishing` input, as a judge sees it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    /// Position in `finals`.
    pub final_index: usize,
    pub sample: usize,
    pub reason: String,
}

/// One pair's result, as `selection.json` records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub a: usize,
    pub b: usize,
    /// Index of the synthesized input shown first (none for code-only judging).
    pub input: Option<usize>,
    /// The first round's answers: asked as (A, B), then swapped (B shown as A).
    pub answers: [Option<char>; 2],
    /// Every answer, in the order asked (two per round; empty when nobody was asked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub votes: Vec<Vote>,
    pub winner: Option<usize>,
    pub decided_by: DecidedBy,
}

/// One answer of the judge about a pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

impl FinalRecord {
    /// The program this record holds.
    pub fn program(&self) -> crate::program::Program {
        crate::program::Program::new(self.language, self.code.as_str())
    }
}

impl Source {
    /// The source as `selection.json` names it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Model => "model",
            Self::Generator => "generator",
            Self::Mutation => "mutation",
            Self::Stress => "stress",
            Self::Given => "given",
            Self::Edge => "edge",
            Self::Rewrite => "rewrite",
            Self::Structure => "structure",
            Self::Typed => "typed",
        }
    }
}

/// Runs older than `kept` recorded the kept inputs only.
fn kept_by_default() -> bool {
    true
}

/// Why selection ran no more inputs before its ladder's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LadderStop {
    /// The problem's executions ran out.
    #[serde(rename = "execution budget")]
    ExecutionBudget,
    /// Every candidate behaved alike on every input so far.
    #[serde(rename = "every program agrees")]
    EveryProgramAgrees,
    /// The last rungs split no group.
    #[serde(rename = "groups stopped splitting")]
    GroupsStoppedSplitting,
}

impl std::fmt::Display for LadderStop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::ExecutionBudget => "execution budget",
            Self::EveryProgramAgrees => "every program agrees",
            Self::GroupsStoppedSplitting => "groups stopped splitting",
        })
    }
}
