//! `sstar eval RUN [--against RUN_B]`: hidden-test verdicts of a run's picks, with 95%
//! intervals and breakdowns, a table and eval.json; optionally a paired comparison. Problems
//! that errored, never finished or do not load are counted apart, and make the exit code 1.

use std::fmt::Write as _;
use std::sync::Arc;

use sstar_sandbox::Sandbox;

use super::args::EvalArgs;
use super::output::Output;
use crate::config::start_sandbox;
use crate::error::{Error, EXIT_NEGATIVE, EXIT_OK};
use crate::eval::{
    compare, evaluate, load_eval, AgainstRecord, Breakdown, Comparison, EvalReport,
    NotScoredReason, Rate, SelectionInfo,
};
use crate::exec::Executor;
use crate::store::{write_json_atomic, ExecCache, RunDir};

pub fn run(args: EvalArgs, output: &Output) -> Result<i32, Error> {
    let run = RunDir::new(&args.run);
    // eval writes eval.json: one writer per run directory, held to the end.
    let _lock = run.lock()?;
    // Grade where the run's candidates ran, unless told otherwise.
    let info = run.info().ok();
    let mut choice = args
        .sandbox
        .choice(info.as_ref().map(|info| info.settings.sandbox))?;
    // C++ compiles with --cxx-flags, else the run's own flags, else $SSTAR_CXXFLAGS.
    if args.sandbox.cxx_flags.is_none() {
        if let Some(recorded) = info
            .as_ref()
            .and_then(|info| info.settings.cxx_flags.clone())
        {
            choice.cxx_flags = Some(recorded);
        }
    }
    // Packages are looked up as executions ask for them: a missing one stops the evaluation
    // with a setup error at the first program that needs it.
    let sandbox = Arc::new(start_sandbox(&choice, &[])?);
    let runtime = tokio::runtime::Runtime::new().map_err(Error::Runtime)?;
    // Earlier `--against` comparisons outlive this evaluation (the report shows them).
    let earlier_against = load_eval(&run)
        .ok()
        .flatten()
        .map(|r| r.against)
        .unwrap_or_default();
    let mut report = runtime.block_on(evaluate_with_progress(
        &sandbox,
        &run,
        args.set.as_deref(),
        output,
    ))?;
    for (id, n) in &report.not_scored {
        if n.reason == NotScoredReason::Malformed {
            tracing::error!("{id}: malformed: {}", n.detail.as_deref().unwrap_or("?"));
        }
    }
    let comparison = match &args.against {
        Some(other) => {
            let other = RunDir::new(other);
            let evaluate_other = || -> Result<EvalReport, Error> {
                // The same directory twice is already held (a second lock would refuse it).
                let _lock = if same_dir(&run, &other) {
                    None
                } else {
                    Some(other.lock()?)
                };
                runtime.block_on(evaluate_with_progress(
                    &sandbox,
                    &other,
                    args.set.as_deref(),
                    output,
                ))
            };
            let theirs = match load_eval(&other) {
                Ok(Some(report)) => report,
                Ok(None) => evaluate_other()?,
                Err(e) => {
                    tracing::warn!("{e}; evaluating it again");
                    evaluate_other()?
                }
            };
            let comparison = compare(&report, &theirs);
            let typed = other.root().display().to_string();
            report.against = earlier_against
                .into_iter()
                .filter(|a| a.run != typed)
                .collect();
            report.against.push(AgainstRecord {
                run: typed,
                selection: theirs.summary.selection.clone(),
                pass_at_1: theirs.summary.pass_at_1_interval,
                difference: comparison.pass_at_1,
                only_in_this: comparison.only_in_a.clone(),
                only_in_other: comparison.only_in_b.clone(),
            });
            Some((comparison, theirs.summary.complete))
        }
        None => {
            report.against = earlier_against;
            None
        }
    };
    if !report.against.is_empty() {
        write_json_atomic(&run.eval_json(), &report).map_err(Error::io(run.eval_json()))?;
    }
    super::report_cmd::write_after_run(run.root());
    if args.json {
        // One shape with or without `--against`: eval.json's, whose `against` holds the
        // comparison just made (last) beside earlier ones.
        output.data(
            &(serde_json::to_string_pretty(&report).map_err(Error::json("the eval report"))?
                + "\n"),
        );
    } else {
        output.data(&render(&report));
        if let Some((c, theirs_complete)) = &comparison {
            output.data(&render_comparison(c, *theirs_complete));
        }
    }
    // A partial run's score is not the run's score: "ran fine, but the answer is negative".
    Ok(if report.summary.complete {
        EXIT_OK
    } else {
        EXIT_NEGATIVE
    })
}

