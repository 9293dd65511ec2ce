//! `trace.jsonl`: one line per sample and round of stage 1, the program and how it did on the
//! public tests.

use serde::Serialize;

use super::labels::RoundStatus;
use crate::program::Language;

/// One line of `trace.jsonl`: a sample's program at one round and how it did in public.
#[derive(Debug, Clone, Serialize)]
pub struct RoundRecord {
    pub sample: usize,
    pub round: usize,
    pub status: RoundStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The program's language (with `code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    pub public: Vec<PublicVerdict>,
    pub public_passed: usize,
    pub public_total: usize,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub cached: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The model's whole answer when no program could be taken from it (`no_code`,
    /// `truncated`), so the reason can be read rather than guessed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    /// The debug prompt sent after this round (its failing tests, expected and actual
    /// output), when another round followed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicVerdict {
    pub name: String,
    pub verdict: crate::Verdict,
}
