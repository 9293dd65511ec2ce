//! HumanEval rows: function problems whose hidden tests are the calls `check(candidate)`
//! makes and whose public tests are the docstring examples, expected values computed by the
//! canonical solution in the sandbox.

use serde::Deserialize;

use super::docstring::examples;
use super::error::SkipReason;
use super::fields::{id_of, row, string_or_number};
use super::harness::{
    collect, expect, may_depend_on_hash_order, Args, CollectRequest, ExpectRequest, Inputs,
};
use super::input::RawRow;
use super::reference::{limit_ms, to_tests};
use super::run::{Context, ImportOptions, Importer, Parsed};
use super::writer::Draft;
use crate::problem::Kind;

#[derive(Debug)]
pub(crate) struct HumanEval;

#[derive(Debug, Deserialize)]
pub(crate) struct Row {
    #[serde(deserialize_with = "string_or_number")]
    task_id: String,
    prompt: String,
    entry_point: String,
    canonical_solution: String,
    test: String,
}

impl Importer for HumanEval {
    type Row = Row;

    fn parse(&self, raw: RawRow, _options: &ImportOptions) -> Parsed<Row> {
        let id = id_of(&raw, "task_id");
        let row: Row = row(raw.value).map_err(|e| (id.clone(), e))?;
        if row.task_id.trim().is_empty() {
            return Err((None, SkipReason::BadRow("empty task_id".into())));
        }
        Ok(Some((row.task_id.trim().to_owned(), row)))
    }

    fn convert(&self, row: Row, context: &Context<'_>) -> Result<Draft, SkipReason> {
        let sandbox = context.sandbox()?;
        let entry = row.entry_point.trim();
        let code = format!("{}{}", row.prompt, row.canonical_solution);
        let mut draft = Draft::new(entry, Kind::Function, row.prompt.clone());
        draft.entry_point = Some(entry.to_owned());
        draft.starter = Some(row.prompt.clone());
        draft.metadata.source = Some("humaneval".into());
        draft.solutions = vec![("reference".into(), code.clone())];
        let shown = examples(&row.prompt, entry);
        let collected = collect(
            sandbox,
            &CollectRequest {
                code: &code,
                entry,
                check: Some(&row.test),
                examples: &shown,
                ..CollectRequest::default()
            },
        )?;
        draft.notes.extend(collected.notes);
        let calls: Vec<Args> = collected.calls.into_iter().map(|(args, _)| args).collect();
        let limit = limit_ms(&draft, context.options.time_limit_ms);
        let evaluate = |inputs: &[Args]| {
            expect(
                sandbox,
                &ExpectRequest {
                    code: &code,
                    entry,
                    inputs: Inputs::Lines(inputs),
                    outputs: None,
                    call_limit_ms: limit,
                    recheck_hash_order: may_depend_on_hash_order(&code),
                },
            )
        };
        let hidden = evaluate(&calls)?;
        draft.hidden = to_tests(hidden, limit, &mut draft);
        let public = if collected.examples.is_empty() {
            Vec::new()
        } else {
            let results = evaluate(&collected.examples)?;
            // An example the judge cannot run is a note, not a lost test.
            let mut scratch = Draft::new("", Kind::Function, "");
            let tests = to_tests(results, limit, &mut scratch);
            draft.notes.extend(scratch.dropped);
            if scratch.checker.is_some() {
                draft.checker = scratch.checker;
            }
            tests
        };
        draft.public = if public.is_empty() {
            draft
                .notes
                .push("no usable docstring example: the first hidden test is public".into());
            draft.hidden.iter().take(1).cloned().collect()
        } else {
            public
        };
        Ok(draft)
    }
}