fn same_dir(a: &RunDir, b: &RunDir) -> bool {
    match (a.root().canonicalize(), b.root().canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Evaluates `run` on an executor with its execution cache (the file `solve` wrote), so what
/// `solve` or an earlier `eval` ran is not run again; says how much ran at info level.
async fn evaluate_with_progress(
    sandbox: &Arc<Sandbox>,
    run: &RunDir,
    set: Option<&std::path::Path>,
    output: &Output,
) -> Result<EvalReport, Error> {
    // The open falls back to no caching when another process holds the file; a cache that
    // cannot be opened at all only costs time, so it is no reason to refuse the evaluation.
    let cache = ExecCache::open(&run.exec_cache(), sandbox)
        .inspect_err(|e| {
            tracing::warn!(
                "{}: {e}; this evaluation's executions are not cached",
                run.exec_cache().display()
            );
        })
        .ok();
    let executor = Executor::new(sandbox.clone(), cache);
    let bar = output.bar(0, "eval");
    let report = evaluate(&executor, run, set, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .await?;
    bar.finish_and_clear();
    tracing::info!(
        "eval {}: executions {} (+{} cached)",
        run.root().display(),
        executor.executions(),
        executor.cache_hits()
    );
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
        .chain(report.not_scored.keys())
        .map(String::len)
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(
        text,
        "{:width$}  {:22} {:>9}  pass@N",
        "problem", "verdict", "hidden"
    );
    // Scored and unscored problems in one list, by id.
    let mut rows: Vec<(&String, String, String, &str)> = Vec::new();
    for (id, p) in &report.problems {
        let verdict = p.verdict.map_or("(none selected)", |v| v.as_str());
        let n = if p.any_candidate_accepted {
            "yes"
        } else {
            "no"
        };
        rows.push((id, verdict.into(), format!("{}/{}", p.passed, p.total), n));
    }
    for (id, n) in &report.not_scored {
        let why = match n.reason {
            NotScoredReason::Errored => "(errored)",
            NotScoredReason::Unfinished => "(unfinished)",
            NotScoredReason::Malformed => "(malformed)",
            NotScoredReason::NoHiddenTests => "(no hidden tests)",
            NotScoredReason::InternalError => "(internal error)",
        };
        rows.push((id, why.into(), "-".into(), "-"));
    }
    rows.sort_by(|a, b| a.0.cmp(b.0));
    for (id, verdict, passed, n) in rows {
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
    text.push_str(&counts_line(report));
    text.push_str(&selection_line(&s.selection));
    if s.count == 0 {
        text.push_str("no problem was scored, so there is no pass@1 to report\n");
        return text;
    }
    let _ = writeln!(
        text,
        "pass@1 {}  pass@N {}  (95% Wilson intervals, over the {} scored problem{})",
        interval(&s.pass_at_1_interval),
        interval(&s.pass_at_n_interval),
        s.count,
        plural(s.count)
    );
    if let Some(e) = &s.random_expectation {
        let _ = writeln!(
            text,
            "random's exact expectation: pass@1 {:.1}% ({:.2} of {} problems; the mean pass rate over each problem's candidates, beside this one draw)",
            e.rate * 100.0,
            e.expected,
            e.count
        );
    }
    if !s.complete {
        let unscored = s.total - s.count;
        let _ = writeln!(
            text,
            "partial: {unscored} of {} problems not scored; counted as failures, pass@1 would be {:.1}% ({}/{})",
            s.total,
            s.accepted as f64 * 100.0 / s.total as f64,
            s.accepted,
            s.total
        );
    }
    text
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `12 problems: 7 accepted, 3 wrong, 1 no candidate, 1 errored (rerun solve to retry), 0 unfinished`.
fn counts_line(report: &EvalReport) -> String {
    let s = &report.summary;
    let mut line = format!(
        "{} problem{}: {} accepted, {} wrong, {} no candidate, {} errored{}, {} unfinished{}",
        s.total,
        plural(s.total),
        s.accepted,
        s.wrong,
        s.no_candidate,
        s.errored,
        if s.errored > 0 {
            " (rerun solve to retry)"
        } else {
            ""
        },
        s.unfinished,
        if s.unfinished > 0 {
            " (rerun solve to finish)"
        } else {
            ""
        },
    );
    if s.malformed > 0 {
        let _ = write!(line, ", {} malformed (see above)", s.malformed);
    }
    if s.no_hidden_tests > 0 {
        let _ = write!(line, ", {} without hidden tests", s.no_hidden_tests);
    }
    if s.internal_error > 0 {
        let _ = write!(
            line,
            ", {} not scored: the sandbox failed a run (rerun eval to retry)",
            s.internal_error
        );
    }
    line.push('\n');
    line
}

/// How the picks were made: a model-free or oracle selection reads differently from S*'s.
fn selection_line(selection: &SelectionInfo) -> String {
    let mut line = format!(
        "selection: {}",
        selection
            .method
            .as_deref()
            .unwrap_or("(method not recorded)")
    );
    if selection.model_free {
        line.push_str(
            ", model-free (no model asked: inputs from the problem's structure, most agreement)",
        );
    }
    if selection.analysis_only {
        line.push_str("; the picks used the hidden tests: analysis only, not a score");
    }
    line.push('\n');
    line
}

fn render_comparison(c: &Comparison, theirs_complete: bool) -> String {
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
    if !theirs_complete {
        text.push_str("the other run is partial: its unscored problems are not compared\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::eval::{EvalProblem, EvalSummary, NotScored};
    use crate::Verdict;

    fn scored(verdict: Option<Verdict>, passed: usize) -> EvalProblem {
        EvalProblem {
            verdict,
            passed,
            total: 4,
            any_candidate_accepted: passed == 4,
            difficulty: None,
            source: None,
            random_expectation: None,
            finals: None,
            finals_accepted: None,
        }
    }

    fn report(
        problems: BTreeMap<String, EvalProblem>,
        not_scored: BTreeMap<String, NotScored>,
        selection: SelectionInfo,
    ) -> EvalReport {
        EvalReport {
            format: Default::default(),
            summary: EvalSummary::of(&problems, &not_scored, selection),
            problems,
            not_scored,
            against: Vec::new(),
        }
    }

    fn not(reason: NotScoredReason) -> NotScored {
        NotScored {
            reason,
            detail: None,
        }
    }

    #[test]
    fn a_partial_run_names_what_is_not_scored_and_its_denominator() {
        let problems = BTreeMap::from([
            ("a".into(), scored(Some(Verdict::Accepted), 4)),
            ("b".into(), scored(Some(Verdict::WrongAnswer), 1)),
            ("c".into(), scored(None, 0)),
        ]);
        let not_scored = BTreeMap::from([
            ("d".into(), not(NotScoredReason::Errored)),
            ("e".into(), not(NotScoredReason::Unfinished)),
            ("f".into(), not(NotScoredReason::Malformed)),
        ]);
        let selection = SelectionInfo {
            method: Some("sstar".into()),
            model_free: true,
            analysis_only: false,
        };
        insta::assert_snapshot!(render(&report(problems, not_scored, selection)));
    }

    #[test]
    fn a_run_with_nothing_scored_shows_no_rate() {
        let not_scored = BTreeMap::from([
            ("a".into(), not(NotScoredReason::Errored)),
            ("b".into(), not(NotScoredReason::Errored)),
        ]);
        let selection = SelectionInfo {
            method: Some("oracle".into()),
            model_free: false,
            analysis_only: true,
        };
        insta::assert_snapshot!(render(&report(BTreeMap::new(), not_scored, selection)));
    }
}
