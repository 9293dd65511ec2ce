//! Stage 1's record: one line of the problem's `trace.jsonl` per sample and round, queued for
//! the run's file thread.

use serde::Serialize;

use crate::judge::TestResult;
use crate::llm::Completion;
use crate::pipeline::context::Context;
use crate::problem::Problem;
use crate::program::{Language, Program};
use crate::store::{append_line, RoundStatus};

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

/// Queues a line for the problem's trace, written and synced on the run's file thread (a
/// failed write is logged: the run goes on).
pub(in crate::pipeline) fn record(ctx: &Context, problem: &Problem, line: RoundRecord) {
    let (path, id) = (ctx.run.trace(&problem.id), problem.id.clone());
    ctx.writer.queue(move || {
        if let Err(e) = append_line(&path, &line) {
            tracing::warn!("{id}: cannot write trace: {e}");
        }
    });
}

impl RoundRecord {
    pub(super) fn failed(
        sample: usize,
        round: usize,
        status: RoundStatus,
        error: Option<String>,
        answer: Option<&Completion>,
    ) -> Self {
        Self {
            sample,
            round,
            status,
            code: None,
            language: None,
            public: Vec::new(),
            public_passed: 0,
            public_total: 0,
            prompt_tokens: answer.map_or(0, |a| a.usage.prompt_tokens),
            completion_tokens: answer.map_or(0, |a| a.usage.completion_tokens),
            cached: answer.is_some_and(|a| a.cached),
            error,
            reply: answer.map(|a| a.text.clone()),
            feedback: None,
        }
    }

    /// A program judged on the public tests: [`RoundStatus::Program`] from the model,
    /// [`RoundStatus::Given`] from a file.
    pub(in crate::pipeline) fn program(
        sample: usize,
        round: usize,
        status: RoundStatus,
        program: &Program,
        results: &[TestResult],
        answer: Option<&Completion>,
    ) -> Self {
        Self {
            sample,
            round,
            status,
            code: Some(program.code.to_string()),
            language: Some(program.language),
            public: results
                .iter()
                .map(|r| PublicVerdict {
                    name: r.name.clone(),
                    verdict: r.verdict,
                })
                .collect(),
            public_passed: results.iter().filter(|r| r.verdict.is_accepted()).count(),
            public_total: results.len(),
            prompt_tokens: answer.map_or(0, |a| a.usage.prompt_tokens),
            completion_tokens: answer.map_or(0, |a| a.usage.completion_tokens),
            cached: answer.is_some_and(|a| a.cached),
            error: None,
            reply: None,
            feedback: None,
        }
    }
}
