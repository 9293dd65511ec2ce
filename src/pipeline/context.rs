//! What every stage of a run shares: the sandbox executor, the model client, the settings,
//! the run directory, and counters for progress and reports.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use super::budget::{self, Budget, Budgets, Exhausted, Spent};
use super::executor::ProblemExecutor;
use super::select::SelectMethod;
use crate::llm::{Completion, CompletionRequest, LlmClient, LlmError, Role};
use crate::problem::{Kind, Problem};
use crate::program::LanguageChoice;
use crate::store::{RunDir, Writer};

/// The pipeline's knobs (everything but the model's, which live in the client's config), as
/// `run.json` records them. A knob a run from an older version lacks reads as its default, the
/// value that version ran with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub samples: usize,
    pub rounds: usize,
    pub select: SelectMethod,
    pub seed: u64,
    /// Behaviour groups that enter the pairwise tournament (largest first).
    pub max_groups: usize,
    /// Inputs the model is asked to write.
    pub model_inputs: usize,
    /// Seeds the model's input generator is run with.
    pub generator_seeds: usize,
    /// Model-free mutations of the public inputs.
    pub mutations: usize,
    /// Problems worked on at once.
    pub problem_concurrency: usize,
    /// Draw samples (or take given candidates) in waves, until more cannot change the pick.
    pub adaptive: bool,
    /// Most samples per problem in adaptive mode (`samples` is the fixed N otherwise).
    pub max_samples: Option<usize>,
    /// Dollars and tokens the model may cost, per problem and per run.
    pub budget: Budgets,
    /// The language the prompts ask for (`--language`).
    pub language: LanguageChoice,
}

impl Settings {
    /// Samples a problem may take: every given candidate (`given` of them), else the most
    /// adaptive sampling may draw, else the fixed N.
    pub fn available(&self, given: Option<usize>) -> usize {
        match given {
            Some(given) => given,
            None if self.adaptive => self.max_samples.unwrap_or(self.samples),
            None => self.samples,
        }
    }

    /// The language `problem`'s prompts ask for: the setting, except that a function problem
    /// is answered in Python (the judge calls a Python function).
    pub fn language_for(&self, problem: &Problem) -> LanguageChoice {
        match problem.kind {
            Kind::Stdio => self.language,
            Kind::Function => LanguageChoice::Python,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            samples: 16,
            rounds: 2,
            select: SelectMethod::Sstar,
            seed: 0,
            max_groups: 8,
            model_inputs: 5,
            generator_seeds: 5,
            mutations: 12,
            problem_concurrency: 4,
            adaptive: false,
            max_samples: None,
            budget: Budgets::default(),
            language: LanguageChoice::Python,
        }
    }
}

#[derive(Debug)]
pub struct Context {
    pub executor: Arc<ProblemExecutor>,
    pub llm: Option<LlmClient>,
    pub settings: Settings,
    pub run: RunDir,
    /// Does the run directory's file work off the async threads, in order.
    pub writer: Writer,
    /// Model requests waiting for or holding a connection, by stage, for progress.
    pub in_flight: InFlight,
    /// Set by the first answer that no retry or later call can fix: the run stops.
    pub halt: Halt,
    /// Inputs given with `--inputs`, per problem id.
    pub given_inputs: super::candidates::GivenInputs,
    /// The user's spending limits and what finished problems spent.
    pub budget: Budget,
}

/// What one problem used: sandbox executions and model answers (its model calls, by stage,
/// are the ledger's).
#[derive(Debug, Default)]
pub struct Counters {
    pub executions: AtomicU64,
    /// Wall time inside the sandbox, summed over executions (microseconds).
    pub busy_micros: AtomicU64,
    /// Model answers received and model calls failed, with the last failure.
    pub answers: AtomicU64,
    pub failures: AtomicU64,
    pub last_failure: std::sync::Mutex<Option<String>>,
    /// The budget that ran out for this problem, and where.
    pub budget_out: std::sync::Mutex<Option<Exhausted>>,
}

