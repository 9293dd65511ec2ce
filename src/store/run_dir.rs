//! Paths inside a run directory and reading back what a previous run finished.

use crate::program::{Language, Program};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::schema::LedgerReport;
use crate::schema::{ProblemResult, RunInfo, SelectionReport};

/// A run directory (`--out`).
#[derive(Debug, Clone)]
pub struct RunDir {
    root: PathBuf,
}

impl RunDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn run_json(&self) -> PathBuf {
        self.root.join("run.json")
    }

    pub fn results(&self) -> PathBuf {
        self.root.join("results.jsonl")
    }

    pub fn eval_json(&self) -> PathBuf {
        self.root.join("eval.json")
    }

    pub fn submission(&self) -> PathBuf {
        self.root.join("submission.json")
    }

    /// What the run replays instead of recomputing (model answers, execution outcomes): taking
    /// the run for writing checks that nobody else can write here.
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join("cache")
    }

    /// Where model answers are cached (keyed by request hash).
    pub fn llm_cache(&self) -> PathBuf {
        self.cache_dir().join("llm")
    }

    /// Where execution outcomes are cached (keyed by execution hash).
    pub fn exec_cache(&self) -> PathBuf {
        self.cache_dir().join("exec.log")
    }

    pub fn problem_dir(&self, id: &str) -> PathBuf {
        self.root.join("problems").join(id)
    }

    /// The selected program of `id` in `language`: `solution.py` or `solution.cpp`.
    pub fn solution(&self, id: &str, language: Language) -> PathBuf {
        self.problem_dir(id)
            .join(format!("solution.{}", language.extension()))
    }

    /// The selected program of `id`: in `language` (as its result records it), or, for a
    /// result that records none, in whichever language it was written.
    pub fn read_solution(&self, id: &str, language: Option<Language>) -> Option<Program> {
        let languages = match language {
            Some(language) => vec![language],
            None => vec![Language::Python, Language::Cpp],
        };
        languages.into_iter().find_map(|language| {
            let code = std::fs::read_to_string(self.solution(id, language)).ok()?;
            Some(Program::new(language, code))
        })
    }

    pub fn trace(&self, id: &str) -> PathBuf {
        self.problem_dir(id).join("trace.jsonl")
    }

    pub fn selection(&self, id: &str) -> PathBuf {
        self.problem_dir(id).join("selection.json")
    }

    /// Every synthesized input of a problem in full, one file each (`selection.json` names them).
    pub fn inputs_dir(&self, id: &str) -> PathBuf {
        self.problem_dir(id).join("inputs")
    }

    /// Model tokens and dollars per call, stage and problem, over every session of the run.
    pub fn ledger(&self) -> PathBuf {
        self.root.join("ledger.json")
    }

    /// The run's `ledger.json`, `None` when it has none; an unreadable one is an
    /// `InvalidData` error naming the file.
    pub fn read_ledger(&self) -> io::Result<Option<LedgerReport>> {
        super::read_json(&self.ledger())
    }

    /// A problem's `selection.json`, `None` when it has none; an unreadable one is an
    /// `InvalidData` error naming the file.
    pub fn read_selection(&self, id: &str) -> io::Result<Option<SelectionReport>> {
        super::read_json(&self.selection(id))
    }

    /// The run's `run.json`; an unreadable one is an `InvalidData` error naming the file.
    pub fn info(&self) -> io::Result<RunInfo> {
        super::read_json(&self.run_json())?.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("{}: no such file", self.run_json().display()),
            )
        })
    }

    /// Finished problems by id (the last line wins); a torn last line from a kill is skipped,
    /// any other unreadable line is an `InvalidData` error naming the file and line.
    pub fn finished(&self) -> io::Result<BTreeMap<String, ProblemResult>> {
        let lines = super::read_lines::<ProblemResult>(&self.results())?;
        Ok((lines.values.into_iter())
            .map(|result| (result.id.clone(), result))
            .collect())
    }
}
