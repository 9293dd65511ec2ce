//! Random selection's exact expectation: the chance that a uniform draw among a problem's
//! public-passing candidates (all final programs when none pass) is accepted on the hidden
//! tests, reported beside the single seeded draw, which is noisy on small sets.

use std::collections::HashMap;
use std::sync::Arc;

use crate::exec::Executor;
use crate::judge::{judge, JudgeError, JudgeOptions};
use crate::problem::{Problem, TestSelection};

/// Mean hidden acceptance over `pool` (each candidate's code, duplicates counted: a draw picks
/// a sample, not a distinct program); `None` for an empty pool. Each distinct code runs once.
pub async fn mean_accepted(
    executor: &Executor,
    problem: &Arc<Problem>,
    pool: &[&str],
) -> Result<Option<f64>, JudgeError> {
    if pool.is_empty() {
        return Ok(None);
    }
    let mut verdicts: HashMap<&str, bool> = HashMap::new();
    let mut accepted = 0usize;
    for &code in pool {
        let ok = match verdicts.get(code) {
            Some(&ok) => ok,
            None => {
                let options = JudgeOptions {
                    tests: TestSelection::Hidden,
                    all_tests: false,
                };
                let ok = judge(executor, problem, code, options, &|_, _| {})
                    .await?
                    .verdict
                    .is_accepted();
                verdicts.insert(code, ok);
                ok
            }
        };
        accepted += usize::from(ok);
    }
    Ok(Some(accepted as f64 / pool.len() as f64))
}
