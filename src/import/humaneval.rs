//! HumanEval rows: function problems whose hidden tests are the calls `check(candidate)`
//! makes and whose public tests are the docstring examples, expected values computed by the
//! canonical solution in the sandbox. How `check()` judges each result decides the checker:
//! asserted equal, equality (the default); asserted close (`abs(r - v) < t`), the float checker
//! with tolerance `t`; asserted anything else (`abs(poly(xs, r)) < 1e-4`), a `checker.py`
//! that replays `check()` itself, as no single answer stands for the rest.

use crate::program::Program;
use serde::Deserialize;

use super::docstring::examples;
use super::error::SkipReason;
use super::fields::{id_of, row, string_or_number};
use super::harness::{
    collect, expect, may_depend_on_hash_order, Args, CollectRequest, ExpectRequest, Inputs, Use,
};
use super::input::RawRow;
use super::reference::{judged_by_reference, limit_ms, replay_checker, to_tests};
use super::run::{Context, ImportOptions, Importer, Parsed};
use super::writer::Draft;
use crate::problem::{Checker, Kind};

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
        draft.solutions = vec![("reference".into(), Program::python(code.as_str()))];
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
        draft.public = public;
        match judged_as(&collected.uses) {
            Judged::Equal => {}
            Judged::Close { tolerance, calls } => {
                draft.checker = Some(Checker::Float);
                if tolerance != DEFAULT_TOLERANCE {
                    draft.float_tolerance = Some(tolerance);
                }
                draft.notes.push(format!(
                    "check() asserts {calls} results within {tolerance:e} of a value: the float checker"
                ));
            }
            Judged::Property { calls } => {
                replay(context.engine()?, &row, &code, calls, &mut draft)?;
            }
        }
        if draft.public.is_empty() {
            draft
                .notes
                .push("no usable docstring example: the first hidden test is public".into());
            draft.public = draft.hidden.iter().take(1).cloned().collect();
        }
        Ok(draft)
    }
}

/// The float checker's default tolerance (docs/problems.md).
const DEFAULT_TOLERANCE: f64 = 1e-6;

/// How a problem's tests must judge answers, from how `check()` judged each call's result.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Judged {
    /// Equality with the reference's answer (floats within the default tolerance).
    Equal,
    /// Closeness: the float checker, with the smallest tolerance asserted.
    Close { tolerance: f64, calls: usize },
    /// Some result must only have a property: a checker replaying `check()`.
    Property { calls: usize },
}

fn judged_as(uses: &[Use]) -> Judged {
    let properties = uses.iter().filter(|u| **u == Use::Property).count();
    if properties > 0 {
        return Judged::Property { calls: properties };
    }
    let tolerances: Vec<f64> = uses
        .iter()
        .filter_map(|u| match u {
            Use::Close { tolerance } => Some(*tolerance),
            Use::Equal | Use::Property => None,
        })
        .collect();
    match tolerances.iter().copied().reduce(f64::min) {
        Some(tolerance) => Judged::Close {
            tolerance,
            calls: tolerances.len(),
        },
        None => Judged::Equal,
    }
}

/// Makes `draft` judged by a checker that replays `check()` (never by equality with the
/// reference's answers), keeping the tests on which that checker accepts the reference itself.
fn replay(
    engine: super::run::Engine<'_>,
    row: &Row,
    code: &str,
    calls: usize,
    draft: &mut Draft,
) -> Result<(), SkipReason> {
    let entry = row.entry_point.trim();
    draft.checker = Some(Checker::Program);
    draft.float_tolerance = None;
    draft.checker_program = Some(replay_checker(entry, code, "", &row.test));
    draft.notes.push(format!(
        "check() asserts a property of {calls} results, not equality with one answer: \
         checker.py replays check() with the program's answer"
    ));
    for public in [false, true] {
        let tests = std::mem::take(if public {
            &mut draft.public
        } else {
            &mut draft.hidden
        });
        let verdicts = judged_by_reference(engine, draft, code, &tests)?;
        let mut kept = Vec::new();
        for (test, verdict) in tests.into_iter().zip(verdicts) {
            match verdict {
                Ok(()) => kept.push(test),
                Err(why) => draft.dropped.push(format!(
                    "checker.py does not accept the reference's own answer: {why}"
                )),
            }
        }
        *(if public {
            &mut draft.public
        } else {
            &mut draft.hidden
        }) = kept;
    }
    if draft.hidden.is_empty() {
        return Err(SkipReason::NoTests(
            "check() asserts properties, and replaying it judges none of its calls".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_property_makes_a_replay_and_closeness_takes_the_smallest_tolerance() {
        let close = |tolerance| Use::Close { tolerance };
        assert_eq!(judged_as(&[Use::Equal, Use::Equal]), Judged::Equal);
        assert_eq!(judged_as(&[]), Judged::Equal);
        assert_eq!(
            judged_as(&[Use::Equal, close(1e-6), close(1e-9)]),
            Judged::Close {
                tolerance: 1e-9,
                calls: 2
            }
        );
        assert_eq!(
            judged_as(&[close(1e-6), Use::Property, Use::Equal]),
            Judged::Property { calls: 1 }
        );
    }
}
