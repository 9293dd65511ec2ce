//! The in-memory problem: settings from `problem.toml` plus the files beside it.

use std::ops::RangeInclusive;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::test_case::{TestCase, TestSelection};

/// How a candidate program is run (docs/problems.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A whole program: `.in` is stdin, `.out` the expected stdout.
    Stdio,
    /// A LeetCode-style entry point called with JSON arguments.
    Function,
}

/// How an answer is compared with the expected one (docs/verdicts.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Checker {
    /// LiveCodeBench's rule: stripped lines, equal as text or as exact decimals.
    #[default]
    Lines,
    /// Byte-equal after removing trailing whitespace.
    Exact,
    /// Whitespace-separated tokens equal.
    Tokens,
    /// Tokens equal, numbers within `float_tolerance`.
    Float,
    /// `checker.py INPUT EXPECTED ACTUAL`, run in the sandbox.
    Program,
}

/// Per-test resource limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Limits {
    /// CPU time per test.
    pub time_limit_ms: u64,
    /// Memory per test.
    pub memory_limit_mb: u64,
    /// Stdout per test (stderr is kept up to the same size).
    pub output_limit_mb: u64,
}

impl Limits {
    /// Accepted `time_limit_ms`: ten minutes per test is beyond any judge's limit, and keeps
    /// the derived wall limit (2 × CPU + 1 s) far from overflowing anything.
    pub const TIME_LIMIT_MS: RangeInclusive<u64> = 1..=600_000;
    /// Accepted `memory_limit_mb`: up to 64 GiB, so the byte count cannot wrap (it did: a huge
    /// value shifted into 0 bytes and every program failed).
    pub const MEMORY_LIMIT_MB: RangeInclusive<u64> = 1..=65_536;
    /// Accepted `output_limit_mb`: up to 4 GiB of stdout per test.
    pub const OUTPUT_LIMIT_MB: RangeInclusive<u64> = 1..=4_096;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            time_limit_ms: 6000,
            memory_limit_mb: 1024,
            output_limit_mb: 64,
        }
    }
}

/// Free metadata carried into reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Metadata {
    /// Where the problem comes from (contest, benchmark).
    pub source: Option<String>,
    /// Difficulty as the source names it.
    pub difficulty: Option<String>,
    /// Link to the original statement.
    pub url: Option<String>,
}

/// A reference program from `solutions/` (Python or C++); never shown to a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    /// File stem: `reference` for `solutions/reference.py`.
    pub name: String,
    /// Path of the file.
    pub path: PathBuf,
    /// Source code.
    pub code: String,
    /// What the code is written in (told by the file's extension).
    pub language: crate::program::Language,
}

impl Solution {
    /// The solution as a program to judge.
    pub fn program(&self) -> crate::program::Program {
        crate::program::Program::new(self.language, self.code.as_str())
    }

    /// Whether the solution is meant to fail (its name starts with `wrong_`).
    pub fn is_wrong(&self) -> bool {
        self.name.starts_with("wrong_")
    }
}

/// One loaded, validated problem (docs/problems.md).
#[derive(Debug, Clone)]
pub struct Problem {
    /// Directory name.
    pub id: String,
    /// The problem directory.
    pub dir: PathBuf,
    /// Short name.
    pub title: String,
    /// How programs are run.
    pub kind: Kind,
    /// `name` or `Class.method`; always `Some` for [`Kind::Function`], `None` for [`Kind::Stdio`].
    pub entry_point: Option<String>,
    /// Per-test limits.
    pub limits: Limits,
    /// How outputs are compared.
    pub checker: Checker,
    /// Absolute-or-relative tolerance for [`Checker::Float`].
    pub float_tolerance: f64,
    /// `statement.md`: what the model is shown.
    pub statement: String,
    /// `starter.py`, if present.
    pub starter: Option<String>,
    /// `tests/public`, in natural name order.
    pub public: Vec<TestCase>,
    /// `tests/hidden`, in natural name order.
    pub hidden: Vec<TestCase>,
    /// `solutions/*.py`, in natural name order.
    pub solutions: Vec<Solution>,
    /// `checker.py` source; `Some` exactly when `checker` is [`Checker::Program`].
    pub checker_program: Option<String>,
    /// Free metadata.
    pub metadata: Metadata,
    /// Packages of the judge's pinned set its programs may import (`packages` in
    /// `problem.toml`), sorted.
    pub packages: Vec<String>,
}

impl Problem {
    /// The selected tests; [`TestSelection::All`] yields public then hidden.
    pub fn tests(&self, which: TestSelection) -> impl Iterator<Item = &TestCase> + '_ {
        let (public, hidden): (&[TestCase], &[TestCase]) = match which {
            TestSelection::Public => (&self.public, &[]),
            TestSelection::Hidden => (&[], &self.hidden),
            TestSelection::All => (&self.public, &self.hidden),
        };
        public.iter().chain(hidden)
    }
}

/// Every package any of `problems` may import, sorted, once each: what a sandbox judging
/// them must offer.
pub fn packages_of<'a>(problems: impl IntoIterator<Item = &'a Problem>) -> Vec<String> {
    let all: std::collections::BTreeSet<&String> =
        problems.into_iter().flat_map(|p| &p.packages).collect();
    all.into_iter().cloned().collect()
}

#[cfg(test)]
impl Problem {
    /// A problem with no tests, statement or metadata, for unit tests of what reads its kind
    /// and checker.
    pub(crate) fn bare(kind: Kind, checker: Checker) -> Problem {
        Problem {
            id: "p".into(),
            dir: "p".into(),
            title: "P".into(),
            kind,
            entry_point: (kind == Kind::Function).then(|| "f".into()),
            limits: Limits::default(),
            checker,
            float_tolerance: 1e-6,
            statement: String::new(),
            starter: None,
            checker_program: None,
            metadata: Metadata::default(),
            packages: Vec::new(),
            public: Vec::new(),
            hidden: Vec::new(),
            solutions: Vec::new(),
        }
    }
}
