//! `sstar eval RUN [--against RUN_B]`: hidden-test verdicts of a run's picks, with 95%
//! intervals and breakdowns, a table and eval.json; optionally a paired comparison.

use std::fmt::Write as _;

use sstar_sandbox::Sandbox;

use super::args::EvalArgs;
use super::output::Output;
use crate::error::{Error, EXIT_OK};
use crate::eval::{compare, evaluate, load_eval, Breakdown, Comparison, EvalReport, Rate};
use crate::sandbox_from_env;
use crate::store::{LockError, RunDir};

pub fn run(args: EvalArgs, output: &Output) -> Result<i32, Error> {
    let run = RunDir::new(&args.run);
    // eval writes eval.json: one writer per run directory, held to the end.
    let _lock = run.lock().map_err(lock_error)?;
    let sandbox = sandbox_from_env()?;
    let report = evaluate_with_progress(&sandbox, &run, args.set.as_deref(), output)?;
    let comparison = match &args.against {
        Some(other) => {
            let other = RunDir::new(other);
            let evaluate_other = || -> Result<EvalReport, Error> {
                // The same directory twice is already held (a second lock would refuse it).
                let _lock = if same_dir(&run, &other) {
                    None
                } else {
                    Some(other.lock().map_err(lock_error)?)
                };
                evaluate_with_progress(&sandbox, &other, args.set.as_deref(), output)
            };
            let theirs = match load_eval(&other) {
                Ok(Some(report)) => report,
                Ok(None) => evaluate_other()?,
                Err(e) => {
                    tracing::warn!("{e}; evaluating it again");
                    evaluate_other()?
                }
            };
            Some(compare(&report, &theirs))
        }
        None => None,
    };
    if args.json {
        let value = match &comparison {
            Some(c) => serde_json::json!({"eval": report, "against": c}),
            None => serde_json::to_value(&report).map_err(|e| Error::Usage(e.to_string()))?,
        };
        output.data(
            &(serde_json::to_string_pretty(&value).map_err(|e| Error::Usage(e.to_string()))?
                + "\n"),
        );
    } else {
        output.data(&render(&report));
        if let Some(c) = &comparison {
            output.data(&render_comparison(c));
        }
    }
    Ok(EXIT_OK)
}

fn lock_error(error: LockError) -> Error {
    Error::Usage(error.to_string())
}

fn same_dir(a: &RunDir, b: &RunDir) -> bool {
    match (a.root().canonicalize(), b.root().canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn evaluate_with_progress(
    sandbox: &Sandbox,
    run: &RunDir,
    set: Option<&std::path::Path>,
    output: &Output,
) -> Result<EvalReport, Error> {
    let bar = output.bar(0, "eval");
    let report = evaluate(sandbox, run, set, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    Ok(report)
}

fn interval(r: &Rate) -> String {
    format!(
        "{:5.1}% [{:.1}, {:.1}] ({}/{})",
        r.rate * 100.0,
        r.low * 100.0,
        r.high * 100.0,
        r.successes,
        r.count
    )
}

fn render(report: &EvalReport) -> String {
    let mut text = String::new();
    let width = report
        .problems
        .keys()
        .map(String::len)
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(
        text,
        "{:width$}  {:22} {:>9}  pass@N",
        "problem", "verdict", "hidden"
    );
    for (id, p) in &report.problems {
        let verdict = p.verdict.map_or("(none selected)", |v| v.as_str());
        let passed = format!("{}/{}", p.passed, p.total);
        let n = if p.any_candidate_accepted {
            "yes"
        } else {
            "no"
        };
        let _ = writeln!(text, "{id:width$}  {verdict:22} {passed:>9}  {n}");
    }
    let s = &report.summary;
    let breakdown =
        |text: &mut String, title: &str, rows: &std::collections::BTreeMap<String, Breakdown>| {
            if rows.len() > 1 {
                for (key, b) in rows {
                    let _ = writeln!(
                        text,
                        "  {title} {key:12} pass@1 {}  pass@N {}",
                        interval(&b.pass_at_1),
                        interval(&b.pass_at_n)
                    );
                }
            }
        };
    breakdown(&mut text, "difficulty", &s.by_difficulty);
    breakdown(&mut text, "source    ", &s.by_source);
    let _ = writeln!(
        text,
        "pass@1 {}  pass@N {}  (95% Wilson intervals){}",
        interval(&s.pass_at_1_interval),
        interval(&s.pass_at_n_interval),
        if s.analysis_only {
            "  oracle selection: analysis only"
        } else {
            ""
        }
    );
    text
}

fn render_comparison(c: &Comparison) -> String {
    let d = &c.pass_at_1;
    let mut text = format!(
        "against: pass@1 difference {:+.1} points [{:+.1}, {:+.1}] (95%, paired) over {} shared problems; \
         only this run passes {}, only the other {}\n",
        d.difference * 100.0,
        d.low * 100.0,
        d.high * 100.0,
        d.count,
        d.only_a,
        d.only_b
    );
    if !c.only_in_a.is_empty() || !c.only_in_b.is_empty() {
        let _ = writeln!(
            text,
            "not compared: {} problems only here, {} only there",
            c.only_in_a.len(),
            c.only_in_b.len()
        );
    }
    text
}
