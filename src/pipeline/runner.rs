//! A whole set: skip what a previous run finished, solve the rest a few problems at a time,
//! record each result the moment it is done, and keep `submission.json` current.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use futures::stream::{self, StreamExt};
use serde::Serialize;

use super::candidates::Candidates;
use super::context::Context;
use super::solve::solve_problem;
use crate::problem::Problem;
use crate::store::{append_line, write_json_atomic, ProblemResult, ResultStatus, RunDir};

/// What the caller hears as the run goes (the library never prints).
pub trait Reporter: Send + Sync {
    /// Before any work: how many problems are to do and how many were already finished.
    fn start(&self, todo: usize, already_done: usize);
    /// A problem finished.
    fn finished(&self, result: &ProblemResult);
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The endpoint refused the key or does not know the model: every call would fail alike.
    #[error("the model endpoint refuses every call: {0}")]
    Halted(crate::llm::LlmError),
    #[error("{}: {source}", path.display())]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// Solves every problem not yet finished in the run directory. Returns all results (old and new).
pub async fn run_set(
    ctx: &Context,
    problems: Vec<Arc<Problem>>,
    mut given: Option<Candidates>,
    set_dir: &Path,
    reporter: &dyn Reporter,
) -> Result<BTreeMap<String, ProblemResult>, RunError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| RunError::Io { path, source }
    };
    let mut results = ctx.run.finished().map_err(io(&ctx.run.results()))?;
    // A problem that ended in `error` (model down, sandbox failure) is tried again on resume.
    let finished = |r: &ProblemResult| r.status != ResultStatus::Error;
    let todo: Vec<Arc<Problem>> = problems
        .into_iter()
        .filter(|p| !results.get(&p.id).is_some_and(finished))
        .collect();
    let already = results.values().filter(|r| finished(r)).count();
    reporter.start(todo.len(), already);
    let work = todo.into_iter().map(|problem| {
        let programs = given
            .as_mut()
            .map(|g| g.remove(&problem.id).unwrap_or_default());
        async move { solve_problem(ctx, problem, programs).await }
    });
    let mut finished = stream::iter(work).buffer_unordered(ctx.settings.problem_concurrency.max(1));
    loop {
        let result = tokio::select! {
            biased;
            error = ctx.halt.tripped() => return Err(RunError::Halted(error.clone())),
            next = finished.next() => match next {
                Some(result) => result,
                None => break,
            },
        };
        // A problem that ended because the endpoint refused it is not a result: resume redoes it.
        if let Some(error) = ctx.halt.error() {
            return Err(RunError::Halted(error.clone()));
        }
        append_line(&ctx.run.results(), &result).map_err(io(&ctx.run.results()))?;
        reporter.finished(&result);
        results.insert(result.id.clone(), result);
        write_submission(&ctx.run, &results, set_dir).map_err(io(&ctx.run.submission()))?;
    }
    Ok(results)
}

#[derive(Serialize)]
struct SubmissionEntry {
    question_id: String,
    code_list: Vec<String>,
}

/// `submission.json` in LiveCodeBench's custom-evaluator format; ids mapped back to the
/// benchmark's own through `<set>/ids.json` when the importer wrote one.
pub fn write_submission(
    run: &RunDir,
    results: &BTreeMap<String, ProblemResult>,
    set_dir: &Path,
) -> std::io::Result<()> {
    // An unreadable ids.json maps nothing (the importer reports it when it writes one).
    let ids: BTreeMap<String, String> = crate::problem::read_ids(set_dir).unwrap_or_default();
    let mut entries = Vec::new();
    // One entry per finished problem (an empty program where none was selected): LCB's
    // evaluator expects every problem of the benchmark to be present.
    for result in results.values() {
        let code = match result.status {
            ResultStatus::Selected => {
                std::fs::read_to_string(run.solution(&result.id)).unwrap_or_default()
            }
            ResultStatus::NoCandidate | ResultStatus::Error => String::new(),
        };
        let question_id = ids
            .get(&result.id)
            .cloned()
            .unwrap_or_else(|| result.id.clone());
        entries.push(SubmissionEntry {
            question_id,
            code_list: vec![code],
        });
    }
    write_json_atomic(&run.submission(), &entries)
}
