//! Tests whose expected values come from running the reference solution (HumanEval, MBPP):
//! evaluated inputs turned into test pairs, and the checker their values call for.

use super::harness::{Args, Evaluated};
use super::writer::{Draft, TestPair};
use crate::problem::Checker;

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
        .find_map(|text| sstar_sandbox::pyjson::from_str(text).err())
        .map(|e| format!("a value the judge cannot read back: {e}"))
}

/// The time limit the reference is measured against: the override, else the SPEC default.
pub(crate) fn limit_ms(draft: &Draft, override_ms: Option<u64>) -> u64 {
    override_ms
        .or(draft.time_limit_ms)
        .unwrap_or(crate::problem::Limits::default().time_limit_ms)
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
