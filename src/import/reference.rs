//! Tests whose expected values come from running the reference solution (HumanEval, MBPP):
//! evaluated inputs turned into test pairs, and the checker their values call for.

use std::sync::Arc;

use serde_json::Value;

use super::error::SkipReason;
use super::harness::{Args, Evaluated};
use super::run::Engine;
use super::writer::{Draft, TestPair};
use crate::judge::{judge_test, JudgeError};
use crate::problem::{Checker, Limits, Problem, TestCase, Visibility};
use crate::program::Program;
use crate::verdict::Verdict;

/// The `.in` text of positional arguments.
pub(crate) fn input_text(args: &Args) -> String {
    args.iter().map(|a| format!("{a}\n")).collect()
}

/// The tests of `results`, in order. Inputs the reference cannot run, or runs in more than
/// half the time limit (the judge would be flaky on them), are dropped with the reason.
pub(crate) fn to_tests(results: Vec<Evaluated>, limit_ms: u64, draft: &mut Draft) -> Vec<TestPair> {
    let mut tests = Vec::new();
    for result in results {
        match result {
            Evaluated::Value {
                args,
                out,
                ms,
                float,
                ..
            } => {
                if let Some(why) = unreadable(&args, &out) {
                    draft.dropped.push(why);
                    continue;
                }
                if ms * 2.0 > limit_ms as f64 {
                    draft.dropped.push(format!(
                        "the reference needs {ms:.0} ms of cpu, over half the {limit_ms} ms limit"
                    ));
                    continue;
                }
                if float && draft.checker.is_none() {
                    draft.checker = Some(Checker::Float);
                }
                let test = TestPair {
                    input: input_text(&args),
                    output: out,
                };
                if !tests.contains(&test) {
                    tests.push(test);
                }
            }
            Evaluated::Dropped(why) => draft.dropped.push(why),
        }
    }
    tests
}

/// Largest expected value kept: bigger ones make sets unwieldy and judging slow.
const MAX_EXPECTED_BYTES: usize = 16 << 20;

/// Why the judge could not read a test back, if it could not (numbers of any size are fine:
/// the judge keeps them as written; so are Python's `NaN` and infinities).
fn unreadable(args: &Args, out: &str) -> Option<String> {
    if out.len() > MAX_EXPECTED_BYTES {
        return Some(format!(
            "the expected value takes {} MB, over the {} MB cap",
            out.len() >> 20,
            MAX_EXPECTED_BYTES >> 20
        ));
    }
    args.iter()
        .map(String::as_str)
        .chain([out])
        .find_map(|text| sstar_pyjson::from_str(text).err())
        .map(|e| format!("a value the judge cannot read back: {e}"))
}

/// The time limit the reference is measured against: the override, else `problem.toml`'s default
/// (docs/problems.md).
pub(crate) fn limit_ms(draft: &Draft, override_ms: Option<u64>) -> u64 {
    override_ms
        .or(draft.time_limit_ms)
        .unwrap_or(crate::problem::Limits::default().time_limit_ms)
}

/// The replay checker (`replay.py`) and the line of it that names what it replays.
const REPLAY: &str = include_str!("replay.py");
const REPLAY_SLOTS: &str = "ENTRY = REFERENCE = SETUP = TEST = None  # filled in by sstar import";

/// `checker.py` for tests that assert properties of results: it replays the benchmark's test
/// code `test` (defining `check(candidate)`) with the program's answer for the test's call and
/// the reference's for every other call (see `replay.py`).
pub(crate) fn replay_checker(entry: &str, reference: &str, setup: &str, test: &str) -> String {
    // A JSON string literal is a Python string literal (serde_json escapes quotes, backslashes
    // and control characters; the file is UTF-8).
    let literal = |text: &str| Value::from(text).to_string();
    let slots = format!(
        "ENTRY = {}\nREFERENCE = {}\nSETUP = {}\nTEST = {}",
        literal(entry),
        literal(reference),
        literal(setup),
        literal(test)
    );
    REPLAY.replacen(REPLAY_SLOTS, &slots, 1)
}

