//! Sandbox runs from async code: a permit per execution (the CPU budget), blocking work on
//! tokio's blocking pool, and the run's execution cache, so no execution runs twice: not in
//! one run (identical samples are common), not across a resume.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use sstar_sandbox::{Execution, Limits, Outcome, ProgramKind, Sandbox, Termination};
use tokio::sync::Semaphore;

use super::behaviour::Behaviour;
use super::context::Counters;
use crate::judge::{grade, limits_for, program_kind, JudgeError, TestResult};
use crate::problem::{Checker, Problem, TestCase};
use crate::store::ExecCache;

/// What a run on a synthesized input left behind: enough to group and to show a judge.
#[derive(Debug, Clone)]
pub struct Observed {
    pub behaviour: Behaviour,
    /// Output (or error) as text for prompts, already truncated.
    pub shown: String,
}

#[derive(Debug)]
pub struct Executor {
    sandbox: Arc<Sandbox>,
    permits: Semaphore,
    cache: Arc<ExecCache>,
    /// A gate per execution being run now: an identical one waits, then reads the cache.
    running: Gates,
    observed: Mutex<HashMap<[u8; 32], Observed>>,
    executions: AtomicU64,
    cache_hits: AtomicU64,
}

/// An execution owned, so it can cross into the blocking pool.
struct Job {
    kind: ProgramKind,
    code: Arc<str>,
    input: Arc<[u8]>,
    args: Vec<String>,
    limits: Limits,
}

impl Job {
    fn execution(&self) -> Execution<'_> {
        let mut execution = Execution::new(self.kind.clone(), &self.code, &self.input, self.limits);
        execution.args.clone_from(&self.args);
        execution
    }
}

/// Longest output kept for showing a model.
const SHOWN_CHARS: usize = 2000;

impl Executor {
    pub fn new(sandbox: Arc<Sandbox>, cache: ExecCache) -> Self {
        let cache = Arc::new(cache);
        let permits = Semaphore::new(sandbox.workers().max(1));
        Self {
            sandbox,
            permits,
            cache,
            running: Mutex::default(),
            observed: Mutex::default(),
            executions: AtomicU64::new(0),
            cache_hits: AtomicU64::new(0),
        }
    }

    /// Executions actually run (cache hits excluded).
    pub fn executions(&self) -> u64 {
        self.executions.load(Ordering::Relaxed)
    }

    /// Executions answered from the cache instead of being run.
    pub fn cache_hits(&self) -> u64 {
        self.cache_hits.load(Ordering::Relaxed)
    }

    /// Judges `code` on one test of `problem`.
    pub async fn judge(
        &self,
        problem: &Arc<Problem>,
        code: &Arc<str>,
        test: &TestCase,
        counters: &Counters,
    ) -> Result<TestResult, JudgeError> {
        let job = Job {
            kind: program_kind(problem),
            code: code.clone(),
            input: test.input.clone(),
            args: Vec::new(),
            limits: limits_for(problem),
        };
        let outcome = self.run(job, counters).await?;
        // A `program` checker is itself a sandbox run: it takes a permit like any other.
        let _permit = if problem.checker == Checker::Program {
            Some(self.permits.acquire().await.map_err(|_| closed())?)
        } else {
            None
        };
        let (sandbox, problem, test) = (self.sandbox.clone(), problem.clone(), test.clone());
        tokio::task::spawn_blocking(move || grade(&sandbox, &problem, &test, outcome))
            .await
            .map_err(|e| {
                JudgeError::Sandbox(sstar_sandbox::SandboxError::Internal(e.to_string()))
            })?
    }

