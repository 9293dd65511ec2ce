//! APPS rows: `input_output` with `fn_name` becomes a function problem, without it a stdio
//! one; `solutions` become reference programs.
//!
//! APPS call-based tests hold each test's arguments as a list, and each expected value usually
//! wrapped in a one-element list — but not always: APPS's own checker accepts a result equal to
//! `outputs[i]` or to `outputs[i][0]`. We decide per test by running the first reference
//! solution in the sandbox and keeping whichever form it returns; without a reference (or when
//! it matches neither) a one-element list is taken to be the wrapper and unwrapped.

use crate::program::Program;
use serde::Deserialize;
use serde_json::Value;

use super::error::SkipReason;
use super::fields::{embedded, looks_like_python, platform_of_url, row};
use super::harness::{expect, Evaluated, ExpectRequest, Inputs};
use super::input::RawRow;
use super::run::{Context, ImportOptions, Importer, Parsed};
use super::writer::{Draft, TestPair};
use crate::problem::{Checker, Kind};

#[derive(Debug)]
pub(crate) struct Apps;

#[derive(Debug, Deserialize)]
pub(crate) struct Row {
    #[serde(skip)]
    id: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    solutions: Value,
    #[serde(default)]
    input_output: Value,
    #[serde(default)]
    starter_code: String,
    #[serde(default)]
    difficulty: String,
    #[serde(default)]
    url: String,
}

#[derive(Debug, Deserialize)]
struct InputOutput {
    #[serde(default)]
    inputs: Vec<Value>,
    #[serde(default)]
    outputs: Vec<Value>,
    #[serde(default)]
    fn_name: Option<String>,
}

impl Importer for Apps {
    type Row = Row;

    fn parse(&self, raw: RawRow, _options: &ImportOptions) -> Parsed<Row> {
        let id = ["problem_id", "id", "task_id"]
            .iter()
            .find_map(|key| super::fields::id_of(&raw, key))
            .unwrap_or_else(|| format!("row-{}", raw.number));
        let mut row: Row = row(raw.value).map_err(|e| (Some(id.clone()), e))?;
        row.id.clone_from(&id);
        Ok(Some((id, row)))
    }

    fn convert(&self, row: Row, context: &Context<'_>) -> Result<Draft, SkipReason> {
        let io_text = match &row.input_output {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            inline => inline.to_string(),
        };
        let Some(io): Option<InputOutput> = embedded(&row.input_output, "input_output")? else {
            return Err(SkipReason::NoTests("the row has none".into()));
        };
        if io.inputs.len() != io.outputs.len() {
            return Err(SkipReason::UnparsableTests(format!(
                "{} inputs but {} outputs",
                io.inputs.len(),
                io.outputs.len()
            )));
        }
        let solutions: Vec<String> = embedded(&row.solutions, "solutions")
            .map_err(|e| SkipReason::BadRow(e.to_string()))?
            .unwrap_or_default();
        let fn_name = io.fn_name.clone().filter(|f| !f.trim().is_empty());
        let kind = if fn_name.is_some() {
            Kind::Function
        } else {
            Kind::Stdio
        };
        let mut draft = Draft::new(format!("APPS {}", row.id), kind, row.question.clone());
        draft.metadata.source = Some(platform_of_url(&row.url).unwrap_or("apps").to_owned());
        draft.metadata.difficulty =
            Some(row.difficulty.trim().to_lowercase()).filter(|d| !d.is_empty());
        draft.metadata.url = Some(row.url.trim().to_owned()).filter(|u| !u.is_empty());
        let starter = row.starter_code.trim_end();
        if !starter.is_empty() {
            if !looks_like_python(starter) {
                return Err(SkipReason::NonPythonStarter);
            }
            draft.starter = Some(row.starter_code.clone());
        }
        draft.solutions = solutions
            .iter()
            .filter(|s| !s.trim().is_empty())
            .take(context.options.max_solutions)
            .enumerate()
            .map(|(n, code)| {
                (
                    format!("reference_{}", n + 1),
                    Program::python(code.as_str()),
                )
            })
            .collect();
        match fn_name {
            Some(name) => {
                let entry = if starter.contains("class Solution") {
                    format!("Solution.{name}")
                } else {
                    name
                };
                function_tests(&mut draft, &entry, &io_text, context)?;
                draft.entry_point = Some(entry);
            }
            None => stdio_tests(&mut draft, &io, &row.question)?,
        }
        Ok(draft)
    }
}

