//! A whole set: skip what a previous run finished, solve the rest a few problems at a time,
//! record each result the moment it is done, and keep `submission.json` current.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use futures::stream::{self, StreamExt};

use super::candidates::Candidates;
use super::context::Context;
use super::solve::{solve_problem, Solved};
use super::submission::Submission;
use crate::io_error::IoError;
use crate::problem::Problem;
use crate::schema::{ProblemResult, ResultStatus};
use crate::store::{append_line, write_atomic};

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
    #[error(transparent)]
    Io(#[from] IoError),
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
        move |source| RunError::Io(IoError::new(path, source))
    };
    // Every file of the run is read and written on its file thread, never on an async one.
    let run = ctx.run.clone();
    let mut results = ctx
        .writer
        .run(move || run.finished())
        .await
        .map_err(io(&ctx.run.results()))?;
    // A problem that ended in `error` (model down, sandbox failure) is tried again on resume.
    let finished = |r: &ProblemResult| r.status != ResultStatus::Error;
    let todo: Vec<Arc<Problem>> = problems
        .into_iter()
        .filter(|p| !results.get(&p.id).is_some_and(finished))
        .collect();
    let already = results.values().filter(|r| finished(r)).count();
    reporter.start(todo.len(), already);
    ctx.budget.start(todo.len());
    // Solutions are read once, here; then each finished problem adds its own from memory.
    // Written at once: a run stopped between a results line and its submission rewrite (a
    // kill, or Ctrl-C between the two writes) gets its submission whole on resume.
    let (run, seen, set) = (ctx.run.clone(), results.clone(), set_dir.to_path_buf());
    let mut submission = ctx
        .writer
        .run(move || {
            let submission = Submission::from_disk(&run, &seen, &set);
            write_atomic(&run.submission(), &submission.to_json()?)?;
            Ok(submission)
        })
        .await
        .map_err(io(&ctx.run.submission()))?;
    if todo.is_empty() {
        return Ok(results);
    }
    let work = todo.into_iter().map(|problem| {
        let programs = given
            .as_mut()
            .map(|g| g.remove(&problem.id).unwrap_or_default());
        async move { solve_problem(ctx, problem, programs).await }
    });
    let mut finished = stream::iter(work).buffer_unordered(ctx.settings.problem_concurrency.max(1));
    loop {
        let Solved { result, solution } = tokio::select! {
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
        // Queued after the problem's own files, so they are on disk before it counts as done.
        let (path, line) = (ctx.run.results(), result.clone());
        ctx.writer
            .run(move || append_line(&path, &line))
            .await
            .map_err(io(&ctx.run.results()))?;
        reporter.finished(&result);
        submission.add(&result, solution.as_ref());
        results.insert(result.id.clone(), result);
        let path = ctx.run.submission();
        submission = ctx
            .writer
            .run(move || write_atomic(&path, &submission.to_json()?).map(|()| submission))
            .await
            .map_err(io(&ctx.run.submission()))?;
    }
    Ok(results)
}
