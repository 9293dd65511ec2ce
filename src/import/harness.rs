//! Running a reference solution in the sandbox to compute expected values (`harness.py`):
//! recording the calls a benchmark's test code makes, and evaluating inputs the way the judge
//! will run candidates. A harness run killed half-way is resumed after the input it was on.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use sstar_sandbox::{Execution, Limits, ProgramKind, Sandbox, Termination};

use super::error::SkipReason;

/// The harness program: the judge's own call conventions, then `harness.py`.
static HARNESS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{}\n{}",
        sstar_sandbox::FUNCTION_CALLS,
        include_str!("harness.py")
    )
});

/// CPU for one harness run (many calls); a run that hits it is resumed where it stopped.
const RUN_CPU: Duration = Duration::from_secs(120);
const RUN_MEMORY_MB: u64 = 2048;
const RUN_OUTPUT_MB: u64 = 512;

/// The positional arguments of one call, one JSON text each (an `.in` file's lines).
pub(crate) type Args = Vec<String>;

/// A docstring example: the call expression and the text of the value it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Example {
    pub call: String,
    pub expected: String,
}

/// What the benchmark's own test code does with the reference.
#[derive(Debug, Default)]
pub(crate) struct CollectRequest<'a> {
    /// The reference program.
    pub code: &'a str,
    /// The function the tests call.
    pub entry: &'a str,
    /// Code run before the reference (MBPP's `test_setup_code`).
    pub setup: &'a str,
    /// HumanEval's test code, defining `check(candidate)`.
    pub check: Option<&'a str>,
    /// MBPP's assert lines.
    pub asserts: &'a [String],
    /// Docstring examples.
    pub examples: &'a [Example],
}

/// How the test code judges the result of a call (`harness.py`'s `use_of`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Use {
    /// `assert call == value` and the like: equality with one answer.
    Equal,
    /// `assert abs(call - value) < tolerance`.
    Close { tolerance: f64 },
    /// Anything else: a property of the result, not equality with one answer.
    Property,
}

impl Use {
    /// The stricter of two uses of one call's result: asserted equal anywhere, it must equal.
    fn strictest(self, other: Use) -> Use {
        match (self, other) {
            (Use::Equal, _) | (_, Use::Equal) => Use::Equal,
            (Use::Close { tolerance: a }, Use::Close { tolerance: b }) => Use::Close {
                tolerance: a.min(b),
            },
            (Use::Close { tolerance }, Use::Property)
            | (Use::Property, Use::Close { tolerance }) => Use::Close { tolerance },
            (Use::Property, Use::Property) => Use::Property,
        }
    }
}

/// `harness.py`'s name of a [`Use`].
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum UseName {
    Equal,
    Close,
    Property,
}

/// The calls the test code made and the examples that agree with the reference.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// Recorded calls, in order, duplicates removed, each with the assert line (0-based) that
    /// made it when it came from `asserts`.
    pub calls: Vec<(Args, Option<usize>)>,
    /// How the test code judged each of `calls` (same order; the strictest when a call was
    /// made more than once).
    pub uses: Vec<Use>,
    /// Calls of examples whose shown value equals the reference's result.
    pub examples: Vec<Args>,
    /// Why calls or examples were dropped, and asserts that failed.
    pub notes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
enum Line {
    Call {
        src: String,
        args: Option<Args>,
        skip: Option<String>,
        #[serde(rename = "use")]
        used: UseName,
        /// The tolerance of a `close` use, as Python's `repr` of the float.
        tol: Option<String>,
    },
    Example {
        n: usize,
        args: Option<Args>,
        skip: Option<String>,
    },
    Note {
        text: String,
    },
    Fatal {
        error: String,
    },
    Total {
        n: usize,
    },
    Start {
        i: usize,
    },
    Result {
        i: usize,
        args: Option<Args>,
        out: Option<String>,
        #[serde(default)]
        float: bool,
        ms: Option<f64>,
        skip: Option<String>,
        agrees: Option<bool>,
    },
    Done,
}

