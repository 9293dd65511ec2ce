//! MBPP rows (original, sanitized and MBPP+): function problems. MBPP+ inputs
//! (`base_input` public, `base_input` + `plus_input` hidden) get expected values from the
//! canonical solution in the sandbox; plain MBPP's `test_list` asserts are recorded as calls
//! the same way HumanEval's `check` is.

use crate::program::Program;
use serde::Deserialize;
use serde_json::Value;

use super::error::SkipReason;
use super::fields::{id_of, row, string_or_number};
use super::harness::{
    collect, expect, may_depend_on_hash_order, Args, CollectRequest, ExpectRequest, Inputs,
};
use super::input::RawRow;
use super::reference::{limit_ms, to_tests};
use super::run::{Context, ImportOptions, Importer, Parsed};
use super::writer::Draft;
use crate::problem::{Checker, Kind};

#[derive(Debug)]
pub(crate) struct Mbpp;

#[derive(Debug, Deserialize)]
pub(crate) struct Row {
    /// The row's JSON text: MBPP+ inputs are read from it by Python, exactly.
    #[serde(skip)]
    raw_json: String,
    #[serde(deserialize_with = "string_or_number")]
    task_id: String,
    #[serde(default)]
    prompt: Option<String>,
    /// Original MBPP's name for the description.
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    canonical_solution: Option<String>,
    #[serde(default)]
    test_list: Vec<String>,
    #[serde(default)]
    challenge_test_list: Vec<String>,
    #[serde(default)]
    test_setup_code: String,
    #[serde(default)]
    test_imports: Vec<String>,
    #[serde(default)]
    entry_point: Option<String>,
    #[serde(default)]
    base_input: Option<Value>,
    #[serde(default)]
    atol: Option<f64>,
    #[serde(default)]
    assertion: Option<String>,
}

impl Importer for Mbpp {
    type Row = Row;

    fn parse(&self, raw: RawRow, _options: &ImportOptions) -> Parsed<Row> {
        let id = id_of(&raw, "task_id");
        let mut row: Row = row(raw.value).map_err(|e| (id.clone(), e))?;
        if row.task_id.trim().is_empty() {
            return Err((None, SkipReason::BadRow("empty task_id".into())));
        }
        row.raw_json = raw.text;
        Ok(Some((row.task_id.trim().to_owned(), row)))
    }

    fn convert(&self, row: Row, context: &Context<'_>) -> Result<Draft, SkipReason> {
        let sandbox = context.sandbox()?;
        let code = row
            .canonical_solution
            .clone()
            .or_else(|| row.code.clone())
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| SkipReason::BadRow("no code or canonical_solution".into()))?;
        let asserts = if row.test_list.is_empty() {
            row.assertion
                .as_deref()
                .unwrap_or("")
                .lines()
                .filter(|l| l.trim_start().starts_with("assert"))
                .map(|l| l.trim().to_owned())
                .collect()
        } else {
            row.test_list.clone()
        };
        let entry = match row.entry_point.as_deref().map(str::trim) {
            Some(entry) if !entry.is_empty() => entry.to_owned(),
            _ => derive_entry(&code, &asserts).ok_or_else(|| {
                SkipReason::BadRow(
                    "no entry_point, and none of the asserts calls a function the code defines"
                        .into(),
                )
            })?,
        };
        let description = row
            .prompt
            .as_deref()
            .or(row.text.as_deref())
            .unwrap_or("")
            .trim()
            .trim_matches(|c| c == '\'' || c == '"')
            .trim()
            .to_owned();
        let mut statement = format!("{description}\n");
        if let Some(first) = asserts.first() {
            statement.push_str(&format!(
                "\nYour code should pass this test:\n\n```python\n{}\n```\n",
                first.trim()
            ));
        }
        let mut draft = Draft::new(entry.clone(), Kind::Function, statement);
        draft.entry_point = Some(entry.clone());
        draft.metadata.source = Some("mbpp".into());
        draft.solutions = vec![("reference".into(), Program::python(code.as_str()))];
        if let Some(atol) = row.atol.filter(|a| *a > 0.0) {
            draft.checker = Some(Checker::Float);
            draft.float_tolerance = Some(atol);
        }
        let limit = limit_ms(&draft, context.options.time_limit_ms);
        let expect_on = |inputs: Inputs<'_>| {
            expect(
                sandbox,
                &ExpectRequest {
                    code: &code,
                    entry: &entry,
                    inputs,
                    outputs: None,
                    call_limit_ms: limit,
                    recheck_hash_order: may_depend_on_hash_order(&code),
                },
            )
        };
        match &row.base_input {
            Some(Value::Array(base)) => {
                let mut results = expect_on(Inputs::Json {
                    text: &row.raw_json,
                    keys: &["base_input", "plus_input"],
                })?;
                let plus = results.split_off(base.len().min(results.len()));
                let public = to_tests(results, limit, &mut draft);
                let mut hidden = public.clone();
                for test in to_tests(plus, limit, &mut draft) {
                    if !hidden.contains(&test) {
                        hidden.push(test);
                    }
                }
                draft.public = public;
                draft.hidden = hidden;
            }
            _ => {
                let setup = row.test_imports.join("\n") + "\n" + &row.test_setup_code;
                let all: Vec<String> = asserts
                    .iter()
                    .chain(&row.challenge_test_list)
                    .cloned()
                    .collect();
                let collected = collect(
                    sandbox,
                    &CollectRequest {
                        code: &code,
                        entry: &entry,
                        setup: &setup,
                        asserts: &all,
                        ..CollectRequest::default()
                    },
                )?;
                draft.notes.extend(collected.notes);
                let shown = asserts.len();
                let (public, rest): (Vec<_>, Vec<_>) = collected
                    .calls
                    .into_iter()
                    .partition(|(_, line)| line.is_some_and(|l| l < shown));
                let public: Vec<Args> = public.into_iter().map(|(a, _)| a).collect();
                let rest: Vec<Args> = rest.into_iter().map(|(a, _)| a).collect();
                draft.public = to_tests(expect_on(Inputs::Lines(&public))?, limit, &mut draft);
                let mut hidden = draft.public.clone();
                for test in to_tests(expect_on(Inputs::Lines(&rest))?, limit, &mut draft) {
                    if !hidden.contains(&test) {
                        hidden.push(test);
                    }
                }
                draft.hidden = hidden;
            }
        }
        if draft.public.is_empty() {
            draft.public = draft.hidden.iter().take(1).cloned().collect();
        }
        Ok(draft)
    }
}

/// The function the asserts test: the first name the code defines that an assert calls.
fn derive_entry(code: &str, asserts: &[String]) -> Option<String> {
    let defined: Vec<&str> = code
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("def "))
        .filter_map(|rest| rest.split('(').next())
        .map(str::trim)
        .collect();
    let calls = |name: &str| {
        let pattern = format!("{name}(");
        asserts.iter().any(|a| {
            a.match_indices(&pattern).any(|(at, _)| {
                a[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'))
            })
        })
    };
    defined
        .into_iter()
        .find(|name| calls(name))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_point_is_the_defined_function_the_asserts_call() {
        let code = "def helper(x):\n    return x\n\ndef max_sum(a):\n    return helper(a)\n";
        let asserts = vec!["assert set(max_sum([1])) == set([1])".to_owned()];
        assert_eq!(derive_entry(code, &asserts).as_deref(), Some("max_sum"));
        assert_eq!(derive_entry(code, &["assert my_max_sum(1)".into()]), None);
    }
}
