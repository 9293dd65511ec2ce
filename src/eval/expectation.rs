//! Random selection's exact expectation: the chance that a uniform draw among a problem's
//! public-passing candidates (all final programs when none pass) is accepted on the hidden
//! tests, reported beside the single seeded draw, which is noisy on small sets.

use std::sync::Arc;

use super::accepted::accepted_count;
use crate::exec::Executor;
use crate::judge::JudgeError;
use crate::problem::Problem;
use crate::program::Program;

/// Mean hidden acceptance over `pool` (each candidate's code, duplicates counted: a draw picks
/// a sample, not a distinct program); `None` for an empty pool. Each distinct code runs once.
pub async fn mean_accepted(
    executor: &Executor,
    problem: &Arc<Problem>,
    pool: &[&Program],
) -> Result<Option<f64>, JudgeError> {
    if pool.is_empty() {
        return Ok(None);
    }
    let accepted = accepted_count(executor, problem, pool.iter().copied(), None).await?;
    Ok(Some(accepted as f64 / pool.len() as f64))
}
