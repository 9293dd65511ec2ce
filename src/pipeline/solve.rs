//! One problem end to end: stage 1 (or given candidates), stage 2, and its files in the run
//! directory. Any failure becomes an `error` result; the run goes on.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use futures::future::join_all;

use super::adaptive::{self, Sampled, SamplingStop};
use super::budget::Spent;
use super::context::{Context, Counters};
use super::generate::{generate_and_debug, record, run_public, FinalProgram, RoundRecord};
use super::select::select;
use crate::judge::JudgeError;
use crate::llm::Role;
use crate::problem::Problem;
use crate::program::{Language, Program};
use crate::schema::{ProblemResult, ResultStatus, RoundStatus, SelectionReport};
use crate::store::{pretty_json, write_atomic};

/// A finished problem: its result, and the program its `solution.*` file now holds.
pub struct Solved {
    pub result: ProblemResult,
    /// The selected program; `None` when none was selected.
    pub solution: Option<Program>,
}

/// Solves `problem`; `given` replaces generation with these programs (`--candidates`).
pub async fn solve_problem(
    ctx: &Context,
    problem: Arc<Problem>,
    given: Option<Vec<Program>>,
) -> Solved {
    let started = Instant::now();
    let counter = Counters::default();
    let samples = ctx.settings.available(given.as_ref().map(Vec::len));
    // A previous, interrupted attempt may have left a partial trace: start it afresh. Queued
    // ahead of this attempt's trace lines and inputs, so done before them.
    let (trace, inputs) = (ctx.run.trace(&problem.id), ctx.run.inputs_dir(&problem.id));
    ctx.writer.queue(move || {
        let _ = std::fs::remove_file(trace);
        let _ = std::fs::remove_dir_all(inputs);
    });
    let outcome = run_stages(ctx, &problem, given, &counter).await;
    // Nothing asks about this problem's programs again: their observations go.
    ctx.executor.forget(&problem.id);
    let mut result = ProblemResult {
        format: Default::default(),
        id: problem.id.clone(),
        status: ResultStatus::NoCandidate,
        public_passed: false,
        samples,
        llm_calls: 0,
        prompt_tokens: 0,
        completion_tokens: 0,
        seconds: 0.0,
        error: None,
        select: ctx.settings.select.name().to_owned(),
        candidates: 0,
        groups: 0,
        generation_calls: 0,
        selection_calls: 0,
        cached_answers: 0,
        cost_usd: None,
        executions: 0,
        sandbox_seconds: 0.0,
        difficulty: problem.metadata.difficulty.clone(),
        source: problem.metadata.source.clone(),
        samples_used: None,
        sampling_stopped: None,
        selection_stopped: None,
        budget_exhausted: None,
        language: None,
    };
    if let Some(llm) = &ctx.llm {
        // One meaning of "call" everywhere: a request sent to the model over the network.
        let ledger = llm.ledger();
        let calls = |roles: &[Role]| ledger.problem_role_totals(&problem.id, roles).calls;
        result.generation_calls = calls(&[Role::Generate, Role::Debug]);
        result.selection_calls = calls(&[Role::Judge, Role::TestGen]);
        let totals = ledger.problem_totals(&problem.id);
        result.llm_calls = totals.calls;
        result.cached_answers = totals.cache_hits;
        result.prompt_tokens = totals.usage.prompt_tokens + totals.cached_usage.prompt_tokens;
        result.completion_tokens =
            totals.usage.completion_tokens + totals.cached_usage.completion_tokens;
        result.cost_usd = totals.cost_usd;
        ctx.budget.finished(Spent::of(&totals));
    }
    let outcome = match outcome {
        Ok((sampled, report)) => {
            result.samples_used = Some(sampled.used);
            result.sampling_stopped = Some(sampled.stopped);
            result.selection_stopped = report.input_counts.as_ref().and_then(|c| c.stopped);
            write_files(ctx, &problem, &report).await.map(|()| report)
        }
        Err(error) => Err(error),
    };
    let mut solution = None;
    match outcome {
        Ok(report)
            if report.finals.is_empty()
                && counter.answers.load(Ordering::Relaxed) == 0
                && counter.failures.load(Ordering::Relaxed) > 0 =>
        {
            let last = counter
                .last_failure
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone()
                .unwrap_or_default();
            result.status = ResultStatus::Error;
            result.error = Some(format!("every model call failed; last: {last}"));
        }
        Ok(report) => {
            result.candidates = report.candidates.len();
            result.groups = report.groups.len();
            if let Some(pick) = &report.pick {
                result.status = ResultStatus::Selected;
                let chosen = &report.finals[pick.final_index];
                result.public_passed = chosen.public_passed == chosen.public_total;
                result.language = Some(chosen.language);
                solution = Some(Program::new(chosen.language, chosen.code.as_str()));
            }
        }
        Err(error) => {
            result.status = ResultStatus::Error;
            result.error = Some(error.to_string());
        }
    }
    result.budget_exhausted = counter.exhausted();
    result.executions = counter.executions.load(Ordering::Relaxed);
    result.sandbox_seconds = counter.busy_micros.load(Ordering::Relaxed) as f64 / 1e6;
    result.seconds = started.elapsed().as_secs_f64();
    Solved { result, solution }
}

