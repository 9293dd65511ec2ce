//! The pipeline's layer over [`exec::Executor`](crate::exec::Executor): per-problem counters,
//! and a memo of what programs did on synthesized inputs, kept per problem and dropped when
//! the problem finishes (a set's worth would grow with the run).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};
use sstar_sandbox::{Limits, Outcome, ProgramKind, Sandbox, Termination};

use super::context::Counters;
use super::select::behaviour::{Behaviour, Failure};
use crate::exec::{Meter, OwnedExecution};
use crate::judge::{candidate_job, judge_test, limits_for, JudgeError, TestResult};
use crate::problem::{Problem, TestCase};
use crate::program::Program;
use crate::store::ExecCache;
use crate::verdict::Verdict;

/// What a run on a synthesized input left behind: enough to group and to show a judge.
#[derive(Debug, Clone)]
pub struct Observed {
    pub behaviour: Behaviour,
    /// Output (or error) as text for prompts, already truncated.
    pub shown: String,
    /// CPU time the run took, and the CPU limit it ran under.
    pub cpu: Duration,
    pub limit: Duration,
}

impl Observed {
    /// What this run tells of a run under `limit`, if anything: a run that finished within
    /// it, or timed out under a limit at least as loose, is as good as running again; one
    /// that finished but took longer would have timed out.
    fn under(&self, limit: Duration) -> Option<Observed> {
        let timed_out = self.behaviour == Behaviour::Failed(Failure::TimeLimit);
        if timed_out {
            return (self.limit >= limit).then(|| self.clone());
        }
        if self.cpu <= limit {
            return Some(self.clone());
        }
        Some(Observed {
            behaviour: Behaviour::Failed(Failure::TimeLimit),
            shown: shown_ending(&Termination::TimeLimit { wall: false }),
            cpu: limit,
            limit,
        })
    }
}

#[derive(Debug)]
pub struct ProblemExecutor {
    engine: crate::exec::Executor,
    observed: Memo,
}

/// Problem id → (program, input) hash → what it did (under whichever limit it last ran).
#[derive(Debug, Default)]
struct Memo(Mutex<HashMap<String, HashMap<[u8; 32], Observed>>>);

impl Memo {
    fn get(&self, problem: &str, key: &[u8; 32]) -> Option<Observed> {
        self.lock().get(problem)?.get(key).cloned()
    }

    fn insert(&self, problem: &str, key: [u8; 32], observed: Observed) {
        self.lock()
            .entry(problem.to_owned())
            .or_default()
            .insert(key, observed);
    }

