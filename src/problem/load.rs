//! Loading one problem directory, or a whole set of them.

use std::path::{Path, PathBuf};

use super::error::{LoadError, LoadErrorReason, SetError};
use super::files::{read_optional_text, read_required_text};
use super::manifest::{parse_set_defaults, Manifest};
use super::model::{Checker, Problem};
use super::natural::natural_cmp;
use super::solutions::read_solutions;
use super::test_case::Visibility;
use super::tests_dir::read_tests;
use crate::io_error::IoError;

/// A loaded problem set: the problems that loaded and the ones that did not.
#[derive(Debug)]
pub struct ProblemSet {
    /// The set directory.
    pub dir: PathBuf,
    /// Valid problems, by id in natural order.
    pub problems: Vec<Problem>,
    /// Malformed problems, by path in natural order.
    pub errors: Vec<LoadError>,
}

impl ProblemSet {
    /// The problem with this id.
    pub fn get(&self, id: &str) -> Option<&Problem> {
        self.problems.iter().find(|p| p.id == id)
    }
}

/// Loads every immediate subdirectory of `dir` holding a `problem.toml`.
///
/// A malformed problem lands in [`ProblemSet::errors`] and the rest still
/// load; an unusable set directory, or one with no problem at all, is an error.
pub fn load_set(dir: &Path) -> Result<ProblemSet, SetError> {
    if !dir.is_dir() {
        return Err(SetError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    let unreadable = |source| SetError::Unreadable {
        path: dir.to_path_buf(),
        source,
    };
    let mut problems = Vec::new();
    let mut errors = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        // Not `exists()`: a manifest that is a dangling link is reported, not passed over.
        if !(path.is_dir() && std::fs::symlink_metadata(path.join(MANIFEST)).is_ok()) {
            continue;
        }
        match load_problem(&path) {
            Ok(problem) => problems.push(problem),
            Err(err) => errors.push(err),
        }
    }
    if problems.is_empty() && errors.is_empty() {
        return Err(SetError::Empty {
            path: dir.to_path_buf(),
            is_problem: std::fs::symlink_metadata(dir.join(MANIFEST)).is_ok(),
        });
    }
    problems.sort_by(|a, b| natural_cmp(&a.id, &b.id));
    errors.sort_by(|a, b| natural_cmp(&a.path.to_string_lossy(), &b.path.to_string_lossy()));
    tracing::debug!(
        set = %dir.display(),
        loaded = problems.len(),
        malformed = errors.len(),
        "loaded problem set"
    );
    Ok(ProblemSet {
        dir: dir.to_path_buf(),
        problems,
        errors,
    })
}

/// Loads and validates one problem directory; its id is the directory name.
pub fn load_problem(dir: &Path) -> Result<Problem, LoadError> {
    read_problem(dir).map_err(|reason| LoadError {
        path: dir.to_path_buf(),
        reason,
    })
}

const MANIFEST: &str = "problem.toml";

fn read_problem(dir: &Path) -> Result<Problem, LoadErrorReason> {
    // Only the last component (the set itself may sit under a linked path), without a
    // trailing slash, which would make lstat follow the link.
    let last: PathBuf = dir.components().collect();
    if std::fs::symlink_metadata(&last).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(LoadErrorReason::LinkedProblem);
    }
    if !dir.is_dir() {
        return Err(LoadErrorReason::NotADirectory);
    }
    let id = problem_id(dir)?;
    let manifest = Manifest::parse(&read_required_text(dir, Path::new(MANIFEST))?)?;
    let packages = match manifest.packages {
        Some(packages) => packages,
        None => set_defaults(dir)?,
    };
    let statement = read_required_text(dir, Path::new("statement.md"))?;
    let starter = read_optional_text(dir, Path::new("starter.py"))?;
    let checker_program = match manifest.checker {
        Checker::Program => Some(
            read_optional_text(dir, Path::new("checker.py"))?
                .ok_or(LoadErrorReason::MissingCheckerProgram)?,
        ),
        Checker::Lines | Checker::Exact | Checker::Tokens | Checker::Float => None,
    };
    let public = read_tests(dir, Visibility::Public, manifest.kind)?;
    let hidden = read_tests(dir, Visibility::Hidden, manifest.kind)?;
    let solutions = read_solutions(dir)?;
    Ok(Problem {
        id,
        dir: dir.to_path_buf(),
        title: manifest.title,
        kind: manifest.kind,
        entry_point: manifest.entry_point,
        limits: manifest.limits,
        checker: manifest.checker,
        float_tolerance: manifest.float_tolerance,
        statement,
        starter,
        public,
        hidden,
        solutions,
        checker_program,
        metadata: manifest.metadata,
        packages,
    })
}

/// The packages the set's `set.toml` (in the directory above the problem) gives its problems;
/// none without one.
fn set_defaults(dir: &Path) -> Result<Vec<String>, LoadErrorReason> {
    match read_optional_text(&dir.join(".."), Path::new(SET_DEFAULTS))? {
        Some(text) => parse_set_defaults(&text),
        None => Ok(Vec::new()),
    }
}

/// A set's defaults for its problems, at its root.
const SET_DEFAULTS: &str = "set.toml";

/// The directory's name, resolving `.` and `..` first.
fn problem_id(dir: &Path) -> Result<String, LoadErrorReason> {
    let name = match dir.file_name() {
        Some(name) => name.to_owned(),
        None => dir
            .canonicalize()
            .map_err(|source| LoadErrorReason::Io(IoError::new(PathBuf::from("."), source)))?
            .file_name()
            .map(ToOwned::to_owned)
            .ok_or_else(|| LoadErrorReason::BadName {
                name: dir.to_path_buf(),
            })?,
    };
    name.into_string()
        .map_err(|name| LoadErrorReason::BadName { name: name.into() })
}
