//! Problem sets on disk (docs/problems.md): loading, validating and natural ordering.

mod error;
mod files;
mod ids;
mod load;
mod manifest;
mod model;
mod natural;
mod solutions;
mod test_case;
mod tests_dir;

pub use error::{FileKind, LoadError, LoadErrorReason, SetError};
pub use ids::{dir_id, dir_ids, original_id, read_ids, IdsError, IDS_FILE};
pub use load::{load_problem, load_set, ProblemSet};
pub use model::{packages_of, Checker, Kind, Limits, Metadata, Problem, Solution};
pub use natural::natural_cmp;
pub use test_case::{TestCase, TestSelection, Visibility};

#[cfg(test)]
mod load_tests;
