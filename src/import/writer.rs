//! The shared writer: one converted problem ([`Draft`]) written as a problem directory
//! (docs/problems.md), built beside the set and moved into place only once it loads back.

use std::path::Path;

use serde::Serialize;

use super::error::{ImportError, SkipReason};
use crate::problem::{load_problem, Checker, Kind, Metadata};
use crate::program::Program;

/// One test: `.in` and `.out` contents, written verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TestPair {
    pub input: String,
    pub output: String,
}

/// A problem converted from a benchmark row, ready to write.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub title: String,
    pub kind: Kind,
    pub entry_point: Option<String>,
    pub time_limit_ms: Option<u64>,
    pub memory_limit_mb: Option<u64>,
    pub checker: Option<Checker>,
    pub float_tolerance: Option<f64>,
    /// `checker.py`, for `checker = "program"`.
    pub checker_program: Option<String>,
    pub metadata: Metadata,
    /// Packages of the judge's pinned set the benchmark's programs may import.
    pub packages: Vec<String>,
    pub statement: String,
    pub starter: Option<String>,
    pub public: Vec<TestPair>,
    pub hidden: Vec<TestPair>,
    /// `(file stem, program)`: `reference_1`, `wrong_1`, ... (`.py` or `.cpp` by language).
    pub solutions: Vec<(String, Program)>,
    /// Tests of the benchmark not written, and why (logged, counted in the summary).
    pub dropped: Vec<String>,
    /// Other remarks on the conversion (logged at debug level).
    pub notes: Vec<String>,
}

impl Draft {
    /// A problem with no tests, no solutions and default limits.
    pub fn new(title: impl Into<String>, kind: Kind, statement: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            kind,
            entry_point: None,
            time_limit_ms: None,
            memory_limit_mb: None,
            checker: None,
            float_tolerance: None,
            checker_program: None,
            metadata: Metadata::default(),
            packages: Vec::new(),
            statement: statement.into(),
            starter: None,
            public: Vec::new(),
            hidden: Vec::new(),
            solutions: Vec::new(),
            dropped: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// `problem.toml` as written: absent options are left to their defaults (docs/problems.md).
#[derive(Serialize)]
struct Manifest<'a> {
    title: &'a str,
    kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry_point: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_limit_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    memory_limit_mb: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    checker: Option<Checker>,
    #[serde(skip_serializing_if = "Option::is_none")]
    float_tolerance: Option<f64>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    packages: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    difficulty: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

fn manifest(draft: &Draft) -> Result<String, SkipReason> {
    let m = &draft.metadata;
    toml::to_string(&Manifest {
        title: &draft.title,
        kind: draft.kind,
        entry_point: draft.entry_point.as_deref(),
        time_limit_ms: draft.time_limit_ms,
        memory_limit_mb: draft.memory_limit_mb,
        checker: draft.checker,
        float_tolerance: draft.float_tolerance,
        packages: &draft.packages,
        source: m.source.as_deref(),
        difficulty: m.difficulty.as_deref(),
        url: m.url.as_deref(),
    })
    .map_err(|e| SkipReason::Invalid(format!("cannot encode problem.toml: {e}")))
}

/// Writes `draft` as `<set>/<id>`, replacing an existing directory of that name. A draft
/// that does not load back is not written (the skip says why); a filesystem failure is fatal.
pub(crate) fn write_problem(
    set: &Path,
    id: &str,
    draft: &Draft,
) -> Result<Result<(), SkipReason>, ImportError> {
    let manifest = match manifest(draft) {
        Ok(text) => text,
        Err(skip) => return Ok(Err(skip)),
    };
    let staging = set.join(format!(".import-{id}"));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(ImportError::write(&staging))?;
    }
    let write = |relative: &str, contents: &str| -> Result<(), ImportError> {
        let path = staging.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(ImportError::write(parent))?;
        }
        std::fs::write(&path, contents).map_err(ImportError::write(&path))
    };
    write("statement.md", &draft.statement)?;
    if let Some(starter) = &draft.starter {
        write("starter.py", starter)?;
    }
    if let Some(checker) = &draft.checker_program {
        write("checker.py", checker)?;
    }
    for (dir, tests) in [("public", &draft.public), ("hidden", &draft.hidden)] {
        std::fs::create_dir_all(staging.join("tests").join(dir))
            .map_err(ImportError::write(staging.join("tests").join(dir)))?;
        for (n, test) in tests.iter().enumerate() {
            write(&format!("tests/{dir}/{}.in", n + 1), &test.input)?;
            write(&format!("tests/{dir}/{}.out", n + 1), &test.output)?;
        }
    }
    for (name, program) in &draft.solutions {
        write(
            &format!("solutions/{}", program.file_name(name)),
            &program.code,
        )?;
    }
    // Last: a directory without problem.toml is not a problem, should we stop half-way.
    write("problem.toml", &manifest)?;
    if let Err(error) = load_problem(&staging) {
        std::fs::remove_dir_all(&staging).map_err(ImportError::write(&staging))?;
        return Ok(Err(SkipReason::Invalid(error.reason.to_string())));
    }
    let target = set.join(id);
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(ImportError::write(&target))?;
    }
    std::fs::rename(&staging, &target).map_err(ImportError::write(&target))?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        let mut draft = Draft::new("Add", Kind::Function, "Add two numbers.\n");
        draft.entry_point = Some("add".into());
        draft.metadata.source = Some("unit".into());
        draft.starter = Some("def add(a, b):\n    pass\n".into());
        draft.public.push(TestPair {
            input: "1\n2\n".into(),
            output: "3".into(),
        });
        draft.hidden.push(TestPair {
            input: "5\n7\n".into(),
            output: "12".into(),
        });
        draft.solutions.push((
            "reference_1".into(),
            Program::python("def add(a, b):\n    return a + b\n"),
        ));
        draft
    }

    #[test]
    fn a_draft_round_trips_through_the_loader() {
        let set = tempfile::tempdir().expect("temp dir");
        write_problem(set.path(), "add", &draft())
            .expect("io")
            .expect("valid");
        let problem = load_problem(&set.path().join("add")).expect("loads");
        assert_eq!(problem.title, "Add");
        assert_eq!(problem.entry_point.as_deref(), Some("add"));
        assert_eq!(problem.public.len(), 1);
        assert_eq!(&*problem.hidden[0].input, b"5\n7\n");
        assert_eq!(problem.solutions[0].name, "reference_1");
        assert_eq!(problem.metadata.source.as_deref(), Some("unit"));
        assert!(!set.path().join(".import-add").exists());
    }

    #[test]
    fn a_draft_that_does_not_load_is_not_written() {
        let set = tempfile::tempdir().expect("temp dir");
        let mut bad = draft();
        bad.hidden[0].input = "not json\n".into();
        let skip = write_problem(set.path(), "add", &bad)
            .expect("io")
            .expect_err("invalid");
        assert!(matches!(skip, SkipReason::Invalid(_)), "{skip:?}");
        assert!(skip.to_string().contains("bad json argument"), "{skip}");
        assert!(std::fs::read_dir(set.path()).expect("set").next().is_none());
    }
}
