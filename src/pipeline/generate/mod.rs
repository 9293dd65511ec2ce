//! Stage 1: N samples in parallel, each debugged against the public tests for up to R rounds.

use std::ops::Range;
use std::sync::Arc;

use futures::future::join_all;

use crate::judge::{JudgeError, TestResult};
use crate::llm::{extract_program_in, Completion, CompletionRequest, LlmError, Message, Role};
use crate::pipeline::context::{Context, Counters};
use crate::pipeline::prompts;
use crate::problem::Problem;
use crate::program::Program;
use crate::schema::RoundStatus;

mod trace;

pub use crate::schema::RoundRecord;
pub(super) use trace::record;

/// A sample's last good program and its public results.
#[derive(Debug, Clone)]
pub struct FinalProgram {
    pub sample: usize,
    pub program: Program,
    pub public_passed: usize,
    pub public_total: usize,
}

impl FinalProgram {
    pub fn passes_public(&self) -> bool {
        self.public_passed == self.public_total
    }
}

/// Runs stage 1 for one problem's `samples` (a wave of them, or all N); returns each
/// sample's final program (if it ever had one).
pub async fn generate_and_debug(
    ctx: &Context,
    problem: &Arc<Problem>,
    samples: Range<usize>,
    counter: &Counters,
) -> Result<Vec<Option<FinalProgram>>, JudgeError> {
    let messages = prompts::generation(problem, ctx.settings.language_for(problem));
    let request = CompletionRequest::new(Role::Generate, &problem.id, messages.clone())
        .stage("generate")
        .first_sample(samples.start as u32)
        .samples(samples.len() as u32);
    let answers = ctx.ask(request, counter).await;
    let samples = answers.into_iter().zip(samples).map(|(answer, sample)| {
        debug_sample(ctx, problem, counter, sample, messages.clone(), answer)
    });
    join_all(samples).await.into_iter().collect()
}

async fn debug_sample(
    ctx: &Context,
    problem: &Arc<Problem>,
    counter: &Counters,
    sample: usize,
    mut messages: Vec<Message>,
    mut answer: Result<Completion, LlmError>,
) -> Result<Option<FinalProgram>, JudgeError> {
    let mut last_good: Option<FinalProgram> = None;
    for round in 0..=ctx.settings.rounds {
        let completion = match answer {
            Ok(completion) => completion,
            Err(error) => {
                record(
                    ctx,
                    problem,
                    RoundRecord::failed(
                        sample,
                        round,
                        RoundStatus::ModelError,
                        Some(error.to_string()),
                        None,
                    ),
                );
                break;
            }
        };
        let taken = extract_program_in(&completion.text, |l| {
            ctx.settings.language_for(problem).accepts(l)
        });
        let Some((language, code)) = taken else {
            let status = if completion.truncated() {
                RoundStatus::Truncated
            } else {
                RoundStatus::NoCode
            };
            record(
                ctx,
                problem,
                RoundRecord::failed(sample, round, status, None, Some(&completion)),
            );
            break;
        };
        let program = Program::new(language, code);
        let results = run_public(ctx, problem, &program, counter).await?;
        let passed = results.iter().filter(|r| r.verdict.is_accepted()).count();
        let done = passed == results.len() || round == ctx.settings.rounds;
        // Made before the round is recorded, so the trace shows what the model was told.
        let feedback = (!done).then(|| {
            let failures: Vec<_> = problem
                .public
                .iter()
                .zip(&results)
                .filter(|(_, r)| !r.verdict.is_accepted())
                .collect();
            let choice = ctx.settings.language_for(problem);
            prompts::debug_feedback(problem, choice, &program, &failures, results.len())
        });
        let mut line = RoundRecord::program(
            sample,
            round,
            RoundStatus::Program,
            &program,
            &results,
            Some(&completion),
        );
        line.feedback = feedback.as_ref().map(|m| m.content.clone());
        record(ctx, problem, line);
        last_good = Some(FinalProgram {
            sample,
            program: program.clone(),
            public_passed: passed,
            public_total: results.len(),
        });
        let Some(feedback) = feedback else {
            break;
        };
        messages.push(Message::assistant(completion.text.clone()));
        messages.push(feedback);
        let request = CompletionRequest::new(Role::Debug, &problem.id, messages.clone())
            .stage("debug")
            .first_sample(sample as u32);
        answer = match ctx.ask(request, counter).await.into_iter().next() {
            Some(answer) => answer,
            None => break,
        };
    }
    Ok(last_good)
}

/// Every public test (not stopping at the first failure: the debug prompt shows them all).
pub async fn run_public(
    ctx: &Context,
    problem: &Arc<Problem>,
    program: &Program,
    counters: &Counters,
) -> Result<Vec<TestResult>, JudgeError> {
    join_all(
        problem
            .public
            .iter()
            .map(|test| ctx.executor.judge(problem, program, test, counters)),
    )
    .await
    .into_iter()
    .collect()
}
