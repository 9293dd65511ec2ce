//! Reading a run directory back (docs/run-directory.md) as it is on disk: old, merged, interrupted
//! or copied from elsewhere. Absent files are `None`; a file that exists but does not parse is an
//! error naming it.
//!
//! `run.json`, `results.jsonl`, `ledger.json` and `eval.json` are read with the types that write
//! them. `selection.json` and `trace.jsonl` are written from types holding `&'static str` labels
//! and fields that older runs lack, so they are read here through lenient mirrors (every field
//! defaulted, labels as text), which also lets a report of a newer run's file show a label this
//! version does not know instead of failing.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::error::ReportError;
use crate::eval::EvalReport;
use crate::io_error::IoError;
use crate::schema::LedgerReport;
use crate::schema::{DecidedBy, RoundStatus};
use crate::schema::{ProblemResult, RunInfo};
use crate::store::RunDir;
use crate::Verdict;

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
    pub selection: Option<SelectionFile>,
    pub trace: Vec<TraceLine>,
    /// The trace ended in a torn line (a run killed mid-write): that line is left out.
    pub trace_torn: bool,
    pub has_trace: bool,
}

/// `selection.json`, leniently.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SelectionFile {
    pub method: Option<String>,
    pub model_free: bool,
    pub analysis_only: bool,
    pub finals: Vec<FinalFile>,
    pub candidates: Vec<usize>,
    pub inputs: Vec<InputFile>,
    pub groups: Vec<GroupFile>,
    pub always_failing: Vec<usize>,
    pub comparisons: Vec<ComparisonFile>,
    pub judge: Option<JudgeFile>,
    pub distinguishing: Vec<usize>,
    pub pick: Option<PickFile>,
    pub input_counts: Option<InputCounts>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct FinalFile {
    pub sample: usize,
    pub public_passed: usize,
    pub public_total: usize,
    pub code: String,
    /// Absent in runs written before programs had a language: Python.
    pub language: crate::program::Language,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct InputFile {
    pub source: String,
    pub seed: Option<u64>,
    pub bytes: usize,
    pub preview: String,
    pub file: Option<String>,
    pub kept: bool,
    pub tag: Option<String>,
    /// Absent in runs older than the field.
    pub splits: Option<usize>,
}

impl Default for InputFile {
    fn default() -> Self {
        Self {
            source: String::new(),
            seed: None,
            bytes: 0,
            preview: String::new(),
            file: None,
            // Runs older than `kept` recorded kept inputs only.
            kept: true,
            tag: None,
            splits: None,
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct GroupFile {
    pub samples: Vec<usize>,
    pub wins: usize,
    pub agreements: Option<usize>,
    pub agreement: Option<usize>,
    pub outputs: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct ComparisonFile {
    pub a: usize,
    pub b: usize,
    pub input: Option<usize>,
    /// `[asked as (A, B), asked swapped]`, each `"A"`, `"B"` or null.
    pub answers: Vec<Option<String>>,
    /// Every answer in the order asked, two per round (absent in runs before votes).
    pub votes: Vec<VoteFile>,
    pub winner: Option<usize>,
    pub decided_by: DecidedBy,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct VoteFile {
    pub round: usize,
    pub input: Option<usize>,
    pub swapped: bool,
    pub answer: Option<String>,
    pub group: Option<usize>,
}

/// The judge's votes summed over a problem's pairs.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct JudgeFile {
    pub pairs: usize,
    pub rounds: usize,
    pub votes: usize,
    pub split_rounds: usize,
    pub flip_rate: f64,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct PickFile {
    pub final_index: usize,
    pub sample: usize,
    pub reason: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct InputCounts {
    pub generated: usize,
    pub run: usize,
    pub kept: usize,
    pub executions: usize,
    pub budget: usize,
    pub stopped: Option<String>,
}

/// One line of `trace.jsonl`, leniently.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct TraceLine {
    pub sample: usize,
    pub round: usize,
    pub status: RoundStatus,
    pub public: Vec<PublicFile>,
    pub public_passed: usize,
    pub public_total: usize,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub cached: bool,
    pub error: Option<String>,
    pub reply: Option<String>,
    pub feedback: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PublicFile {
    pub name: String,
    pub verdict: Verdict,
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
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ReportError::io(path)(e)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| ReportError::malformed(path, e))
}

fn read_trace(path: &Path) -> Result<(Vec<TraceLine>, bool, bool), ReportError> {
    if !path.exists() {
        return Ok((Vec::new(), false, false));
    }
    let (lines, torn) = read_lines::<TraceLine>(path)?;
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
