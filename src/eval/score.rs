//! Judging a finished run's picks and candidates on hidden tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sstar_sandbox::Sandbox;

use super::report::{EvalProblem, EvalReport, EvalSummary};
use crate::judge::{judge, JudgeError, JudgeOptions};
use crate::problem::{load_set, Problem, SetError, TestSelection};
use crate::store::{write_json_atomic, ResultStatus, RunDir};

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a run directory ({reason})", path.display())]
    NotARun { path: PathBuf, reason: String },
    #[error(transparent)]
    Set(#[from] SetError),
    #[error(transparent)]
    Judge(#[from] JudgeError),
}

#[derive(Deserialize)]
struct SelectionFile {
    #[serde(default)]
    analysis_only: bool,
    #[serde(default)]
    finals: Vec<FinalCode>,
}

#[derive(Deserialize)]
struct FinalCode {
    code: String,
}

/// Evaluates `run` against the problem set it was made from (or `set` when given) and writes
/// `eval.json`. `progress(done, total)` follows the problems.
pub fn evaluate(
    sandbox: &Sandbox,
    run: &RunDir,
    set: Option<&Path>,
    progress: &dyn Fn(usize, usize),
) -> Result<EvalReport, EvalError> {
    let set_dir = match set {
        Some(set) => set.to_path_buf(),
        None => set_from_run_json(run)?,
    };
    let problems = load_set(&set_dir)?;
    let results = run.finished().map_err(|source| EvalError::Io {
        path: run.results(),
        source,
    })?;
    if results.is_empty() {
        return Err(EvalError::NotARun {
            path: run.root().into(),
            reason: "no finished problems in results.jsonl".into(),
        });
    }
    let mut out = BTreeMap::new();
    let mut analysis_only = false;
    for (done, (id, result)) in results.iter().enumerate() {
        progress(done, results.len());
        let Some(problem) = problems.problems.iter().find(|p| &p.id == id) else {
            tracing::warn!(
                "{id}: not in the problem set {}; skipped",
                set_dir.display()
            );
            continue;
        };
        if problem.hidden.is_empty() {
            tracing::warn!("{id}: no hidden tests; left out of the evaluation");
            continue;
        }
        let selection: Option<SelectionFile> = std::fs::read(run.selection(id))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        analysis_only |= selection.as_ref().is_some_and(|s| s.analysis_only);
        let mut entry = EvalProblem {
            verdict: None,
            passed: 0,
            total: problem.hidden.len(),
            any_candidate_accepted: false,
            difficulty: problem.metadata.difficulty.clone(),
            source: problem.metadata.source.clone(),
        };
        let selected = (result.status == ResultStatus::Selected)
            .then(|| std::fs::read_to_string(run.solution(id)).ok())
            .flatten();
        if let Some(code) = &selected {
            let options = JudgeOptions {
                tests: TestSelection::Hidden,
                all_tests: true,
            };
            let report = judge(sandbox, problem, code, options, &|_, _| {})?;
            entry.verdict = Some(report.verdict);
            entry.passed = report.passed;
            entry.any_candidate_accepted = report.verdict.is_accepted();
        }
        if !entry.any_candidate_accepted {
            let codes = selection
                .map(|s| s.finals.into_iter().map(|f| f.code).collect())
                .unwrap_or_default();
            entry.any_candidate_accepted =
                any_accepted(sandbox, problem, codes, selected.as_deref())?;
        }
        out.insert(id.clone(), entry);
    }
    progress(results.len(), results.len());
    let unattempted = problems
        .problems
        .iter()
        .filter(|p| !results.contains_key(&p.id))
        .count();
    if unattempted > 0 {
        tracing::warn!(
            "{unattempted} problems of {} have no result in this run and are not counted",
            set_dir.display()
        );
    }
    let summary = EvalSummary::of(&out, analysis_only);
    let report = EvalReport {
        problems: out,
        summary,
    };
    write_json_atomic(&run.eval_json(), &report).map_err(|source| EvalError::Io {
        path: run.eval_json(),
        source,
    })?;
    Ok(report)
}

fn any_accepted(
    sandbox: &Sandbox,
    problem: &Problem,
    mut codes: Vec<String>,
    skip: Option<&str>,
) -> Result<bool, JudgeError> {
    codes.sort();
    codes.dedup();
    for code in codes.iter().filter(|c| Some(c.as_str()) != skip) {
        let options = JudgeOptions {
            tests: TestSelection::Hidden,
            all_tests: false,
        };
        if judge(sandbox, problem, code, options, &|_, _| {})?
            .verdict
            .is_accepted()
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn set_from_run_json(run: &RunDir) -> Result<PathBuf, EvalError> {
    match run.info() {
        Ok(info) => Ok(PathBuf::from(info.set)),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Err(EvalError::NotARun {
            path: run.root().into(),
            reason: e.to_string(),
        }),
        Err(source) => Err(EvalError::Io {
            path: run.run_json(),
            source,
        }),
    }
}

/// Reads a run's `eval.json`, if `sstar eval` already wrote one.
pub fn load_eval(run: &RunDir) -> Result<Option<EvalReport>, EvalError> {
    match std::fs::read(run.eval_json()) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| EvalError::NotARun {
                path: run.eval_json(),
                reason: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(EvalError::Io {
            path: run.eval_json(),
            source,
        }),
    }
}