    fn forget(&self, problem: &str) {
        self.lock().remove(problem);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, HashMap<[u8; 32], Observed>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Meter for Counters {
    fn executed(&self, wall: Duration) {
        Counters::executed(self, wall);
    }
}

/// Longest output kept for showing a model.
const SHOWN_CHARS: usize = 2000;

impl ProblemExecutor {
    pub fn new(sandbox: Arc<Sandbox>, cache: ExecCache) -> Self {
        Self {
            engine: crate::exec::Executor::new(sandbox, Some(cache)),
            observed: Memo::default(),
        }
    }

    /// Executions actually run (cache hits excluded).
    pub fn executions(&self) -> u64 {
        self.engine.executions()
    }

    /// Executions answered from the cache instead of being run.
    pub fn cache_hits(&self) -> u64 {
        self.engine.cache_hits()
    }

    /// Judges `code` on one test of `problem`. A run the sandbox failed (twice) is an error:
    /// the pipeline never treats it as the program's behaviour.
    pub async fn judge(
        &self,
        problem: &Arc<Problem>,
        program: &Program,
        test: &TestCase,
        counters: &Counters,
    ) -> Result<TestResult, JudgeError> {
        let result = judge_test(&self.engine, problem, program, test, counters).await?;
        match result.verdict {
            Verdict::InternalError => Err(JudgeError::Internal(result.detail.unwrap_or_default())),
            _ => Ok(result),
        }
    }

    /// Runs `code` on a synthesized `input` and classifies its behaviour (remembered until
    /// [`ProblemExecutor::forget`] is called for the problem).
    pub async fn observe(
        &self,
        problem: &Problem,
        program: &Program,
        input: &[u8],
        counters: &Counters,
    ) -> Result<Observed, JudgeError> {
        self.observe_within(problem, program, input, None, counters)
            .await
    }

    /// [`ProblemExecutor::observe`] with a CPU limit of its own, below the problem's.
    pub async fn observe_within(
        &self,
        problem: &Problem,
        program: &Program,
        input: &[u8],
        cpu_limit: Option<Duration>,
        counters: &Counters,
    ) -> Result<Observed, JudgeError> {
        let key = observed_key(program, input);
        let limit = cpu_limit.unwrap_or_else(|| limits_for(problem).cpu);
        if let Some(known) = self
            .observed
            .get(&problem.id, &key)
            .and_then(|hit| hit.under(limit))
        {
            return Ok(known);
        }
        // Built only on a miss: it copies the input.
        let mut job = candidate_job(problem, program, input);
        if let Some(cpu) = cpu_limit {
            let own = &problem.limits;
            job.limits = Limits::new(cpu, own.memory_limit_mb, own.output_limit_mb);
        }
        let outcome = self.engine.run(job, counters).await?;
        let observed = Observed {
            behaviour: Behaviour::of(problem, &outcome)?,
            shown: shown(&outcome),
            cpu: outcome.cpu,
            limit,
        };
        self.observed.insert(&problem.id, key, observed.clone());
        Ok(observed)
    }

    /// Runs a helper program (an input generator) with arguments; returns its outcome.
    pub async fn run_helper(
        &self,
        code: &str,
        args: Vec<String>,
        limits: Limits,
        counters: &Counters,
    ) -> Result<Outcome, JudgeError> {
        let mut job = OwnedExecution::new(ProgramKind::Stdio, code, &b""[..], limits);
        job.args = args;
        unfailed(self.engine.run(job, counters).await?)
    }

    /// Drops what was remembered of `problem` (it finished: nothing will ask again).
    pub fn forget(&self, problem: &str) {
        self.observed.forget(problem);
    }
}

fn observed_key(program: &Program, input: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in [
        program.language.as_str().as_bytes(),
        program.code.as_bytes(),
        input,
    ] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    hash.finalize().into()
}

/// `outcome`, unless the sandbox failed the run (twice): never a behaviour to group or show.
fn unfailed(outcome: Outcome) -> Result<Outcome, JudgeError> {
    match &outcome.termination {
        Termination::SandboxFailure { .. } => {
            Err(JudgeError::Internal(outcome.termination.to_string()))
        }
        _ => Ok(outcome),
    }
}

/// What a run shows a model: its answer, or how it ended in brackets (a runtime error with the
/// last line of its stderr, which names the exception and its message).
fn shown(outcome: &Outcome) -> String {
    let text = match (&outcome.termination, &outcome.returned) {
        (Termination::Finished, Some(value)) => value.to_string(),
        (Termination::Finished, None) => String::from_utf8_lossy(&outcome.stdout).into_owned(),
        (Termination::RuntimeError { .. }, _) => {
            let stderr = String::from_utf8_lossy(&outcome.stderr);
            let last = stderr.trim().lines().last().unwrap_or_default().to_owned();
            format!("{} {last}", shown_ending(&outcome.termination))
        }
        (ending, _) => shown_ending(ending),
    };
    super::prompts::truncate(&text, SHOWN_CHARS)
}

fn shown_ending(ending: &Termination) -> String {
    format!("({ending})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(shown: &str) -> Observed {
        Observed {
            behaviour: Behaviour::Failed(Failure::RuntimeError),
            shown: shown.into(),
            cpu: Duration::ZERO,
            limit: Duration::ZERO,
        }
    }

    #[test]
    fn a_finished_problems_observations_are_dropped_and_no_one_elses() {
        let memo = Memo::default();
        let key = observed_key(&Program::python("print(1)"), b"");
        memo.insert("a", key, seen("from a"));
        memo.insert("b", key, seen("from b"));
        // The same program on the same input, under two problems: kept apart.
        assert_eq!(memo.get("a", &key).expect("a").shown, "from a");
        memo.forget("a");
        assert!(memo.get("a", &key).is_none());
        assert_eq!(memo.get("b", &key).expect("b").shown, "from b");
        assert_eq!(memo.lock().len(), 1, "a's map is gone, not emptied");
        memo.forget("b");
        assert!(memo.lock().is_empty());
    }
}
