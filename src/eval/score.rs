//! Judging a finished run's picks and candidates on hidden tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::accepted::{accepted_count, judged};
use super::expectation;
use super::scope::scope;
use crate::exec::Executor;
use crate::io_error::IoError;
use crate::judge::{JudgeError, JudgeOptions};
use crate::pipeline::SelectMethod;
use crate::problem::{load_set, SetError, TestSelection};
use crate::program::Program;
use crate::schema::{
    EvalProblem, EvalReport, EvalSummary, NotScored, NotScoredReason, SelectionInfo,
};
use crate::schema::{FinalRecord, ResultStatus};
use crate::store::{write_json_atomic, JsonFileError, RunDir};

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("{}: not a run directory ({reason})", path.display())]
    NotARun { path: PathBuf, reason: String },
    #[error(transparent)]
    Set(#[from] SetError),
    #[error(transparent)]
    Judge(#[from] JudgeError),
}

/// Evaluates `run` against the problem set it was made from (or `set` when given) and writes
/// `eval.json`. Every problem the run was asked for is accounted for: scored, or named in
/// `not_scored` with the reason (errored, unfinished, malformed, no hidden tests, or a run the
/// sandbox failed twice).
/// `progress(done, total)` follows the problems. Programs run on `executor` (with the run's
/// execution cache, what `solve` or an earlier `eval` already ran is not run again).
pub async fn evaluate(
    executor: &Executor,
    run: &RunDir,
    set: Option<&Path>,
    progress: &dyn Fn(usize, usize),
) -> Result<EvalReport, EvalError> {
    let info = match run.info() {
        Ok(info) => Some(info),
        // With `--set`, a run.json is not needed to find the problems.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(run_json_error(run, e)),
    };
    let set_dir = match (set, &info) {
        (Some(set), _) => set.to_path_buf(),
        (None, Some(info)) => PathBuf::from(&info.set),
        (None, None) => {
            return Err(EvalError::NotARun {
                path: run.root().into(),
                reason: "no run.json".into(),
            })
        }
    };
    let settings = info.as_ref().map(|i| &i.settings);
    let method = settings.map(|s| s.pipeline.select);
    let problems = load_set(&set_dir)?;
    let results = run
        .finished()
        .map_err(|source| EvalError::Io(IoError::new(run.results(), source)))?;
    if info.is_none() && results.is_empty() {
        return Err(EvalError::NotARun {
            path: run.root().into(),
            reason: "no run.json and no results.jsonl".into(),
        });
    }
    for id in results.keys().filter(|id| problems.get(id).is_none()) {
        tracing::warn!(
            "{id}: not in the problem set {}; skipped",
            set_dir.display()
        );
    }
    let finished: BTreeSet<&str> = results.keys().map(String::as_str).collect();
    let scope = scope(&problems, settings, &finished);
    let mut not_scored = BTreeMap::new();
    for error in &scope.malformed {
        let id = error.id();
        let detail = Some(error.reason.to_string());
        let reason = NotScoredReason::Malformed;
        not_scored.insert(id, NotScored { reason, detail });
    }
    let mut out = BTreeMap::new();
    let mut selection_info = SelectionInfo {
        analysis_only: method == Some(SelectMethod::Oracle),
        model_free: settings.is_some_and(|s| s.model_free),
        method: method.map(|m| m.name().to_owned()),
    };
    let todo = scope.problems.len();
    for (done, problem) in scope.problems.iter().enumerate() {
        progress(done, todo);
        let id = &problem.id;
        let problem = Arc::new((*problem).clone());
        let not = |reason, detail| NotScored { reason, detail };
        let Some(result) = results.get(id) else {
            not_scored.insert(id.clone(), not(NotScoredReason::Unfinished, None));
            continue;
        };
        match result.status {
            ResultStatus::Error => {
                let detail = result.error.clone();
                not_scored.insert(id.clone(), not(NotScoredReason::Errored, detail));
                continue;
            }
            ResultStatus::Selected | ResultStatus::NoCandidate => {}
        }
        if problem.hidden.is_empty() {
            not_scored.insert(id.clone(), not(NotScoredReason::NoHiddenTests, None));
            continue;
        }
        let selection = (run.read_selection(id))
            .map_err(|source| EvalError::Io(IoError::new(run.selection(id), source)))?;
        if let Some(s) = &selection {
            selection_info.analysis_only |= s.analysis_only;
            selection_info.model_free |= s.model_free;
        }
        let scored = async {
            let mut entry = EvalProblem {
                verdict: None,
                passed: 0,
                total: problem.hidden.len(),
                any_candidate_accepted: false,
                difficulty: problem.metadata.difficulty.clone(),
                source: problem.metadata.source.clone(),
                random_expectation: None,
                finals: None,
                finals_accepted: None,
            };
            let selected = match result.status {
                ResultStatus::Selected => {
                    let program = run.read_solution(id, result.language);
                    if program.is_none() {
                        tracing::warn!(
                            "{id}: selected, but {} is missing: counted as no candidate",
                            run.solution(id, result.language.unwrap_or_default())
                                .display()
                        );
                    }
                    program
                }
                ResultStatus::NoCandidate | ResultStatus::Error => None,
            };
            if let Some(program) = &selected {
                let options = JudgeOptions {
                    tests: TestSelection::Hidden,
                    all_tests: true,
                };
                let report = judged(executor, &problem, program, options).await?;
                entry.verdict = Some(report.verdict);
                entry.passed = report.passed;
                entry.any_candidate_accepted = report.verdict.is_accepted();
            }
            if method == Some(SelectMethod::Random) {
                if let Some(s) = &selection {
                    // The draw is among the public-passing programs; with none, the pick is the
                    // best public pass rate, which is not random: its own verdict is the expectation.
                    let programs: Vec<Program> = s
                        .candidates
                        .iter()
                        .filter_map(|&i| s.finals.get(i).map(FinalRecord::program))
                        .collect();
                    let pool: Vec<&Program> = programs.iter().collect();
                    entry.random_expectation = if pool.is_empty() {
                        Some(f64::from(u8::from(entry.accepted())))
                    } else {
                        expectation::mean_accepted(executor, &problem, &pool).await?
                    };
                }
            }
            if let Some(s) = selection {
                let codes: Vec<Program> = s.finals.iter().map(FinalRecord::program).collect();
                // k of N over every final-round program; the pick's verdict is already in `entry`.
                let known = selected.as_ref().map(|program| (program, entry.accepted()));
                let finals = codes.iter();
                let accepted = accepted_count(executor, &problem, finals, known).await?;
                entry.finals = Some(codes.len());
                entry.finals_accepted = Some(accepted);
                entry.any_candidate_accepted |= accepted > 0;
            }
            Ok::<_, JudgeError>(entry)
        };
        match scored.await {
            Ok(entry) => {
                out.insert(id.clone(), entry);
            }
            // The sandbox failed a run twice: no verdict to score, and nothing cached, so the
            // next `eval` runs it again.
            Err(JudgeError::Internal(detail)) => {
                not_scored.insert(
                    id.clone(),
                    not(NotScoredReason::InternalError, Some(detail)),
                );
            }
            Err(e) => return Err(e.into()),
        }
    }
    progress(todo, todo);
    let summary = EvalSummary::of(&out, &not_scored, selection_info);
    let report = EvalReport {
        format: Default::default(),
        problems: out,
        summary,
        not_scored,
        against: Vec::new(),
    };
    write_json_atomic(&run.eval_json(), &report)
        .map_err(|source| EvalError::Io(IoError::new(run.eval_json(), source)))?;
    Ok(report)
}

fn run_json_error(run: &RunDir, e: std::io::Error) -> EvalError {
    match e.kind() {
        std::io::ErrorKind::InvalidData => EvalError::NotARun {
            path: run.root().into(),
            reason: e.to_string(),
        },
        _ => EvalError::Io(IoError::new(run.run_json(), e)),
    }
}

/// Reads a run's `eval.json`, if `sstar eval` already wrote one.
pub fn load_eval(run: &RunDir) -> Result<Option<EvalReport>, EvalError> {
    crate::store::read_json_file(&run.eval_json()).map_err(|e| match e {
        JsonFileError::Io(source) => EvalError::Io(IoError::new(run.eval_json(), source)),
        JsonFileError::Malformed(e) => EvalError::NotARun {
            path: run.eval_json(),
            reason: e.to_string(),
        },
    })
}
