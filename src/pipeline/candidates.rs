//! `--candidates FILE`: programs given instead of generated — JSONL `{"id", "code",
//! "language"?}` lines or a LiveCodeBench output file `[{"question_id", "code_list": [...]}]`
//! (a program without a language is told by its text); and `--inputs FILE`:
//! extra selection inputs, JSONL `{"id", "input", "output"?}`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::io_error::IoError;
use crate::program::{Language, Program};
use crate::schema::SubmissionEntry;

#[derive(Debug, thiserror::Error)]
pub enum CandidatesError {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("{}: line {line}: {message}", path.display())]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}: not a livecodebench output file: {message}", path.display())]
    Json { path: PathBuf, message: String },
}

/// Programs per problem id, in file order.
pub type Candidates = BTreeMap<String, Vec<Program>>;

pub fn load_candidates(path: &Path) -> Result<Candidates, CandidatesError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| CandidatesError::Io(IoError::new(path, source)))?;
    if text.trim_start().starts_with('[') {
        let rows: Vec<SubmissionEntry> =
            serde_json::from_str(&text).map_err(|e| CandidatesError::Json {
                path: path.into(),
                message: e.to_string(),
            })?;
        let mut out = Candidates::new();
        for row in rows {
            let language = row.language;
            out.entry(row.question_id)
                .or_default()
                .extend((row.code_list.into_iter()).map(|code| match language {
                    Some(language) => Program::new(language, code),
                    None => Program::detect(code),
                }));
        }
        return Ok(out);
    }
    #[derive(Deserialize)]
    struct Line {
        id: String,
        code: String,
        #[serde(default)]
        language: Option<String>,
    }
    let mut out = Candidates::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: Line = serde_json::from_str(line).map_err(|e| CandidatesError::Line {
            path: path.into(),
            line: number + 1,
            message: e.to_string(),
        })?;
        let program = match row.language.as_deref() {
            None => Program::detect(row.code),
            Some(name) => match Language::parse(name) {
                Some(language) => Program::new(language, row.code),
                None => {
                    return Err(CandidatesError::Line {
                        path: path.into(),
                        line: number + 1,
                        message: format!("unknown language `{name}` (python or cpp)"),
                    })
                }
            },
        };
        out.entry(row.id).or_default().push(program);
    }
    Ok(out)
}

/// `--inputs FILE`: extra test inputs per problem, JSONL `{"id", "input"}` (e.g. inputs a
/// model wrote elsewhere). Only the inputs are used — never an expected output.
/// One `--inputs` line: an input for selection, and the output its writer expects, if given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenInput {
    pub input: String,
    /// Expected stdout, or the expected return value as JSON. Never trusted as a test: it only
    /// ranks behaviour groups where no model judges (CodeT's dual agreement).
    pub output: Option<String>,
}

/// Given inputs per problem id, in file order.
pub type GivenInputs = BTreeMap<String, Vec<GivenInput>>;

pub fn load_inputs(path: &Path) -> Result<GivenInputs, CandidatesError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| CandidatesError::Io(IoError::new(path, source)))?;
    #[derive(Deserialize)]
    struct Line {
        id: String,
        input: String,
        #[serde(default, alias = "expected")]
        output: Option<String>,
    }
    let mut out = GivenInputs::new();
    for (number, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let row: Line = serde_json::from_str(line).map_err(|e| CandidatesError::Line {
            path: path.into(),
            line: number + 1,
            message: e.to_string(),
        })?;
        out.entry(row.id).or_default().push(GivenInput {
            input: row.input,
            output: row.output,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_load() {
        let dir = tempfile::tempdir().expect("tempdir");
        let jsonl = dir.path().join("c.jsonl");
        std::fs::write(
            &jsonl,
            "{\"id\": \"a\", \"code\": \"x\"}\n\n{\"id\": \"a\", \"code\": \"y\"}\n",
        )
        .expect("write");
        let python = |code: &str| Program::python(code);
        assert_eq!(
            load_candidates(&jsonl).expect("jsonl")["a"],
            [python("x"), python("y")]
        );
        let lcb = dir.path().join("c.json");
        std::fs::write(
            &lcb,
            "[{\"question_id\": \"q1\", \"code_list\": [\"p\", \"q\"]}]",
        )
        .expect("write");
        assert_eq!(
            load_candidates(&lcb).expect("lcb")["q1"],
            [python("p"), python("q")]
        );
        std::fs::write(&jsonl, "{\"id\": 1}\n").expect("write");
        assert!(load_candidates(&jsonl)
            .unwrap_err()
            .to_string()
            .contains("line 1"));
    }

    #[test]
    fn a_line_names_its_language_or_has_it_told_from_its_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let jsonl = dir.path().join("c.jsonl");
        let cpp = "#include <cstdio>\nint main(){}\n";
        let lines = [
            serde_json::json!({"id": "a", "code": "int main(){}", "language": "cpp"}),
            serde_json::json!({"id": "a", "code": cpp}),
            serde_json::json!({"id": "a", "code": cpp, "language": "python"}),
        ];
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(&jsonl, text).expect("write");
        let languages: Vec<Language> = load_candidates(&jsonl).expect("loads")["a"]
            .iter()
            .map(|p| p.language)
            .collect();
        assert_eq!(languages, [Language::Cpp, Language::Cpp, Language::Python]);
        std::fs::write(
            &jsonl,
            "{\"id\": \"a\", \"code\": \"x\", \"language\": \"rust\"}\n",
        )
        .expect("write");
        let error = load_candidates(&jsonl).expect_err("unknown").to_string();
        assert!(
            error.contains("line 1") && error.contains("rust"),
            "{error}"
        );
    }
}
