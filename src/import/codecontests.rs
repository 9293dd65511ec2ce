//! DeepMind CodeContests rows: stdio problems whose tests are the public, private and
//! generated tests, with Python 3 and C++ `solutions` as references and
//! `incorrect_solutions` as `wrong_*` programs (`solutions/*.py`, `solutions/*.cpp`).

use crate::program::{Language, Program};
use serde::Deserialize;
use serde_json::Value;

use super::error::SkipReason;
use super::fields::{id_of, row, string_or_number};
use super::input::RawRow;
use super::run::{Context, ImportOptions, Importer, Parsed};
use super::writer::{Draft, TestPair};
use crate::problem::Kind;

#[derive(Debug)]
pub(crate) struct CodeContests;

#[derive(Debug, Deserialize)]
pub(crate) struct Row {
    #[serde(deserialize_with = "string_or_number")]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    public_tests: Option<Tests>,
    #[serde(default)]
    private_tests: Option<Tests>,
    #[serde(default)]
    generated_tests: Option<Tests>,
    #[serde(default)]
    source: Value,
    #[serde(default)]
    difficulty: Value,
    #[serde(default)]
    time_limit: Value,
    #[serde(default)]
    memory_limit_bytes: Value,
    #[serde(default)]
    solutions: Value,
    #[serde(default)]
    incorrect_solutions: Value,
    #[serde(default)]
    cf_contest_id: Value,
    #[serde(default)]
    cf_index: Value,
    #[serde(default)]
    cf_rating: Value,
}

#[derive(Debug, Default, Deserialize)]
struct Tests {
    #[serde(default)]
    input: Vec<String>,
    #[serde(default)]
    output: Vec<String>,
}

impl Importer for CodeContests {
    type Row = Row;

    fn parse(&self, raw: RawRow, _options: &ImportOptions) -> Parsed<Row> {
        let id = id_of(&raw, "name");
        let row: Row = row(raw.value).map_err(|e| (id.clone(), e))?;
        if row.name.trim().is_empty() {
            return Err((None, SkipReason::BadRow("empty name".into())));
        }
        Ok(Some((row.name.trim().to_owned(), row)))
    }

    fn convert(&self, row: Row, context: &Context<'_>) -> Result<Draft, SkipReason> {
        if is_interactive(&row.description) {
            return Err(SkipReason::Interactive);
        }
        let max = context.options.max_solutions;
        let references = programs(&row.solutions, max);
        if references.is_empty() {
            return Err(SkipReason::NoSolution);
        }
        let public = pairs(row.public_tests.as_ref(), "public_tests")?;
        let mut hidden = public.clone();
        for (tests, what) in [
            (row.private_tests.as_ref(), "private_tests"),
            (row.generated_tests.as_ref(), "generated_tests"),
        ] {
            for pair in pairs(tests, what)? {
                if !hidden.contains(&pair) {
                    hidden.push(pair);
                }
            }
        }
        let mut draft = Draft::new(row.name.trim(), Kind::Stdio, row.description.clone());
        draft.time_limit_ms = time_limit_ms(&row.time_limit);
        draft.memory_limit_mb = number(&row.memory_limit_bytes)
            .filter(|b| *b > 0.0)
            .map(|b| (b / f64::from(1 << 20)).ceil() as u64);
        draft.metadata.source = source(&row.source);
        draft.metadata.difficulty = number(&row.cf_rating)
            .filter(|r| *r > 0.0)
            .map(|r| format!("{r}"))
            .or_else(|| difficulty(&row.difficulty));
        draft.metadata.url = match (number(&row.cf_contest_id), text(&row.cf_index)) {
            (Some(contest), Some(index)) if contest > 0.0 => Some(format!(
                "https://codeforces.com/problemset/problem/{contest}/{index}"
            )),
            _ => None,
        };
        draft.public = public;
        draft.hidden = hidden;
        let wrong = programs(&row.incorrect_solutions, max);
        draft.solutions = named("reference", references)
            .chain(named("wrong", wrong))
            .collect();
        Ok(draft)
    }
}