impl Counters {
    /// The budget that ran out for this problem, if one did.
    pub fn exhausted(&self) -> Option<Exhausted> {
        self.budget_out
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn executed(&self, wall: std::time::Duration) {
        self.executions.fetch_add(1, Ordering::Relaxed);
        self.busy_micros
            .fetch_add(wall.as_micros() as u64, Ordering::Relaxed);
    }
}

impl Context {
    /// Asks the model (there must be one) and counts the answers and failures.
    pub async fn ask(
        &self,
        request: CompletionRequest,
        counter: &Counters,
    ) -> Vec<Result<Completion, LlmError>> {
        let Some(llm) = &self.llm else {
            return Vec::new();
        };
        if let Some(out) = self.over_budget(&request.problem_id, request.role, counter) {
            let mut first = counter.budget_out.lock().unwrap_or_else(|p| p.into_inner());
            if first.is_none() {
                tracing::info!("{}: {out}", request.problem_id);
                *first = Some(out);
            }
            return Vec::new();
        }
        let gauge = self.in_flight.of(request.role);
        gauge.fetch_add(1, Ordering::Relaxed);
        let answers = llm.complete(&request).await;
        gauge.fetch_sub(1, Ordering::Relaxed);
        for answer in &answers {
            match answer {
                Ok(_) => counter.answers.fetch_add(1, Ordering::Relaxed),
                Err(error) => {
                    if error.kind.is_fatal() {
                        self.halt.trip(error.clone());
                    }
                    *counter
                        .last_failure
                        .lock()
                        .unwrap_or_else(|p| p.into_inner()) = Some(error.to_string());
                    counter.failures.fetch_add(1, Ordering::Relaxed)
                }
            };
        }
        answers
    }

    /// The budget that refuses `request`, if any (one that ran out before stays out).
    fn over_budget(&self, problem: &str, role: Role, counter: &Counters) -> Option<Exhausted> {
        let llm = self.llm.as_ref()?;
        if let Some(out) = counter.exhausted() {
            return Some(out);
        }
        let limits = self.budget.limits();
        if limits.problem.is_unlimited() && limits.run.is_unlimited() {
            return None;
        }
        let ledger = llm.ledger();
        let (unit, scope) = self.budget.check(
            Spent::of(&ledger.problem_totals(problem)),
            Spent::of(&ledger.run_totals()),
        )?;
        Some(Exhausted {
            unit,
            scope,
            stage: budget::stage_of(role).to_owned(),
        })
    }

    /// Whether a model request in `role` may still be sent for `problem` (a model is there
    /// and no budget has run out).
    pub fn may_ask(&self, problem: &str, role: Role, counter: &Counters) -> bool {
        self.llm.is_some() && self.over_budget(problem, role, counter).is_none()
    }

    /// One answer; `None` when the call failed (already recorded in the ledger).
    pub async fn ask_one(
        &self,
        request: CompletionRequest,
        counter: &Counters,
    ) -> Option<Completion> {
        self.ask(request.samples(1), counter)
            .await
            .into_iter()
            .next()
            .and_then(Result::ok)
    }
}

/// Model requests in flight, by the stage that asked: generation, debugging, selection.
#[derive(Debug, Default)]
pub struct InFlight {
    pub generate: AtomicUsize,
    pub debug: AtomicUsize,
    pub select: AtomicUsize,
}

impl InFlight {
    fn of(&self, role: Role) -> &AtomicUsize {
        match role {
            Role::Generate => &self.generate,
            Role::Debug => &self.debug,
            Role::Judge | Role::TestGen => &self.select,
        }
    }
}

/// The run's stop switch: the first fatal model error (a refused key, an unknown model)
/// trips it, and the set runner stops taking and finishing problems.
#[derive(Debug, Default)]
pub struct Halt {
    error: OnceLock<LlmError>,
    tripped: tokio::sync::Notify,
}

impl Halt {
    /// Records the first fatal error and wakes the waiter.
    pub fn trip(&self, error: LlmError) {
        if self.error.set(error).is_ok() {
            // `notify_one` keeps a permit, so a waiter that arrives later still wakes.
            self.tripped.notify_one();
        }
    }

    /// The fatal error, if one happened.
    pub fn error(&self) -> Option<&LlmError> {
        self.error.get()
    }

    /// Waits until the switch is tripped.
    pub async fn tripped(&self) -> &LlmError {
        loop {
            if let Some(error) = self.error.get() {
                return error;
            }
            self.tripped.notified().await;
        }
    }
}