/// Judges `reference` on each of `tests` exactly as `sstar judge` will once `draft` is written
/// (its checker program deciding): `Ok` when accepted, else why not. Tests a checker cannot
/// judge (say, test code that draws fresh random inputs every run) come out here.
pub(crate) fn judged_by_reference(
    engine: Engine<'_>,
    draft: &Draft,
    reference: &str,
    tests: &[TestPair],
) -> Result<Vec<Result<(), String>>, SkipReason> {
    let problem = Arc::new(Problem {
        id: draft.title.clone(),
        dir: Default::default(),
        title: draft.title.clone(),
        kind: draft.kind,
        entry_point: draft.entry_point.clone(),
        limits: Limits {
            time_limit_ms: draft
                .time_limit_ms
                .unwrap_or(Limits::default().time_limit_ms),
            memory_limit_mb: draft
                .memory_limit_mb
                .unwrap_or(Limits::default().memory_limit_mb),
            ..Limits::default()
        },
        checker: draft.checker.unwrap_or_default(),
        float_tolerance: draft.float_tolerance.unwrap_or(1e-6),
        statement: String::new(),
        starter: None,
        checker_program: draft.checker_program.clone(),
        metadata: Default::default(),
        packages: draft.packages.clone(),
        public: Vec::new(),
        hidden: Vec::new(),
        solutions: Vec::new(),
    });
    let reference = Program::python(reference);
    tests
        .iter()
        .enumerate()
        .map(|(n, test)| {
            let case = TestCase {
                name: (n + 1).to_string(),
                visibility: Visibility::Hidden,
                input: Arc::from(test.input.as_bytes()),
                expected: Arc::from(test.output.as_bytes()),
            };
            let judged = judge_test(engine.executor, &problem, &reference, &case, &());
            match engine.runtime.block_on(judged) {
                Ok(result) if result.verdict == Verdict::Accepted => Ok(Ok(())),
                // Not the reference's doing: the problem is skipped, never recorded as failing.
                Ok(result) if result.verdict == Verdict::InternalError => Err(SkipReason::Sandbox(
                    result.detail.unwrap_or_else(|| "internal error".into()),
                )),
                Ok(result) => Ok(Err(format!(
                    "{}{}",
                    result.verdict,
                    result.detail.map(|d| format!(": {d}")).unwrap_or_default()
                ))),
                Err(JudgeError::Checker { reason, .. } | JudgeError::BadTest { reason, .. }) => {
                    Ok(Err(reason))
                }
                Err(JudgeError::Sandbox(e)) => Err(SkipReason::Sandbox(e.to_string())),
                Err(JudgeError::Internal(detail)) => Err(SkipReason::Sandbox(detail)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Kind;

    fn value(args: &[&str], out: &str, float: bool, ms: f64) -> Evaluated {
        Evaluated::Value {
            args: args.iter().map(|a| a.to_string()).collect(),
            out: out.into(),
            float,
            ms,
            agrees: None,
        }
    }

    #[test]
    fn the_replay_checker_embeds_the_code_as_python_literals() {
        let checker = replay_checker(
            "f",
            "def f(x):\n    return \"\\\\\"\n",
            "",
            "def check(c):\n    assert c(1)\n",
        );
        assert!(
            !checker.contains(REPLAY_SLOTS),
            "the slots line must be replaced"
        );
        assert!(checker.contains("ENTRY = \"f\"\n"), "{checker}");
        assert!(
            checker.contains(r#"REFERENCE = "def f(x):\n    return \"\\\\\"\n""#),
            "{checker}"
        );
        assert!(checker.contains("SETUP = \"\"\n"));
    }

    #[test]
    fn slow_and_failed_inputs_are_dropped_and_floats_pick_the_float_checker() {
        let mut draft = Draft::new("t", Kind::Function, "");
        let tests = to_tests(
            vec![
                value(&["1", "[2]"], "3", false, 1.0),
                value(&["1", "[2]"], "3", false, 1.0),
                value(&["5"], "0.5", true, 2.0),
                value(&["6"], "1", false, 3500.0),
                Evaluated::Dropped("the reference raised TypeError".into()),
                value(&["7"], &format!("1{}", "0".repeat(400)), false, 1.0),
                value(&["8"], "[1,", false, 1.0),
            ],
            6000,
            &mut draft,
        );
        assert_eq!(
            tests,
            [
                TestPair {
                    input: "1\n[2]\n".into(),
                    output: "3".into()
                },
                TestPair {
                    input: "5\n".into(),
                    output: "0.5".into()
                },
                TestPair {
                    input: "7\n".into(),
                    output: format!("1{}", "0".repeat(400))
                },
            ]
        );
        assert_eq!(draft.checker, Some(Checker::Float));
        assert_eq!(draft.dropped.len(), 3);
        assert!(draft.dropped[0].contains("3500 ms"), "{:?}", draft.dropped);
        assert!(
            draft.dropped[2].contains("cannot read back"),
            "{:?}",
            draft.dropped
        );
    }
}
