//! How many of a list of programs the hidden tests accept, each distinct program judged once.

use std::collections::HashMap;
use std::sync::Arc;

use crate::exec::Executor;
use crate::judge::{judge, JudgeError, JudgeOptions, JudgeReport};
use crate::problem::{Problem, TestSelection};
use crate::program::Program;
use crate::verdict::Verdict;

/// [`judge`], except that a run the sandbox failed (twice) is an error: eval never scores a
/// program on it.
pub(super) async fn judged(
    executor: &Executor,
    problem: &Arc<Problem>,
    program: &Program,
    options: JudgeOptions,
) -> Result<JudgeReport, JudgeError> {
    let report = judge(executor, problem, program, options, &|_, _| {}).await?;
    if report.verdict == Verdict::InternalError {
        let detail = (report.tests.iter())
            .find(|test| test.verdict == Verdict::InternalError)
            .and_then(|test| test.detail.clone())
            .unwrap_or_default();
        return Err(JudgeError::Internal(detail));
    }
    Ok(report)
}

/// The programs of `codes` (duplicates counted: k of N samples) the hidden tests accept.
/// `known` is a program whose verdict is already in hand (the pick's), so it is not judged.
pub(super) async fn accepted_count<'a>(
    executor: &Executor,
    problem: &Arc<Problem>,
    codes: impl IntoIterator<Item = &'a Program>,
    known: Option<(&'a Program, bool)>,
) -> Result<usize, JudgeError> {
    let mut verdicts: HashMap<&Program, bool> = known.into_iter().collect();
    let options = JudgeOptions {
        tests: TestSelection::Hidden,
        all_tests: false,
    };
    let mut accepted = 0;
    for code in codes {
        let ok = match verdicts.get(code) {
            Some(&ok) => ok,
            None => {
                let ok = judged(executor, problem, code, options)
                    .await?
                    .verdict
                    .is_accepted();
                verdicts.insert(code, ok);
                ok
            }
        };
        accepted += usize::from(ok);
    }
    Ok(accepted)
}