/// `reference_1`, `reference_2`, ... for Python and `reference_cpp_1`, ... for C++ (each
/// language counted on its own).
fn named(prefix: &'static str, programs: Vec<Program>) -> impl Iterator<Item = (String, Program)> {
    let mut counts = [0usize; 2];
    programs.into_iter().map(move |program| {
        let (slot, tag) = match program.language {
            Language::Python => (0, ""),
            Language::Cpp => (1, "cpp_"),
        };
        counts[slot] += 1;
        (format!("{prefix}_{tag}{}", counts[slot]), program)
    })
}

fn pairs(tests: Option<&Tests>, what: &str) -> Result<Vec<TestPair>, SkipReason> {
    let Some(tests) = tests else {
        return Ok(Vec::new());
    };
    if tests.input.len() != tests.output.len() {
        return Err(SkipReason::UnparsableTests(format!(
            "{what}: {} inputs but {} outputs",
            tests.input.len(),
            tests.output.len()
        )));
    }
    Ok(tests
        .input
        .iter()
        .zip(&tests.output)
        .map(|(input, output)| TestPair {
            input: input.clone(),
            output: output.clone(),
        })
        .collect())
}

/// Interactive problems need a live judge; their statements say so.
fn is_interactive(description: &str) -> bool {
    description.to_lowercase().contains("interactive problem")
        || description.lines().any(|l| {
            l.trim()
                .trim_matches(|c: char| c == '#' || c == '*' || c.is_whitespace())
                .eq_ignore_ascii_case("interaction")
        })
}

/// The Python 3 and C++ programs of a `{language: [...], solution: [...]}` column pair (or a
/// list of `{language, solution}` objects), at most `max` of each, Python first.
/// CodeContests numbers PYTHON3 as 3 and CPP as 2 (1 is Python 2 and 4 Java, not kept).
fn programs(solutions: &Value, max: usize) -> Vec<Program> {
    let mut found: [Vec<Program>; 2] = [Vec::new(), Vec::new()];
    let mut push = |language: &Value, solution: &Value| {
        let (Some(language), Some(code)) = (language_of(language), solution.as_str()) else {
            return;
        };
        let slot = &mut found[usize::from(language == Language::Cpp)];
        if slot.len() < max && !code.trim().is_empty() {
            slot.push(Program::new(language, code));
        }
    };
    match solutions {
        Value::Object(columns) => {
            if let (Some(Value::Array(languages)), Some(Value::Array(codes))) =
                (columns.get("language"), columns.get("solution"))
            {
                for (language, code) in languages.iter().zip(codes) {
                    push(language, code);
                }
            }
        }
        Value::Array(rows) => {
            for row in rows {
                push(
                    row.get("language").unwrap_or(&Value::Null),
                    row.get("solution").unwrap_or(&Value::Null),
                );
            }
        }
        _ => {}
    }
    let [python, cpp] = found;
    python.into_iter().chain(cpp).collect()
}

