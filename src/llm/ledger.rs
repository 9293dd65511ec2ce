//! Token and cost accounting: one record per model call, totals per stage, per problem and per run.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use super::config::Role;
use crate::schema::{LedgerReport, Totals, Usage};

/// What one call cost: a network call (answered or failed), or the answers
/// of one request served from the cache.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    /// Stage label of the request.
    pub stage: String,
    /// Problem of the request.
    pub problem_id: String,
    /// Role of the request.
    pub role: Role,
    /// Model asked.
    pub model: String,
    /// Answers this record stands for.
    pub samples: u32,
    /// Served from the on-disk cache: no network call was made.
    pub cached: bool,
    /// Tokens the server reported for this call (zero for a cached record).
    pub usage: Usage,
    /// For a cached record: the usage the answers had when first asked.
    pub cached_usage: Usage,
    /// Duration of the successful HTTP attempt (zero when cached or failed).
    pub latency_ms: u64,
    /// HTTP attempts made (zero when cached).
    pub attempts: u32,
    /// Dollars; `None` when the model's price is unknown. Cached: `Some(0)`.
    pub cost_usd: Option<f64>,
    /// Why the call failed, when it did.
    pub error: Option<String>,
}

impl Totals {
    fn add(&mut self, r: &CallRecord) {
        if r.cached {
            self.cache_hits += u64::from(r.samples);
            self.cached_usage.add(&r.cached_usage);
            return;
        }
        self.calls += 1;
        if r.error.is_some() {
            self.failed_calls += 1;
        }
        self.samples += u64::from(r.samples);
        self.usage.add(&r.usage);
        self.latency_ms += r.latency_ms;
        match r.cost_usd {
            Some(c) => self.cost_usd = self.cost_usd.map(|t| t + c),
            None if r.error.is_none() => {
                self.unpriced_calls += 1;
                self.cost_usd = None;
            }
            None => {}
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    records: Vec<CallRecord>,
    report: LedgerReport,
    /// By problem and role, for the per-stage counts of `results.jsonl`.
    by_problem_role: BTreeMap<(String, Role), Totals>,
}

/// The run's ledger: shared by every clone, safe to use from many tasks.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    inner: Arc<Mutex<Inner>>,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere while holding the lock leaves sums that are
        // still consistent (each update is one `add`), so keep going.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a record.
    pub fn record(&self, record: CallRecord) {
        let mut inner = self.lock();
        let report = &mut inner.report;
        report.run.add(&record);
        report
            .by_stage
            .entry(record.stage.clone())
            .or_default()
            .add(&record);
        report
            .by_problem
            .entry(record.problem_id.clone())
            .or_default()
            .add(&record);
        inner
            .by_problem_role
            .entry((record.problem_id.clone(), record.role))
            .or_default()
            .add(&record);
        inner.records.push(record);
    }

    /// Totals of the whole run.
    pub fn run_totals(&self) -> Totals {
        self.lock().report.run.clone()
    }

    /// Totals of one problem (zero if it made no call).
    pub fn problem_totals(&self, problem_id: &str) -> Totals {
        self.lock()
            .report
            .by_problem
            .get(problem_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Totals of one problem's calls in the given roles (zero if it made none).
    pub fn problem_role_totals(&self, problem_id: &str, roles: &[Role]) -> Totals {
        let inner = self.lock();
        let mut sum = Totals::default();
        for role in roles {
            if let Some(t) = inner.by_problem_role.get(&(problem_id.to_owned(), *role)) {
                sum.merge(t);
            }
        }
        sum
    }

    /// Totals of one stage (zero if it made no call).
    pub fn stage_totals(&self, stage: &str) -> Totals {
        self.lock()
            .report
            .by_stage
            .get(stage)
            .cloned()
            .unwrap_or_default()
    }

    /// A copy of every record, in the order they were made.
    pub fn records(&self) -> Vec<CallRecord> {
        self.lock().records.clone()
    }

    /// A copy of all totals.
    pub fn report(&self) -> LedgerReport {
        self.lock().report.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(problem: &str, stage: &str, cost: Option<f64>) -> CallRecord {
        CallRecord {
            stage: stage.into(),
            problem_id: problem.into(),
            role: Role::Generate,
            model: "m".into(),
            samples: 2,
            cached: false,
            usage: Usage {
                prompt_tokens: 10,
                completion_tokens: 20,
                reasoning_tokens: 5,
                cached_tokens: 1,
            },
            cached_usage: Usage::default(),
            latency_ms: 7,
            attempts: 1,
            cost_usd: cost,
            error: None,
        }
    }

    #[test]
    fn sums_per_stage_problem_and_run() {
        let ledger = Ledger::new();
        ledger.record(record("p1", "generate", Some(0.5)));
        ledger.record(record("p1", "debug", Some(0.25)));
        ledger.record(record("p2", "generate", Some(1.0)));
        let run = ledger.run_totals();
        assert_eq!(run.calls, 3);
        assert_eq!(run.samples, 6);
        assert_eq!(run.usage.completion_tokens, 60);
        assert_eq!(run.cost_usd, Some(1.75));
        assert_eq!(ledger.problem_totals("p1").usage.prompt_tokens, 20);
        assert_eq!(ledger.stage_totals("generate").cost_usd, Some(1.5));
        assert_eq!(ledger.problem_totals("nope").calls, 0);
        assert_eq!(ledger.records().len(), 3);
    }

    #[test]
    fn unknown_price_makes_cost_unknown() {
        let ledger = Ledger::new();
        ledger.record(record("p1", "generate", Some(0.5)));
        ledger.record(record("p1", "generate", None));
        let run = ledger.run_totals();
        assert_eq!(run.cost_usd, None);
        assert_eq!(run.unpriced_calls, 1);
    }

    #[test]
    fn cache_hits_cost_nothing_and_keep_their_usage_apart() {
        let ledger = Ledger::new();
        let mut hit = record("p1", "generate", Some(0.0));
        hit.cached = true;
        hit.cached_usage = hit.usage;
        hit.usage = Usage::default();
        ledger.record(hit);
        let run = ledger.run_totals();
        assert_eq!(run.calls, 0);
        assert_eq!(run.cache_hits, 2);
        assert_eq!(run.usage, Usage::default());
        assert_eq!(run.cached_usage.completion_tokens, 20);
        assert_eq!(run.cost_usd, Some(0.0));
        let json = serde_json::to_string(&ledger.report()).expect("serialises");
        assert!(json.contains("\"cache_hits\":2"));
    }

    fn totals(calls: u64, prompt: u64, cost: Option<f64>) -> Totals {
        Totals {
            calls,
            usage: Usage {
                prompt_tokens: prompt,
                ..Usage::default()
            },
            cost_usd: cost,
            unpriced_calls: u64::from(cost.is_none()),
            ..Totals::default()
        }
    }

    #[test]
    fn sums_run_stage_and_problem_totals_and_unknown_cost_stays_unknown() {
        let mut a = LedgerReport {
            run: totals(2, 100, Some(0.5)),
            ..LedgerReport::default()
        };
        a.by_stage
            .insert("generate".into(), totals(2, 100, Some(0.5)));
        a.by_problem.insert("p1".into(), totals(2, 100, Some(0.5)));
        let mut b = LedgerReport {
            run: totals(3, 10, Some(0.25)),
            ..LedgerReport::default()
        };
        b.by_stage
            .insert("generate".into(), totals(1, 4, Some(0.05)));
        b.by_stage.insert("select".into(), totals(2, 6, Some(0.2)));
        b.by_problem.insert("p2".into(), totals(3, 10, Some(0.25)));
        let mut merged = LedgerReport::default();
        merged.add(&a);
        merged.add(&b);
        assert_eq!(merged.run.calls, 5);
        assert_eq!(merged.run.usage.prompt_tokens, 110);
        assert_eq!(merged.run.cost_usd, Some(0.75));
        assert_eq!(merged.by_stage["generate"].calls, 3);
        assert_eq!(merged.by_stage["select"].usage.prompt_tokens, 6);
        assert_eq!(merged.by_problem.len(), 2);
        merged.add(&LedgerReport {
            run: totals(1, 1, None),
            ..LedgerReport::default()
        });
        assert_eq!(merged.run.cost_usd, None);
        assert_eq!(merged.run.unpriced_calls, 1);
    }
}
