//! `submission.json`: every finished problem's selected program in LiveCodeBench's
//! custom-evaluator format, kept in memory during a run and rewritten whole as problems finish.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use crate::program::Program;
use crate::schema::SubmissionEntry as Entry;
use crate::schema::{ProblemResult, ResultStatus};
use crate::store::{pretty_json, write_atomic, RunDir};

/// The submission of a run: built once from disk, then one problem at a time.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    /// Directory ids to the benchmark's own (`<set>/ids.json`, when the importer wrote one).
    ids: BTreeMap<String, String>,
    /// Each finished problem's selected program by directory id, `None` where none was.
    programs: BTreeMap<String, Option<Program>>,
}

impl Submission {
    /// An empty submission for the set at `set_dir`.
    pub fn new(set_dir: &Path) -> Self {
        Self {
            // An unreadable ids.json maps nothing (the importer reports it when it writes one).
            ids: crate::problem::read_ids(set_dir).unwrap_or_default(),
            programs: BTreeMap::new(),
        }
    }

    /// The submission of `results`, each selected program read from its `solution.*` file
    /// (once, when a run starts or runs are merged).
    pub fn from_disk(
        run: &RunDir,
        results: &BTreeMap<String, ProblemResult>,
        set_dir: &Path,
    ) -> Self {
        let mut submission = Self::new(set_dir);
        for result in results.values() {
            let program = match result.status {
                ResultStatus::Selected => run.read_solution(&result.id, result.language),
                ResultStatus::NoCandidate | ResultStatus::Error => None,
            };
            submission.add(result, program.as_ref());
        }
        submission
    }

    /// Adds a finished problem (replacing an earlier result of it); `solution` is the program
    /// its `solution.*` file holds, if any.
    pub fn add(&mut self, result: &ProblemResult, solution: Option<&Program>) {
        let program = match result.status {
            ResultStatus::Selected => solution.cloned(),
            ResultStatus::NoCandidate | ResultStatus::Error => None,
        };
        self.programs.insert(result.id.clone(), program);
    }

    /// The file's bytes: one entry per finished problem (an empty program where none was
    /// selected: LCB's evaluator expects every problem of the benchmark to be present).
    pub fn to_json(&self) -> io::Result<Vec<u8>> {
        let entries: Vec<Entry> = self
            .programs
            .iter()
            .map(|(id, program)| Entry {
                question_id: self.ids.get(id).unwrap_or(id).clone(),
                code_list: vec![program.as_ref().map_or("", |p| &*p.code).to_owned()],
                language: program.as_ref().map(|p| p.language),
            })
            .collect();
        pretty_json(&entries)
    }
}

/// `submission.json` of `results` in LiveCodeBench's custom-evaluator format; ids mapped back
/// to the benchmark's own through `<set>/ids.json` when the importer wrote one.
pub fn write_submission(
    run: &RunDir,
    results: &BTreeMap<String, ProblemResult>,
    set_dir: &Path,
) -> io::Result<()> {
    let bytes = Submission::from_disk(run, results, set_dir).to_json()?;
    write_atomic(&run.submission(), &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::Language;

    fn result(id: &str, status: ResultStatus) -> ProblemResult {
        serde_json::from_value(serde_json::json!({
            "id": id,
            "status": status,
            "public_passed": status == ResultStatus::Selected,
            "samples": 1,
            "llm_calls": 0,
            "prompt_tokens": 0,
            "completion_tokens": 0,
            "seconds": 0.0,
            "select": "first",
        }))
        .expect("a result")
    }

    #[test]
    fn built_one_problem_at_a_time_it_reads_no_solution_and_matches_a_full_rebuild() {
        let (set, out) = (
            tempfile::tempdir().expect("set"),
            tempfile::tempdir().expect("out"),
        );
        std::fs::write(set.path().join("ids.json"), r#"{"b": "Bench/1"}"#).expect("ids");
        let run = RunDir::new(out.path());
        let finished = [
            (
                "c",
                ResultStatus::Selected,
                Some(Program::new(Language::Cpp, "int main(){}\n")),
            ),
            (
                "a",
                ResultStatus::Selected,
                Some(Program::python("print(1)\n")),
            ),
            ("b", ResultStatus::NoCandidate, None),
            ("d", ResultStatus::Error, None),
        ];
        let mut results = BTreeMap::new();
        let mut submission = Submission::new(set.path());
        for (id, status, program) in &finished {
            let result = result(id, *status);
            if let Some(program) = program {
                let path = run.solution(id, program.language);
                crate::store::write_atomic(&path, program.code.as_bytes()).expect("solution");
            }
            results.insert((*id).to_owned(), result.clone());
            submission.add(&result, program.as_ref());
        }
        write_submission(&run, &results, set.path()).expect("full rebuild");
        let rebuilt = std::fs::read(run.submission()).expect("written");
        // Gone from disk: the incremental build must come from what it was handed.
        for (id, _, program) in &finished {
            if let Some(program) = program {
                let _ = std::fs::remove_file(run.solution(id, program.language));
            }
        }
        let incremental = submission.to_json().expect("json");
        assert_eq!(
            String::from_utf8_lossy(&incremental),
            String::from_utf8_lossy(&rebuilt)
        );
        let expected = r#"[
  {
    "question_id": "a",
    "code_list": [
      "print(1)\n"
    ],
    "language": "python"
  },
  {
    "question_id": "Bench/1",
    "code_list": [
      ""
    ]
  },
  {
    "question_id": "c",
    "code_list": [
      "int main(){}\n"
    ],
    "language": "cpp"
  },
  {
    "question_id": "d",
    "code_list": [
      ""
    ]
  }
]
"#;
        assert_eq!(String::from_utf8_lossy(&incremental), expected);
    }

    #[test]
    fn a_redone_problem_replaces_its_entry() {
        let set = tempfile::tempdir().expect("set");
        let mut submission = Submission::new(set.path());
        submission.add(&result("a", ResultStatus::Error), None);
        let program = Program::python("print(1)");
        submission.add(&result("a", ResultStatus::Selected), Some(&program));
        let value: serde_json::Value =
            serde_json::from_slice(&submission.to_json().expect("json")).expect("parses");
        assert_eq!(
            value,
            serde_json::json!([{"question_id": "a", "code_list": ["print(1)"], "language": "python"}])
        );
    }
}