/// A solution's language, as a number or a name (`PYTHON3`, `CPP`, `c++`).
fn language_of(language: &Value) -> Option<Language> {
    match language {
        Value::Number(n) => match n.as_i64() {
            Some(3) => Some(Language::Python),
            Some(2) => Some(Language::Cpp),
            _ => None,
        },
        Value::String(s) => {
            let name: String = s
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_lowercase();
            match name.as_str() {
                "3" | "python3" | "py3" => Some(Language::Python),
                "2" | "cpp" | "c++" | "cxx" | "c++17" | "gnuc++17" => Some(Language::Cpp),
                _ => None,
            }
        }
        _ => None,
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `{seconds, nanos}` (protobuf Duration) or a number of seconds.
fn time_limit_ms(value: &Value) -> Option<u64> {
    let seconds = match value {
        Value::Object(d) => {
            d.get("seconds").and_then(number).unwrap_or(0.0)
                + d.get("nanos").and_then(number).unwrap_or(0.0) / 1e9
        }
        other => number(other)?,
    };
    let ms = (seconds * 1000.0).round();
    (ms >= 1.0).then_some(ms as u64)
}

/// CodeContests' `Source` enum.
fn source(value: &Value) -> Option<String> {
    let name = match value {
        Value::Number(n) => match n.as_i64()? {
            1 => "codechef",
            2 => "codeforces",
            3 => "hackerearth",
            4 => "codejam",
            5 => "atcoder",
            6 => "aizu",
            _ => return Some("codecontests".into()),
        },
        Value::String(s) if !s.trim().is_empty() => return Some(s.trim().to_lowercase()),
        _ => return Some("codecontests".into()),
    };
    Some(name.to_owned())
}

/// CodeContests' `Difficulty` enum: 1-5 named levels, 7.. the letters A, B, ... (0 and 6,
/// unknown and external, give none).
fn difficulty(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => {
            let level = n.as_i64()?;
            match level {
                1 => Some("easy".into()),
                2 => Some("medium".into()),
                3 => Some("hard".into()),
                4 => Some("harder".into()),
                5 => Some("hardest".into()),
                7..=28 => Some(char::from(b'A' + (level - 7) as u8).to_string()),
                _ => None,
            }
        }
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_lowercase()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python3_is_language_3_and_cpp_2_in_any_spelling() {
        let columns = json!({
            "language": [1, 3, "PYTHON3", 2, "Python 3", 3, "CPP", 4],
            "solution": ["py2", "a", "b", "cpp", "c", "d", "cpp2", "java"],
        });
        let codes = |programs: Vec<Program>| -> Vec<(Language, String)> {
            programs
                .into_iter()
                .map(|p| (p.language, p.code.to_string()))
                .collect()
        };
        let (py, cpp) = (Language::Python, Language::Cpp);
        let all = codes(programs(&columns, 10));
        let expected: Vec<(Language, String)> = [
            (py, "a"),
            (py, "b"),
            (py, "c"),
            (py, "d"),
            (cpp, "cpp"),
            (cpp, "cpp2"),
        ]
        .into_iter()
        .map(|(l, c)| (l, c.to_owned()))
        .collect();
        assert_eq!(all, expected);
        // At most `max` of each language.
        assert_eq!(
            codes(programs(&columns, 1)),
            [(py, "a".to_owned()), (cpp, "cpp".to_owned())]
        );
        let rows = json!([{"language": 3, "solution": "x"}, {"language": "java", "solution": "y"}]);
        assert_eq!(codes(programs(&rows, 10)), [(py, "x".to_owned())]);
        assert!(programs(&Value::Null, 10).is_empty());
        let named: Vec<String> = named("reference", programs(&columns, 10))
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            named[3..],
            ["reference_4", "reference_cpp_1", "reference_cpp_2"]
        );
    }

    #[test]
    fn limits_and_metadata() {
        assert_eq!(
            time_limit_ms(&json!({"seconds": 2, "nanos": 500000000})),
            Some(2500)
        );
        assert_eq!(time_limit_ms(&json!({"nanos": 0})), None);
        assert_eq!(time_limit_ms(&json!(1.5)), Some(1500));
        assert_eq!(source(&json!(2)).as_deref(), Some("codeforces"));
        assert_eq!(difficulty(&json!(8)).as_deref(), Some("B"));
        assert_eq!(difficulty(&json!(0)), None);
    }

    #[test]
    fn interactive_statements_are_recognised() {
        assert!(is_interactive("This is an interactive problem.\n"));
        assert!(is_interactive("Input\n...\nInteraction\n\nYou ask..."));
        assert!(!is_interactive("Print the interaction count."));
    }
}
