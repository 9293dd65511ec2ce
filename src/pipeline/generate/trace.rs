//! Stage 1's record: one line of the problem's `trace.jsonl` per sample and round, queued for
//! the run's file thread.

use crate::judge::TestResult;
use crate::llm::Completion;
use crate::pipeline::context::Context;
use crate::problem::Problem;
use crate::program::Program;
use crate::schema::{Format, PublicVerdict, RoundRecord, RoundStatus};
use crate::store::append_line;

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
    /// A round with no program: the model's answer, if any, kept whole as `reply`.
    pub(super) fn failed(
        sample: usize,
        round: usize,
        status: RoundStatus,
        error: Option<String>,
        answer: Option<&Completion>,
    ) -> Self {
        Self {
            error,
            reply: answer.map(|a| a.text.clone()),
            ..Self::answered(sample, round, status, answer)
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
            ..Self::answered(sample, round, status, answer)
        }
    }

    /// What every round records: which it is, and its answer's share of tokens.
    fn answered(
        sample: usize,
        round: usize,
        status: RoundStatus,
        answer: Option<&Completion>,
    ) -> Self {
        Self {
            format: Format::current(),
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
            error: None,
            reply: None,
            feedback: None,
        }
    }
}