    /// Runs `code` on a synthesized `input` and classifies its behaviour (cached).
    pub async fn observe(
        &self,
        problem: &Problem,
        code: &str,
        input: &[u8],
        counters: &Counters,
    ) -> Result<Observed, JudgeError> {
        let key = observed_key(&problem.id, code, input);
        if let Some(hit) = self.lookup(&key) {
            return Ok(hit);
        }
        let job = Job {
            kind: program_kind(problem),
            code: code.into(),
            input: input.into(),
            args: Vec::new(),
            limits: limits_for(problem),
        };
        let outcome = self.run(job, counters).await?;
        let observed = Observed {
            behaviour: Behaviour::of(problem, &outcome),
            shown: shown(&outcome),
        };
        self.observed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, observed.clone());
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
        let job = Job {
            kind: ProgramKind::Stdio,
            code: code.into(),
            input: Arc::from(&b""[..]),
            args,
            limits,
        };
        self.run(job, counters).await
    }

    /// The outcome of `job`: from the cache, from an identical run in flight, or run now.
    async fn run(&self, job: Job, counters: &Counters) -> Result<Outcome, JudgeError> {
        let key = self.cache.key(&job.execution());
        if let Some(hit) = self.cached(&key) {
            return Ok(hit);
        }
        let gate = Gate::enter(&self.running, key);
        let _turn = gate.gate.lock().await;
        if let Some(hit) = self.cached(&gate.key) {
            return Ok(hit); // an identical execution finished while this one waited
        }
        self.execute(job, gate.key.clone(), counters).await
    }

    fn cached(&self, key: &str) -> Option<Outcome> {
        let hit = self.cache.load(key)?;
        self.cache_hits.fetch_add(1, Ordering::Relaxed);
        Some(hit)
    }

    async fn execute(
        &self,
        job: Job,
        key: String,
        counters: &Counters,
    ) -> Result<Outcome, JudgeError> {
        let _permit = self.permits.acquire().await.map_err(|_| closed())?;
        self.executions.fetch_add(1, Ordering::Relaxed);
        let (sandbox, cache) = (self.sandbox.clone(), self.cache.clone());
        let started = std::time::Instant::now();
        let outcome = tokio::task::spawn_blocking(move || {
            let outcome = sandbox.run(&job.execution())?;
            if reproducible(&outcome) {
                cache.store(&key, &outcome);
            }
            Ok::<_, sstar_sandbox::SandboxError>(outcome)
        })
        .await
        .map_err(|e| sstar_sandbox::SandboxError::Internal(e.to_string()))?;
        counters.executed(started.elapsed());
        outcome.map_err(JudgeError::from)
    }

    fn lookup(&self, key: &[u8; 32]) -> Option<Observed> {
        self.observed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned()
    }
}

/// Whether an outcome would come out the same on an idle machine: not a wall-clock verdict
/// (the machine may just have been busy), not a failure of the sandbox itself.
pub(crate) fn reproducible(outcome: &Outcome) -> bool {
    match &outcome.termination {
        Termination::TimeLimit { wall } => !wall,
        Termination::RuntimeError { detail } => !detail.starts_with("sandbox setup failed"),
        _ => true,
    }
}

type Gates = Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>;

/// A turn at running one execution: identical executions share a gate and take turns, and the
/// last to leave (finished, failed or cancelled) removes it.
struct Gate<'a> {
    gates: &'a Gates,
    key: String,
    gate: Arc<tokio::sync::Mutex<()>>,
}

impl<'a> Gate<'a> {
    fn enter(gates: &'a Gates, key: String) -> Self {
        let gate = gates
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key.clone())
            .or_default()
            .clone();
        Self { gates, key, gate }
    }
}

impl Drop for Gate<'_> {
    fn drop(&mut self) {
        let mut gates = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        let ours = gates
            .get(&self.key)
            .is_some_and(|g| Arc::ptr_eq(g, &self.gate));
        // Two references: the map's and ours. More means others still wait their turn.
        if ours && Arc::strong_count(&self.gate) == 2 {
            gates.remove(&self.key);
        }
    }
}

fn closed() -> JudgeError {
    JudgeError::Sandbox(sstar_sandbox::SandboxError::NoWorkers)
}

fn observed_key(problem: &str, code: &str, input: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in [problem.as_bytes(), code.as_bytes(), input] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    hash.finalize().into()
}

fn shown(outcome: &Outcome) -> String {
    let text = match (&outcome.termination, &outcome.returned) {
        (Termination::Finished, Some(value)) => value.to_string(),
        (Termination::Finished, None) => String::from_utf8_lossy(&outcome.stdout).into_owned(),
        (Termination::CompileError { message }, _) => format!("(compile error) {message}"),
        (Termination::RuntimeError { detail }, _) => {
            let stderr = String::from_utf8_lossy(&outcome.stderr);
            let last = stderr.trim().lines().last().unwrap_or_default().to_owned();
            format!("(runtime error: {detail}) {last}")
        }
        (Termination::TimeLimit { .. }, _) => "(time limit exceeded)".to_owned(),
        (Termination::MemoryLimit, _) => "(memory limit exceeded)".to_owned(),
        (Termination::OutputLimit, _) => "(output limit exceeded)".to_owned(),
    };
    super::prompts::truncate(&text, SHOWN_CHARS)
}
