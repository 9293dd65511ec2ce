//! Summing shard runs' `ledger.json` files (model tokens and dollars) into the merged run's.

use crate::llm::{LedgerReport, Totals};

/// Where `solve` writes the run's ledger (when a model was configured).
pub const LEDGER_FILE: &str = "ledger.json";

/// Adds `from` into `into`: the run, every stage and every problem.
pub fn add_ledger(into: &mut LedgerReport, from: &LedgerReport) {
    add_totals(&mut into.run, &from.run);
    for (stage, totals) in &from.by_stage {
        add_totals(into.by_stage.entry(stage.clone()).or_default(), totals);
    }
    for (problem, totals) in &from.by_problem {
        add_totals(into.by_problem.entry(problem.clone()).or_default(), totals);
    }
}

fn add_totals(into: &mut Totals, from: &Totals) {
    // Destructured, so a field added to `Totals` fails to compile here until it is summed.
    let Totals {
        calls,
        failed_calls,
        samples,
        cache_hits,
        usage,
        cached_usage,
        latency_ms,
        cost_usd,
        unpriced_calls,
    } = from;
    into.calls += calls;
    into.failed_calls += failed_calls;
    into.samples += samples;
    into.cache_hits += cache_hits;
    into.usage.add(usage);
    into.cached_usage.add(cached_usage);
    into.latency_ms += latency_ms;
    // Unknown as soon as one part is unknown, as within one run.
    into.cost_usd = into.cost_usd.zip(*cost_usd).map(|(a, b)| a + b);
    into.unpriced_calls += unpriced_calls;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::Usage;

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
        add_ledger(&mut merged, &a);
        add_ledger(&mut merged, &b);
        assert_eq!(merged.run.calls, 5);
        assert_eq!(merged.run.usage.prompt_tokens, 110);
        assert_eq!(merged.run.cost_usd, Some(0.75));
        assert_eq!(merged.by_stage["generate"].calls, 3);
        assert_eq!(merged.by_stage["select"].usage.prompt_tokens, 6);
        assert_eq!(merged.by_problem.len(), 2);
        add_ledger(
            &mut merged,
            &LedgerReport {
                run: totals(1, 1, None),
                ..LedgerReport::default()
            },
        );
        assert_eq!(merged.run.cost_usd, None);
        assert_eq!(merged.run.unpriced_calls, 1);
    }
}