#[derive(Debug, thiserror::Error)]
enum SolveError {
    #[error(transparent)]
    Judge(#[from] JudgeError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// Stage 1 (all N samples, or adaptive waves), then stage 2 on what it drew.
async fn run_stages(
    ctx: &Context,
    problem: &Arc<Problem>,
    given: Option<Vec<Program>>,
    counter: &Counters,
) -> Result<(Sampled, SelectionReport), SolveError> {
    let settings = &ctx.settings;
    let mut sampled = if settings.adaptive {
        let available = settings.available(given.as_ref().map(Vec::len));
        let cap = settings
            .max_samples
            .map_or(available, |cap| cap.min(available));
        adaptive::sample(ctx, problem, given, cap, counter).await?
    } else {
        let (finals, used) = match given {
            Some(programs) => (
                judge_given(ctx, problem, &programs, 0, counter).await?,
                programs.len(),
            ),
            None => (
                generate_and_debug(ctx, problem, 0..settings.samples, counter)
                    .await?
                    .into_iter()
                    .flatten()
                    .collect(),
                settings.samples,
            ),
        };
        Sampled {
            finals,
            used,
            stopped: SamplingStop::Fixed,
            inputs: None,
        }
    };
    let finals = std::mem::take(&mut sampled.finals);
    let inputs = sampled.inputs.take();
    let report = select(ctx, problem, finals, inputs, counter).await?;
    Ok((sampled, report))
}

/// Given programs go straight to the public tests, recorded in the trace as round 0;
/// `programs[0]` is sample `first`.
pub(super) async fn judge_given(
    ctx: &Context,
    problem: &Arc<Problem>,
    programs: &[Program],
    first: usize,
    counter: &Counters,
) -> Result<Vec<FinalProgram>, JudgeError> {
    let runs = programs.iter().enumerate().map(|(k, program)| async move {
        let sample = first + k;
        let results = run_public(ctx, problem, program, counter).await?;
        let passed = results.iter().filter(|r| r.verdict.is_accepted()).count();
        record(
            ctx,
            problem,
            RoundRecord::program(sample, 0, RoundStatus::Given, program, &results, None),
        );
        Ok(FinalProgram {
            sample,
            program: program.clone(),
            public_passed: passed,
            public_total: results.len(),
        })
    });
    join_all(runs).await.into_iter().collect()
}

/// Writes `selection.json` and `solution.py` (or `.cpp`) on the run's file thread (synced, as
/// ever); a solution left in the other language by an earlier attempt goes.
async fn write_files(
    ctx: &Context,
    problem: &Problem,
    report: &SelectionReport,
) -> Result<(), SolveError> {
    let failed = |path: &std::path::Path| {
        let path = path.display().to_string();
        move |source| SolveError::Write { path, source }
    };
    let selection = ctx.run.selection(&problem.id);
    let bytes = pretty_json(report).map_err(failed(&selection))?;
    let path = selection.clone();
    ctx.writer
        .run(move || write_atomic(&path, &bytes))
        .await
        .map_err(failed(&selection))?;
    let chosen = report
        .pick
        .as_ref()
        .map(|pick| &report.finals[pick.final_index]);
    let stale: Vec<_> = [Language::Python, Language::Cpp]
        .into_iter()
        .filter(|&language| chosen.map(|c| c.language) != Some(language))
        .map(|language| ctx.run.solution(&problem.id, language))
        .collect();
    ctx.writer.queue(move || {
        for path in stale {
            let _ = std::fs::remove_file(path);
        }
    });
    if let Some(chosen) = chosen {
        let solution = ctx.run.solution(&problem.id, chosen.language);
        let (path, code) = (solution.clone(), chosen.code.clone());
        ctx.writer
            .run(move || write_atomic(&path, code.as_bytes()))
            .await
            .map_err(failed(&solution))?;
    }
    Ok(())
}
