//! Reading reference programs from `solutions/*.py`.

use std::path::Path;

use super::error::LoadErrorReason;
use super::files::{list_files, read_required_text, utf8_stem};
use super::model::Solution;
use super::natural::natural_cmp;

/// The `.py` files of `solutions/` in natural name order; other files are ignored.
pub(crate) fn read_solutions(dir: &Path) -> Result<Vec<Solution>, LoadErrorReason> {
    let is_python = |file: &Path| file.extension().is_some_and(|e| e == "py");
    let mut solutions = list_files(dir, Path::new("solutions"), is_python)?
        .into_iter()
        .map(|file| {
            Ok(Solution {
                name: utf8_stem(&file)?,
                code: read_required_text(dir, &file)?,
                path: dir.join(file),
            })
        })
        .collect::<Result<Vec<_>, LoadErrorReason>>()?;
    solutions.sort_by(|a, b| natural_cmp(&a.name, &b.name));
    Ok(solutions)
}
