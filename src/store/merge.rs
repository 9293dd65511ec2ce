//! `sstar merge`: shard runs (`solve --shard K/N`) back into one run directory, equal to what
//! a single machine would have written, with the shards' ledgers summed.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use super::files::{append_line, write_json_atomic};
use super::run_dir::RunDir;
use super::shards::ShardCoverage;
use crate::io_error::IoError;
use crate::schema::LedgerReport;
use crate::schema::{ProblemResult, RunInfo};

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("{}: not a run directory: {reason}", path.display())]
    NotARun { path: PathBuf, reason: String },
    #[error("problem `{id}` is finished in both {} and {}", first.display(), second.display())]
    Duplicate {
        id: String,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("{}: already holds results; merge into a new directory", path.display())]
    OutNotEmpty { path: PathBuf },
    #[error("{}: unreadable ledger: {reason}", path.display())]
    BadLedger { path: PathBuf, reason: String },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> MergeError {
    let path = path.to_path_buf();
    move |source| MergeError::Io(IoError::new(path, source))
}

/// What a merge wrote, and what the caller should warn about.
#[derive(Debug)]
pub struct Merged {
    pub results: BTreeMap<String, ProblemResult>,
    pub info: RunInfo,
    /// Missing, repeated or foreign shards among the inputs.
    pub shards: ShardCoverage,
    /// The summed ledger written to `ledger.json` (`None`: no input had one).
    pub ledger: Option<LedgerReport>,
    /// Inputs that asked a model but hold no `ledger.json` (their solve never finished):
    /// their calls are missing from the merged ledger.
    pub without_ledger: Vec<PathBuf>,
}

/// Merges `runs` into `out`: results, problem files, model caches and ledgers.
pub fn merge_runs(runs: &[RunDir], out: &RunDir) -> Result<Merged, MergeError> {
    if out.results().exists() {
        return Err(MergeError::OutNotEmpty {
            path: out.root().into(),
        });
    }
    let mut results: BTreeMap<String, (ProblemResult, PathBuf)> = BTreeMap::new();
    let mut infos = Vec::new();
    // Model calls per input, by its results: those with calls should have a ledger.
    let mut calls = Vec::new();
    for run in runs {
        let info = run.info().map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => MergeError::NotARun {
                path: run.root().into(),
                reason: e.to_string(),
            },
            _ => io_at(&run.run_json())(e),
        })?;
        infos.push(info);
        let finished = run.finished().map_err(io_at(&run.results()))?;
        calls.push(finished.values().map(|r| r.llm_calls).sum::<u64>());
        for (id, result) in finished {
            if let Some((_, first)) = results.get(&id) {
                return Err(MergeError::Duplicate {
                    id,
                    first: first.clone(),
                    second: run.root().into(),
                });
            }
            results.insert(id, (result, run.root().into()));
        }
    }
    let shards = ShardCoverage::of(
        &runs
            .iter()
            .zip(&infos)
            .map(|(run, i)| (run.root().to_path_buf(), i.settings.shard))
            .collect::<Vec<_>>(),
    );
    let mut ledger: Option<LedgerReport> = None;
    let mut without_ledger = Vec::new();
    for (run, calls) in runs.iter().zip(calls) {
        match read_ledger(run)? {
            Some(part) => ledger.get_or_insert_with(LedgerReport::default).add(&part),
            None if calls > 0 => without_ledger.push(run.root().to_path_buf()),
            None => {}
        }
    }
    for run in runs {
        copy_tree(&run.root().join("problems"), &out.root().join("problems"))?;
        copy_tree(&run.llm_cache(), &out.llm_cache())?;
    }
    for (result, _) in results.values() {
        append_line(&out.results(), result).map_err(io_at(&out.results()))?;
    }
    if let Some(ledger) = &ledger {
        let path = out.ledger();
        write_json_atomic(&path, ledger).map_err(io_at(&path))?;
    }
    let mut info = infos.first().cloned().ok_or_else(|| MergeError::NotARun {
        path: out.root().into(),
        reason: "nothing to merge".into(),
    })?;
    info.started_at = infos
        .iter()
        .map(|i| i.started_at.clone())
        .min()
        .unwrap_or_default();
    info.finished_at = infos.iter().filter_map(|i| i.finished_at.clone()).max();
    // The merged run stands for the whole split: eval counts a missing shard's problems as
    // unfinished rather than leaving them out.
    info.settings.shard = None;
    info.settings.merged_from = Some(
        runs.iter()
            .map(|r| r.root().display().to_string())
            .collect(),
    );
    write_json_atomic(&out.run_json(), &info).map_err(io_at(&out.run_json()))?;
    Ok(Merged {
        results: results.into_iter().map(|(id, (r, _))| (id, r)).collect(),
        info,
        shards,
        ledger,
        without_ledger,
    })
}

/// A run's `ledger.json`, if it has one.
fn read_ledger(run: &RunDir) -> Result<Option<LedgerReport>, MergeError> {
    run.read_ledger().map_err(|e| match e.kind() {
        io::ErrorKind::InvalidData => MergeError::BadLedger {
            path: run.ledger(),
            reason: e.to_string(),
        },
        _ => MergeError::Io(IoError::new(run.ledger(), e)),
    })
}

/// Copies files under `from` into `to`, keeping relative paths (existing files are kept).
fn copy_tree(from: &Path, to: &Path) -> Result<(), MergeError> {
    let entries = match std::fs::read_dir(from) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(MergeError::Io(IoError::new(from, e))),
    };
    std::fs::create_dir_all(to).map_err(io_at(to))?;
    for entry in entries {
        let entry = entry.map_err(io_at(from))?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type().map_err(io_at(&entry.path()))?;
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() && !target.exists() {
            std::fs::copy(entry.path(), &target).map_err(io_at(&target))?;
        }
    }
    Ok(())
}
