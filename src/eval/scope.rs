//! Which problems a run was asked to solve: the set, narrowed the way `solve` narrowed it by the
//! `--shard`, `--only` and `--candidates` recorded in run.json, so eval can name what never
//! finished instead of leaving it out of the count.

use std::collections::BTreeSet;
use std::path::Path;

use crate::pipeline::load_candidates;
use crate::problem::{LoadError, Problem, ProblemSet};
use crate::schema::RunSettings;

/// The problems of `set` the run was asked for, and the malformed ones among its directories.
#[derive(Debug)]
pub struct Scope<'a> {
    pub problems: Vec<&'a Problem>,
    pub malformed: Vec<&'a LoadError>,
}

/// Narrows `set` as `solve` did with `settings` (`None`, a run without run.json: the whole
/// set). `finished` ids are always in scope (a resumed run may have had another `--only`).
pub fn scope<'a>(
    set: &'a ProblemSet,
    settings: Option<&RunSettings>,
    finished: &BTreeSet<&str>,
) -> Scope<'a> {
    let given = settings
        .and_then(|s| s.candidates.as_deref())
        .and_then(|path| candidate_ids(path, &set.dir));
    let only = settings.map_or(&[][..], |s| &s.only[..]);
    let named = |id: &str| only.is_empty() || only.iter().any(|o| o == id);
    let asked = |id: &str| named(id) && given.as_ref().is_none_or(|g| g.contains(id));
    // The same split as `solve --shard K/N`: by position among the valid problems.
    let shard = settings.and_then(|s| s.shard);
    let in_shard = |i: usize| shard.is_none_or(|s| s.holds(i));
    let problems = set
        .problems
        .iter()
        .enumerate()
        .filter(|(i, p)| (in_shard(*i) && asked(&p.id)) || finished.contains(p.id.as_str()))
        .map(|(_, p)| p)
        .collect();
    // A malformed problem belongs to no shard and can have no candidates: every eval of the set
    // names it (unless `--only` left it out), so no part of a broken set looks whole.
    let malformed = set.errors.iter().filter(|e| named(&e.id())).collect();
    Scope {
        problems,
        malformed,
    }
}

/// Problem ids of a `--candidates` file (benchmark ids mapped to directory names through the
/// set's `ids.json`, as `solve` does); `None` when it cannot be read from here.
fn candidate_ids(path: &Path, set: &Path) -> Option<BTreeSet<String>> {
    let given = match load_candidates(path) {
        Ok(given) => given,
        Err(e) => {
            tracing::warn!(
                "the run's --candidates file is not readable from here ({e}): problems without a result count as unfinished"
            );
            return None;
        }
    };
    let ids = crate::problem::read_ids(set).unwrap_or_default();
    let dir_ids = crate::problem::dir_ids(&ids);
    Some(
        given
            .into_keys()
            .map(|id| crate::problem::dir_id(&dir_ids, id))
            .collect(),
    )
}
