//! `trace.jsonl`: one line per sample and round of stage 1, the program and how it did on the
//! public tests.

use serde::{Deserialize, Serialize};

use super::format::Format;

use super::labels::RoundStatus;
use crate::program::Language;

/// `trace.jsonl`'s current format (of each line). 1: before the field; 2: adds `format`.
pub const TRACE_FORMAT: u32 = 2;

/// One line of `trace.jsonl`: a sample's program at one round and how it did in public.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundRecord {
    #[serde(default = "Format::unrecorded")]
    pub format: Format<TRACE_FORMAT>,
    pub sample: usize,
    pub round: usize,
    pub status: RoundStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The program's language (with `code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    #[serde(default)]
    pub public: Vec<PublicVerdict>,
    #[serde(default)]
    pub public_passed: usize,
    #[serde(default)]
    pub public_total: usize,
    #[serde(default)]
    pub prompt_tokens: u64,
    #[serde(default)]
    pub completion_tokens: u64,
    #[serde(default)]
    pub cached: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The model's whole answer when no program could be taken from it (`no_code`,
    /// `truncated`), so the reason can be read rather than guessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    /// The debug prompt sent after this round (its failing tests, expected and actual
    /// output), when another round followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicVerdict {
    pub name: String,
    pub verdict: crate::Verdict,
}
