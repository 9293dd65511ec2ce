//! Sandbox runs from async code: a permit per execution (the CPU budget), blocking work on
//! tokio's blocking pool, and a cache so no (program, input) pair runs twice in a run.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use sstar_sandbox::{Execution, Limits, Outcome, ProgramKind, Sandbox, Termination};
use tokio::sync::Semaphore;

use super::behaviour::Behaviour;
use super::context::Counters;
use crate::judge::{judge_test, limits_for, JudgeError, TestResult};
use crate::problem::{Kind, Problem, TestCase};

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
    observed: Mutex<HashMap<[u8; 32], Observed>>,
    executions: AtomicU64,
    /// Wall time spent inside the sandbox, summed over executions (microseconds).
    busy_micros: AtomicU64,
}

/// Longest output kept for showing a model.
const SHOWN_CHARS: usize = 2000;

impl Executor {
    pub fn new(sandbox: Arc<Sandbox>) -> Self {
        let permits = Semaphore::new(sandbox.workers().max(1));
        Self {
            sandbox,
            permits,
            observed: Mutex::new(HashMap::new()),
            executions: AtomicU64::new(0),
            busy_micros: AtomicU64::new(0),
        }
    }

    /// The sandbox itself, for blocking callers (e.g. judging a whole suite).
    pub fn sandbox(&self) -> Arc<Sandbox> {
        self.sandbox.clone()
    }

    /// Executions actually run (cache hits excluded).
    pub fn executions(&self) -> u64 {
        self.executions.load(Ordering::Relaxed)
    }

    /// Seconds of wall time spent in sandbox executions so far (all workers summed).
    pub fn busy_seconds(&self) -> f64 {
        self.busy_micros.load(Ordering::Relaxed) as f64 / 1e6
    }

    /// Judges `code` on one test of `problem`.
    pub async fn judge(
        &self,
        problem: &Arc<Problem>,
        code: &Arc<str>,
        test: &TestCase,
        counters: &Counters,
    ) -> Result<TestResult, JudgeError> {
        let _permit = self.permits.acquire().await.map_err(|_| closed())?;
        self.executions.fetch_add(1, Ordering::Relaxed);
        let (sandbox, problem, code, test) = (
            self.sandbox.clone(),
            problem.clone(),
            code.clone(),
            test.clone(),
        );
        let started = std::time::Instant::now();
        let result =
            tokio::task::spawn_blocking(move || judge_test(&sandbox, &problem, &code, &test))
                .await
                .map_err(|e| {
                    JudgeError::Sandbox(sstar_sandbox::SandboxError::Internal(e.to_string()))
                })?;
        self.busy_micros
            .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        counters.executed(started.elapsed());
        result
    }

    /// Runs `code` on a synthesized `input` and classifies its behaviour (cached).
    pub async fn observe(
        &self,
        problem: &Problem,
        code: &str,
        input: &[u8],
        counters: &Counters,
    ) -> Result<Observed, JudgeError> {
        let key = cache_key(&problem.id, code, input);
        if let Some(hit) = self.lookup(&key) {
            return Ok(hit);
        }
        let outcome = self
            .raw(
                program_kind(problem),
                code,
                input.to_vec(),
                Vec::new(),
                limits_for(problem),
                counters,
            )
            .await?;
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
        self.raw(ProgramKind::Stdio, code, Vec::new(), args, limits, counters)
            .await
    }

    async fn raw(
        &self,
        kind: ProgramKind,
        code: &str,
        input: Vec<u8>,
        args: Vec<String>,
        limits: Limits,
        counters: &Counters,
    ) -> Result<Outcome, JudgeError> {
        let _permit = self.permits.acquire().await.map_err(|_| closed())?;
        self.executions.fetch_add(1, Ordering::Relaxed);
        let sandbox = self.sandbox.clone();
        let code = code.to_owned();
        let started = std::time::Instant::now();
        let outcome = tokio::task::spawn_blocking(move || {
            let mut execution = Execution::new(kind, &code, &input, limits);
            execution.args = args;
            sandbox.run(&execution)
        })
        .await
        .map_err(|e| sstar_sandbox::SandboxError::Internal(e.to_string()))?;
        self.busy_micros
            .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
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

fn closed() -> JudgeError {
    JudgeError::Sandbox(sstar_sandbox::SandboxError::NoWorkers)
}

pub fn program_kind(problem: &Problem) -> ProgramKind {
    match problem.kind {
        Kind::Stdio => ProgramKind::Stdio,
        Kind::Function => ProgramKind::Function {
            entry_point: problem.entry_point.clone().unwrap_or_default(),
        },
    }
}

fn cache_key(problem: &str, code: &str, input: &[u8]) -> [u8; 32] {
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