fn run(sandbox: &Sandbox, request: &Value) -> Result<(Vec<Line>, Termination), SkipReason> {
    let stdin = request.to_string();
    let limits = Limits::new(RUN_CPU, RUN_MEMORY_MB, RUN_OUTPUT_MB);
    let execution = Execution::new(ProgramKind::Stdio, &HARNESS, stdin.as_bytes(), limits);
    let outcome = sandbox.run(&execution)?;
    let mut lines = Vec::new();
    for text in String::from_utf8_lossy(&outcome.stdout).lines() {
        // A line cut off by a kill is the only one that may not parse.
        // Through a `Value`: a tagged enum cannot read exact (`arbitrary_precision`) numbers
        // straight from text.
        if let Ok(line) = serde_json::from_str(text).and_then(serde_json::from_value) {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        if let Termination::CompileError { message } = &outcome.termination {
            return Err(SkipReason::Reference(format!("harness: {message}")));
        }
        if let Termination::SandboxFailure { .. } = &outcome.termination {
            return Err(SkipReason::Reference(outcome.termination.to_string()));
        }
        if let Termination::RuntimeError { .. } = &outcome.termination {
            let stderr = String::from_utf8_lossy(&outcome.stderr);
            let last = stderr.lines().last().unwrap_or("").trim().to_owned();
            return Err(SkipReason::Reference(last));
        }
    }
    Ok((lines, outcome.termination))
}

fn describe(termination: &Termination) -> String {
    match termination {
        Termination::Finished => "finished early".to_owned(),
        ending => ending.to_string(),
    }
}

/// Runs the benchmark's test code against the reference, recording every call.
pub(crate) fn collect(
    sandbox: &Sandbox,
    request: &CollectRequest<'_>,
) -> Result<Collected, SkipReason> {
    let examples: Vec<Value> = request
        .examples
        .iter()
        .map(|e| json!({"call": e.call, "expected": e.expected}))
        .collect();
    let body = json!({
        "mode": "collect",
        "prelude": sstar_sandbox::PRELUDE,
        "code": request.code,
        "entry": request.entry,
        "setup": request.setup,
        "check": request.check,
        "asserts": request.asserts,
        "examples": examples,
    });
    let (lines, termination) = run(sandbox, &body)?;
    let mut collected = Collected::default();
    let mut done = false;
    for line in lines {
        match line {
            Line::Call {
                src,
                args: Some(args),
                used,
                tol,
                ..
            } => {
                let tolerance = tol.and_then(|t| t.parse::<f64>().ok());
                let used = match (used, tolerance) {
                    (UseName::Equal, _) => Use::Equal,
                    (UseName::Close, Some(tolerance)) => Use::Close { tolerance },
                    // A closeness without its tolerance is nothing to rely on.
                    (UseName::Close, None) | (UseName::Property, _) => Use::Property,
                };
                match collected.calls.iter().position(|(a, _)| *a == args) {
                    Some(i) => collected.uses[i] = collected.uses[i].strictest(used),
                    None => {
                        let line = src.strip_prefix("assert:").and_then(|n| n.parse().ok());
                        collected.calls.push((args, line));
                        collected.uses.push(used);
                    }
                }
            }
            Line::Call { skip, .. } => collected.notes.push(format!(
                "call dropped: {}",
                skip.unwrap_or_else(|| "no arguments".into())
            )),
            Line::Example {
                args: Some(args), ..
            } => {
                if !collected.examples.contains(&args) {
                    collected.examples.push(args);
                }
            }
            Line::Example { n, skip, .. } => collected.notes.push(format!(
                "example {} dropped: {}",
                n + 1,
                skip.unwrap_or_default()
            )),
            Line::Note { text } => collected.notes.push(text),
            Line::Fatal { error } => return Err(SkipReason::Reference(error)),
            Line::Done => done = true,
            Line::Total { .. } | Line::Start { .. } | Line::Result { .. } => {}
        }
    }
    if !done {
        collected.notes.push(format!(
            "test code stopped by the sandbox ({}); calls recorded before that are kept",
            describe(&termination)
        ));
    }
    Ok(collected)
}

/// Where the inputs of an [`expect`] run come from.
#[derive(Debug)]
pub(crate) enum Inputs<'a> {
    /// Argument lines, e.g. recorded by [`collect`].
    Lines(&'a [Args]),
    /// JSON text parsed by Python (exact big integers, `NaN`): a list of argument lists, or
    /// an object whose lists under `keys` are concatenated.
    Json { text: &'a str, keys: &'a [&'a str] },
}

/// The reference's behaviour on one input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Evaluated {
    /// The `.in` lines and `.out` text, whether the value holds a float, the reference's CPU
    /// time, and (APPS) whether the reference agreed with the dataset's output.
    Value {
        args: Args,
        out: String,
        float: bool,
        ms: f64,
        agrees: Option<bool>,
    },
    /// Why the input is dropped.
    Dropped(String),
}

/// What an [`expect`] run evaluates.
#[derive(Debug)]
pub(crate) struct ExpectRequest<'a> {
    /// The reference program; empty for "take the dataset's outputs" (APPS without solutions).
    pub code: &'a str,
    pub entry: &'a str,
    pub inputs: Inputs<'a>,
    /// APPS: JSON text holding the dataset's outputs (one per input) under `keys`.
    pub outputs: Option<(&'a str, &'a [&'a str])>,
    /// Per-call CPU limit: the problem's time limit.
    pub call_limit_ms: u64,
    /// Run a second time under another string-hash seed and drop inputs whose value changes
    /// (set iteration order of strings differs between interpreters, so would the judge's).
    pub recheck_hash_order: bool,
}

/// String-hash seeds the recheck runs under. The judge runs every candidate with seed 0, but
/// an expected value that only that seed produces is not a fair test for other judges (or
/// other interpreters); an order two seeds agree on by chance must not survive them all.
const RECHECK_SEEDS: std::ops::Range<u32> = 1..13;

/// Whether a program may depend on set iteration order (sets of strings hash per process).
pub(crate) fn may_depend_on_hash_order(code: &str) -> bool {
    code.contains("set") || code.contains("hash")
}

/// Evaluates every input (one result per input, in order).
pub(crate) fn expect(
    sandbox: &Sandbox,
    request: &ExpectRequest<'_>,
) -> Result<Vec<Evaluated>, SkipReason> {
    let mut results = expect_once(sandbox, &mut request_body(request))?;
    if request.recheck_hash_order {
        recheck_hash_order(sandbox, request, &mut results);
    }
    Ok(results)
}

/// Drops values that change under other string-hash seeds. Only values holding strings can
/// (ints and floats hash the same everywhere), so only those inputs are run again.
fn recheck_hash_order(sandbox: &Sandbox, request: &ExpectRequest<'_>, results: &mut [Evaluated]) {
    let mut suspects: Vec<(usize, Args, String)> = results
        .iter()
        .enumerate()
        .filter_map(|(i, result)| match result {
            Evaluated::Value { args, out, .. } if out.contains('"') => {
                Some((i, args.clone(), out.clone()))
            }
            Evaluated::Value { .. } | Evaluated::Dropped(_) => None,
        })
        .collect();
    for seed in RECHECK_SEEDS {
        if suspects.is_empty() {
            return;
        }
        let inputs: Vec<Args> = suspects.iter().map(|(_, args, _)| args.clone()).collect();
        let mut body = request_body(&ExpectRequest {
            inputs: Inputs::Lines(&inputs),
            outputs: None,
            recheck_hash_order: false,
            ..*request
        });
        body["hash_seed"] = json!(seed);
        body["self"] = json!(*HARNESS);
        let Ok(again) = expect_once(sandbox, &mut body) else {
            tracing::debug!("hash-order recheck failed to run; keeping the first results");
            return;
        };
        let mut kept = Vec::new();
        for ((i, args, first), second) in std::mem::take(&mut suspects).into_iter().zip(again) {
            match second {
                Evaluated::Value { out, .. } if out != first => {
                    results[i] = Evaluated::Dropped(
                        "the value depends on set iteration order (string hashing differs between runs)"
                            .into(),
                    );
                }
                Evaluated::Value { .. } | Evaluated::Dropped(_) => kept.push((i, args, first)),
            }
        }
        suspects = kept;
    }
}

fn request_body(request: &ExpectRequest<'_>) -> Value {
    let mut body = json!({
        "mode": "expect",
        "prelude": sstar_sandbox::PRELUDE,
        "code": request.code,
        "entry": request.entry,
        "call_limit_ms": request.call_limit_ms,
        "start": 0,
    });
    match &request.inputs {
        Inputs::Lines(lines) => body["inputs"] = json!(lines),
        Inputs::Json { text, keys } => {
            body["inputs_json"] = json!(text);
            body["inputs_keys"] = json!(keys);
        }
    }
    if let Some((text, keys)) = &request.outputs {
        body["outputs_json"] = json!(text);
        body["outputs_keys"] = json!(keys);
    }
    body
}

/// One evaluation of every input, resuming after inputs that bring the harness down.
fn expect_once(sandbox: &Sandbox, body: &mut Value) -> Result<Vec<Evaluated>, SkipReason> {
    let mut results: Vec<Option<Evaluated>> = Vec::new();
    let mut total = None;
    let mut start = 0;
    loop {
        body["start"] = json!(start);
        let (lines, termination) = run(sandbox, body)?;
        let mut in_progress = None;
        let mut done = false;
        for line in lines {
            match line {
                Line::Total { n } => {
                    if total.is_none() {
                        total = Some(n);
                        results = vec![None; n];
                    }
                }
                Line::Start { i } => in_progress = Some(i),
                Line::Result {
                    i,
                    args,
                    out,
                    float,
                    ms,
                    skip,
                    agrees,
                } if i < results.len() => {
                    in_progress = None;
                    results[i] = Some(match (args, out, skip) {
                        (Some(args), Some(out), None) => Evaluated::Value {
                            args,
                            out,
                            float,
                            ms: ms.unwrap_or(0.0),
                            agrees,
                        },
                        (_, _, skip) => Evaluated::Dropped(
                            skip.unwrap_or_else(|| "no result from the harness".into()),
                        ),
                    });
                }
                Line::Fatal { error } => return Err(SkipReason::Reference(error)),
                Line::Done => done = true,
                Line::Result { .. }
                | Line::Call { .. }
                | Line::Example { .. }
                | Line::Note { .. } => {}
            }
        }
        let Some(total) = total else {
            return Err(SkipReason::UnparsableTests(format!(
                "the harness stopped before reading the inputs: {}",
                describe(&termination)
            )));
        };
        if done {
            break;
        }
        let next = results[start.min(total)..]
            .iter()
            .position(Option::is_none)
            .map_or(total, |p| start + p);
        let stuck = in_progress.unwrap_or(next);
        if stuck >= total {
            break;
        }
        // Killed by the run's own CPU budget while on an input that was not its first: that
        // input may be fine, retry it in a fresh run. Anything else: drop it and go on.
        let retry = matches!(termination, Termination::TimeLimit { .. }) && stuck > start;
        if !retry {
            results[stuck] = Some(Evaluated::Dropped(format!(
                "the reference stopped the harness: {}",
                describe(&termination)
            )));
        }
        start = if retry { stuck } else { stuck + 1 };
    }
    Ok(results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Evaluated::Dropped("no result from the harness".into())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_asserted_equal_anywhere_must_equal() {
        let close = |tolerance| Use::Close { tolerance };
        assert_eq!(Use::Property.strictest(Use::Equal), Use::Equal);
        assert_eq!(close(1e-3).strictest(Use::Equal), Use::Equal);
        assert_eq!(close(1e-3).strictest(close(1e-6)), close(1e-6));
        assert_eq!(Use::Property.strictest(close(1e-3)), close(1e-3));
        assert_eq!(Use::Property.strictest(Use::Property), Use::Property);
    }
}
