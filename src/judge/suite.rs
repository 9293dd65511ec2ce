//! A program on many tests: in parallel on the executor, in name order, stopping at the first
//! failure unless asked to run everything.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures::stream::{self, StreamExt};
use serde::Serialize;

use super::{job_for, judge_test, JudgeError, TestResult};
use crate::exec::Executor;
use crate::problem::{Problem, TestCase, TestSelection};
use crate::program::Program;
use crate::verdict::Verdict;

#[derive(Debug, Clone, Copy, Default)]
pub struct JudgeOptions {
    pub tests: TestSelection,
    /// Run every test even after one fails.
    pub all_tests: bool,
}

/// `sstar judge --json`'s object.
#[derive(Debug, Clone, Serialize)]
pub struct JudgeReport {
    pub problem: String,
    pub verdict: Verdict,
    pub passed: usize,
    pub total: usize,
    pub tests: Vec<TestResult>,
}

/// Judges `code` on the selected tests. `progress(done, total)` is called as tests finish.
/// Tests start in name order, as many at once as the executor has workers; after a failure
/// no later test starts (unless `all_tests`), and the report holds every test up to it.
pub async fn judge(
    executor: &Executor,
    problem: &Arc<Problem>,
    program: &Program,
    options: JudgeOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<JudgeReport, JudgeError> {
    let tests: Vec<&TestCase> = problem.tests(options.tests).collect();
    let total = tests.len();
    let mut slots: Vec<Option<TestResult>> = vec![None; total];
    let first_failure = AtomicUsize::new(usize::MAX);
    // The leading tests already in the cache are judged first, on their own: a cached failure
    // among them ends the judging before anything runs. Started together with the rest, the
    // tests after it would run too, and a second `eval` would execute what the first skipped.
    let cached = tests
        .iter()
        .take_while(|test| executor.has_cached(&job_for(problem, program, test)))
        .count();
    let mut done = 0;
    for range in [0..cached, cached..total] {
        // Lazily pulled as workers free up: an index past a failure seen by then is not started.
        let started = range
            .take_while(|&index| {
                options.all_tests || index <= first_failure.load(Ordering::Relaxed)
            })
            .map(|index| {
                let test = tests[index];
                async move {
                    (
                        index,
                        judge_test(executor, problem, program, test, &()).await,
                    )
                }
            });
        let mut finished = stream::iter(started).buffer_unordered(executor.workers());
        while let Some((index, result)) = finished.next().await {
            let result = result?;
            if !result.verdict.is_accepted() {
                first_failure.fetch_min(index, Ordering::Relaxed);
            }
            slots[index] = Some(result);
            done += 1;
            progress(done, total);
        }
    }
    let cutoff = if options.all_tests {
        total
    } else {
        first_failure
            .load(Ordering::Relaxed)
            .saturating_add(1)
            .min(total)
    };
    let results: Vec<TestResult> = slots.into_iter().take(cutoff).flatten().collect();
    let verdict = results
        .iter()
        .map(|r| r.verdict)
        .find(|v| !v.is_accepted())
        .unwrap_or(Verdict::Accepted);
    Ok(JudgeReport {
        problem: problem.id.clone(),
        verdict,
        passed: results.iter().filter(|r| r.verdict.is_accepted()).count(),
        total,
        tests: results,
    })
}
