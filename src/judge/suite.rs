//! A program on many tests: in parallel across the sandbox's workers, in name order, stopping
//! at the first failure unless asked to run everything.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::Serialize;
use sstar_sandbox::Sandbox;

use super::{judge_test, JudgeError, TestResult};
use crate::problem::{Problem, TestCase, TestSelection};
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
pub fn judge(
    sandbox: &Sandbox,
    problem: &Problem,
    code: &str,
    options: JudgeOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<JudgeReport, JudgeError> {
    let tests: Vec<&TestCase> = problem.tests(options.tests).collect();
    let total = tests.len();
    let slots: Vec<Mutex<Option<TestResult>>> = (0..total).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let first_failure = AtomicUsize::new(usize::MAX);
    let done = AtomicUsize::new(0);
    let error: Mutex<Option<JudgeError>> = Mutex::new(None);
    let threads = sandbox.workers().clamp(1, total.max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let stop = first_failure.load(Ordering::Relaxed);
                if index >= total || (!options.all_tests && index > stop) {
                    break;
                }
                match judge_test(sandbox, problem, code, tests[index]) {
                    Ok(result) => {
                        if !result.verdict.is_accepted() {
                            first_failure.fetch_min(index, Ordering::Relaxed);
                        }
                        *slots[index].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
                        progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                    }
                    Err(e) => {
                        error
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .get_or_insert(e);
                        first_failure.fetch_min(0, Ordering::Relaxed);
                        next.store(total, Ordering::Relaxed);
                        break;
                    }
                }
            });
        }
    });
    if let Some(e) = error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    let cutoff = if options.all_tests {
        total
    } else {
        first_failure.into_inner().saturating_add(1).min(total)
    };
    let results: Vec<TestResult> = slots
        .into_iter()
        .take(cutoff)
        .filter_map(|slot| slot.into_inner().unwrap_or_else(|p| p.into_inner()))
        .collect();
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