/// Expected values as the dataset has them, unwrapped where the reference says so.
fn function_tests(
    draft: &mut Draft,
    entry: &str,
    io_text: &str,
    context: &Context<'_>,
) -> Result<(), SkipReason> {
    let reference = draft
        .solutions
        .first()
        .map(|(_, program)| program.code.to_string())
        .unwrap_or_default();
    let limit = context
        .options
        .time_limit_ms
        .or(draft.time_limit_ms)
        .unwrap_or(crate::problem::Limits::default().time_limit_ms);
    let results = expect(
        context.sandbox()?,
        &ExpectRequest {
            code: &reference,
            entry,
            inputs: Inputs::Json {
                text: io_text,
                keys: &["inputs"],
            },
            outputs: Some((io_text, &["outputs"])),
            call_limit_ms: limit,
            // The dataset's outputs are the truth; the reference only picks their wrapping.
            recheck_hash_order: false,
        },
    )?;
    let mut disagreements = 0;
    let mut floats = false;
    for result in results {
        match result {
            Evaluated::Value {
                args,
                out,
                float,
                agrees,
                ..
            } => {
                if agrees == Some(false) && !reference.is_empty() {
                    disagreements += 1;
                }
                floats |= float;
                draft.hidden.push(TestPair {
                    input: args.join("\n") + "\n",
                    output: out,
                });
            }
            // The reference failing does not drop a test (the dataset's value stands): only
            // inputs that cannot be written as JSON end up here.
            Evaluated::Dropped(why) => draft.dropped.push(why),
        }
    }
    if disagreements > 0 {
        draft.notes.push(format!(
            "the first reference disagrees with {disagreements} dataset outputs"
        ));
    }
    if floats {
        draft.checker = Some(Checker::Float);
    }
    draft.public = draft.hidden.iter().take(1).cloned().collect();
    Ok(())
}

/// A test's text: a string, or a list of lines.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Array(lines) => lines
            .iter()
            .map(|l| l.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(|lines| lines.join("\n") + "\n"),
        _ => None,
    }
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Stdio tests; the public ones are the leading tests whose input the statement shows.
fn stdio_tests(draft: &mut Draft, io: &InputOutput, question: &str) -> Result<(), SkipReason> {
    for (n, (input, output)) in io.inputs.iter().zip(&io.outputs).enumerate() {
        let (Some(input), Some(output)) = (text_of(input), text_of(output)) else {
            return Err(SkipReason::UnparsableTests(format!(
                "test {} is not text",
                n + 1
            )));
        };
        draft.hidden.push(TestPair { input, output });
    }
    let statement = squash(question);
    let shown = draft
        .hidden
        .iter()
        .take_while(|t| {
            let input = squash(&t.input);
            !input.is_empty() && statement.contains(&input)
        })
        .count();
    draft.public = draft.hidden.iter().take(shown.max(1)).cloned().collect();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdio_public_tests_are_the_ones_the_statement_shows() {
        let io = InputOutput {
            inputs: vec![
                Value::String("1 2\n".into()),
                serde_json::json!(["3", "4 5"]),
                Value::String("9 9\n".into()),
            ],
            outputs: vec![
                Value::String("3\n".into()),
                Value::String("12\n".into()),
                Value::String("18\n".into()),
            ],
            fn_name: None,
        };
        let mut draft = Draft::new("t", Kind::Stdio, "");
        stdio_tests(
            &mut draft,
            &io,
            "Example\nInput\n1  2\nOutput\n3\nInput\n3\n4 5\n",
        )
        .expect("ok");
        assert_eq!(draft.hidden.len(), 3);
        assert_eq!(draft.hidden[1].input, "3\n4 5\n");
        assert_eq!(draft.public.len(), 2);
        let mut draft = Draft::new("t", Kind::Stdio, "");
        stdio_tests(&mut draft, &io, "no examples").expect("ok");
        assert_eq!(draft.public.len(), 1);
    }
}
