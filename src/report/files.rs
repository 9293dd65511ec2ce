//! Reading a run directory back (docs/run-directory.md) as it is on disk: old, merged, interrupted
//! or copied from elsewhere. Absent files are `None`; a file that exists but does not parse is an
//! error naming it.
//!
//! Every file is read with the type that writes it (`crate::schema`): a field an older run lacks
//! reads as the value that run had, and a file in a format newer than this sstar reads is an
//! error naming it, never misread.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::error::ReportError;
use crate::eval::EvalReport;
use crate::io_error::IoError;
use crate::schema::LedgerReport;
use crate::schema::{ProblemResult, RoundRecord, RunInfo, SelectionReport};
use crate::store::{JsonFileError, RunDir};

/// Everything a report reads from one run directory.
#[derive(Debug)]
pub(crate) struct RunFiles {
    pub root: PathBuf,
    pub info: Option<RunInfo>,
    pub results: BTreeMap<String, ProblemResult>,
    pub ledger: Option<LedgerReport>,
    pub eval: Option<EvalReport>,
    /// Every problem named by results.jsonl, eval.json or a `problems/<id>/` directory.
    pub problems: BTreeMap<String, ProblemFiles>,
}

#[derive(Debug, Default)]
pub(crate) struct ProblemFiles {
    pub selection: Option<SelectionReport>,
    pub trace: Vec<RoundRecord>,
    /// The trace ended in a torn line (a run killed mid-write): that line is left out.
    pub trace_torn: bool,
    pub has_trace: bool,
}

impl RunFiles {
    /// Reads `root`; see the module notes for what is lenient and what is an error.
    pub fn read(root: &Path) -> Result<Self, ReportError> {
        let run = RunDir::new(root);
        let meta = std::fs::metadata(root).map_err(ReportError::io(root))?;
        if !meta.is_dir() {
            return Err(ReportError::NotARun { path: root.into() });
        }
        let info: Option<RunInfo> = read_json(&run.run_json())?;
        // Read as `solve` and `eval` read it: an unreadable line is warned about and skipped.
        let results = run.finished().map_err(ReportError::io(run.results()))?;
        let ledger: Option<LedgerReport> = read_json(&run.ledger())?;
        let eval: Option<EvalReport> = read_json(&run.eval_json())?;
        let problems_dir = root.join("problems");
        let mut ids: BTreeSet<String> = results.keys().cloned().collect();
        if let Some(eval) = &eval {
            ids.extend(eval.problems.keys().cloned());
            ids.extend(eval.not_scored.keys().cloned());
        }
        match std::fs::read_dir(&problems_dir) {
            Ok(entries) => {
                for entry in entries {
                    let entry = entry.map_err(ReportError::io(&problems_dir))?;
                    if entry.file_type().is_ok_and(|t| t.is_dir()) {
                        ids.insert(entry.file_name().to_string_lossy().into_owned());
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(ReportError::io(&problems_dir)(e)),
        }
        if info.is_none() && ids.is_empty() {
            return Err(ReportError::NotARun { path: root.into() });
        }
        let mut problems = BTreeMap::new();
        for id in ids {
            let selection = read_json(&run.selection(&id))?;
            let (trace, trace_torn, has_trace) = read_trace(&run.trace(&id))?;
            problems.insert(
                id,
                ProblemFiles {
                    selection,
                    trace,
                    trace_torn,
                    has_trace,
                },
            );
        }
        Ok(Self {
            root: root.into(),
            info,
            results,
            ledger,
            eval,
            problems,
        })
    }
}

/// A JSON file, `None` when absent.
fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, ReportError> {
    crate::store::read_json_file(path).map_err(|e| match e {
        JsonFileError::Io(e) => ReportError::io(path)(e),
        JsonFileError::Malformed(e) => ReportError::malformed(path, e),
    })
}

fn read_trace(path: &Path) -> Result<(Vec<RoundRecord>, bool, bool), ReportError> {
    if !path.exists() {
        return Ok((Vec::new(), false, false));
    }
    let (lines, torn) = read_lines::<RoundRecord>(path)?;
    Ok((lines, torn, true))
}

/// JSON lines; returns them and whether a torn last line was skipped.
fn read_lines<T: DeserializeOwned>(path: &Path) -> Result<(Vec<T>, bool), ReportError> {
    match crate::store::read_lines(path) {
        Ok(lines) => Ok((lines.values, lines.torn)),
        Err(crate::store::LinesError::Io(IoError { source, .. })) => {
            Err(ReportError::io(path)(source))
        }
        Err(crate::store::LinesError::Malformed { line, reason, .. }) => Err(
            ReportError::malformed(path, format!("line {line}: {reason}")),
        ),
    }
}
