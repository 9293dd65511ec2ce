//! Reading reference programs from `solutions/*.py` and `solutions/*.cpp`.

use std::path::Path;

use super::error::LoadErrorReason;
use super::files::{list_files, read_required_text, utf8_stem};
use super::model::Solution;
use super::natural::natural_cmp;
use crate::program::Language;

/// The programs of `solutions/` (`.py`, and C++ as `.cpp`, `.cc`, `.cxx`) in natural name
/// order; other files are ignored.
pub(crate) fn read_solutions(dir: &Path) -> Result<Vec<Solution>, LoadErrorReason> {
    let is_program = |file: &Path| Language::from_path(file).is_some();
    let mut solutions = list_files(dir, Path::new("solutions"), is_program)?
        .into_iter()
        .map(|file| {
            Ok(Solution {
                name: utf8_stem(&file)?,
                language: Language::from_path(&file).unwrap_or_default(),
                code: read_required_text(dir, &file)?,
                path: dir.join(file),
            })
        })
        .collect::<Result<Vec<_>, LoadErrorReason>>()?;
    solutions.sort_by(|a, b| natural_cmp(&a.name, &b.name));
    Ok(solutions)
}
