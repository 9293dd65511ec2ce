//! `sstar merge`: shard runs (`solve --shard K/N`) back into one run directory, equal to what
//! a single machine would have written.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use super::files::{append_line, write_json_atomic};
use super::records::{ProblemResult, RunInfo};
use super::run_dir::RunDir;

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
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
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> MergeError {
    let path = path.to_path_buf();
    move |source| MergeError::Io { path, source }
}

/// Merges `runs` into `out`; returns the merged results and the run info written.
pub fn merge_runs(
    runs: &[RunDir],
    out: &RunDir,
) -> Result<(BTreeMap<String, ProblemResult>, RunInfo), MergeError> {
    if out.results().exists() {
        return Err(MergeError::OutNotEmpty {
            path: out.root().into(),
        });
    }
    let mut results: BTreeMap<String, (ProblemResult, PathBuf)> = BTreeMap::new();
    let mut infos = Vec::new();
    for run in runs {
        let info = run.info().map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => MergeError::NotARun {
                path: run.root().into(),
                reason: e.to_string(),
            },
            _ => io_at(&run.run_json())(e),
        })?;
        infos.push(info);
        for (id, result) in run.finished().map_err(io_at(&run.results()))? {
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
    for run in runs {
        copy_tree(&run.root().join("problems"), &out.root().join("problems"))?;
        copy_tree(&run.llm_cache(), &out.llm_cache())?;
    }
    for (result, _) in results.values() {
        append_line(&out.results(), result).map_err(io_at(&out.results()))?;
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
    if let Some(settings) = info.settings.as_object_mut() {
        settings.remove("shard");
        let from: Vec<String> = runs
            .iter()
            .map(|r| r.root().display().to_string())
            .collect();
        settings.insert("merged_from".into(), from.into());
    }
    write_json_atomic(&out.run_json(), &info).map_err(io_at(&out.run_json()))?;
    Ok((
        results.into_iter().map(|(id, (r, _))| (id, r)).collect(),
        info,
    ))
}

/// Copies files under `from` into `to`, keeping relative paths (existing files are kept).
fn copy_tree(from: &Path, to: &Path) -> Result<(), MergeError> {
    let entries = match std::fs::read_dir(from) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(MergeError::Io {
                path: from.into(),
                source: e,
            })
        }
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
