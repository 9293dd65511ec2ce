//! Spending limits the user sets (dollars and tokens, per problem and per run), checked
//! before every model request, and the rule that shares a run's budget among its problems.
//!
//! A problem may spend while it is under its own limit and under its share of the run's: what
//! the run has left after the problems already finished, divided among the problems not yet
//! finished. A problem whose candidates agreed early spends little, so the problems after it
//! get more. The check comes before a request is sent; requests already in flight finish, so
//! a limit can be passed by what they cost.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::llm::Role;
use crate::schema::Totals;
pub use crate::schema::{Exhausted, Scope, Unit};

/// Dollars and tokens, either unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usd: Option<f64>,
    /// Prompt and completion tokens of calls sent (answers from the cache cost nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<u64>,
}

impl Limits {
    pub fn is_unlimited(&self) -> bool {
        self.usd.is_none() && self.tokens.is_none()
    }

    /// The first limit `spent` reaches, if any.
    fn reached(&self, spent: Spent) -> Option<Unit> {
        if self.usd.is_some_and(|usd| spent.usd >= usd) {
            Some(Unit::Usd)
        } else if self.tokens.is_some_and(|tokens| spent.tokens >= tokens) {
            Some(Unit::Tokens)
        } else {
            None
        }
    }
}

/// The user's budgets: one for each problem, one for the whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Budgets {
    pub problem: Limits,
    pub run: Limits,
}

/// What was spent: dollars (unpriced calls count zero) and tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spent {
    pub usd: f64,
    pub tokens: u64,
}

impl Spent {
    pub fn of(totals: &Totals) -> Self {
        Self {
            usd: totals.cost_usd.unwrap_or(0.0),
            tokens: totals.usage.prompt_tokens + totals.usage.completion_tokens,
        }
    }
}

/// The stage name a request's role stands for in budget reports.
pub fn stage_of(role: Role) -> &'static str {
    match role {
        Role::Generate => "generate",
        Role::Debug => "debug",
        Role::TestGen => "test-gen",
        Role::Judge => "judge",
    }
}

/// The run's budgets and what its finished problems spent.
#[derive(Debug, Default)]
pub struct Budget {
    limits: Budgets,
    /// Problems started or waiting, not yet finished.
    unfinished: AtomicUsize,
    finished_spent: Mutex<Spent>,
    earlier: Spent,
}

impl Budget {
    /// `earlier` is what earlier sessions of a resumed run spent.
    pub fn new(limits: Budgets, earlier: Spent) -> Self {
        Self {
            limits,
            unfinished: AtomicUsize::new(0),
            finished_spent: Mutex::new(earlier),
            earlier,
        }
    }

    pub fn limits(&self) -> Budgets {
        self.limits
    }

    /// The run is about to solve `problems` problems.
    pub fn start(&self, problems: usize) {
        self.unfinished.store(problems, Ordering::Relaxed);
    }

    /// A problem finished, having spent `spent`: what it left unused goes to the others.
    pub fn finished(&self, spent: Spent) {
        let mut total = self
            .finished_spent
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        total.usd += spent.usd;
        total.tokens += spent.tokens;
        let _ = self
            .unfinished
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
    }

    /// Whether a problem that spent `problem` may send another request, in a run that spent
    /// `run`; the limit that stops it if not.
    pub fn check(&self, problem: Spent, run: Spent) -> Option<(Unit, Scope)> {
        if let Some(unit) = self.limits.problem.reached(problem) {
            return Some((unit, Scope::Problem));
        }
        if self.limits.run.is_unlimited() {
            return None;
        }
        let run = Spent {
            usd: run.usd + self.earlier.usd,
            tokens: run.tokens + self.earlier.tokens,
        };
        if let Some(unit) = self.limits.run.reached(run) {
            return Some((unit, Scope::Run));
        }
        let finished = *self
            .finished_spent
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let sharers = self.unfinished.load(Ordering::Relaxed).max(1);
        let share = Limits {
            usd: self
                .limits
                .run
                .usd
                .map(|usd| (usd - finished.usd).max(0.0) / sharers as f64),
            tokens: self
                .limits
                .run
                .tokens
                .map(|t| t.saturating_sub(finished.tokens) / sharers as u64),
        };
        share.reached(problem).map(|unit| (unit, Scope::Run))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(n: u64) -> Spent {
        Spent {
            usd: 0.0,
            tokens: n,
        }
    }

    #[test]
    fn a_problems_own_limit_comes_first() {
        let budget = Budget::new(
            Budgets {
                problem: Limits {
                    usd: None,
                    tokens: Some(100),
                },
                run: Limits::default(),
            },
            Spent::default(),
        );
        assert_eq!(budget.check(tokens(99), tokens(99)), None);
        assert_eq!(
            budget.check(tokens(100), tokens(100)),
            Some((Unit::Tokens, Scope::Problem))
        );
    }

    #[test]
    fn what_a_finished_problem_left_unused_goes_to_the_problems_still_running() {
        let budget = Budget::new(
            Budgets {
                problem: Limits::default(),
                run: Limits {
                    usd: None,
                    tokens: Some(1000),
                },
            },
            Spent::default(),
        );
        budget.start(4);
        // A fair share is 250 while none has finished.
        assert_eq!(
            budget.check(tokens(250), tokens(250)),
            Some((Unit::Tokens, Scope::Run))
        );
        // One problem agreed early and spent 100: the other three share 900.
        budget.finished(tokens(100));
        assert_eq!(budget.check(tokens(299), tokens(399)), None);
        assert_eq!(
            budget.check(tokens(300), tokens(400)),
            Some((Unit::Tokens, Scope::Run))
        );
        // The run's whole budget caps everything.
        assert_eq!(
            budget.check(tokens(0), tokens(1000)),
            Some((Unit::Tokens, Scope::Run))
        );
    }
}
