//! `sstar eval RUN`: hidden-test verdicts of a run's picks, a table and eval.json.

use std::fmt::Write as _;

use super::args::EvalArgs;
use super::output::Output;
use crate::error::{Error, EXIT_OK};
use crate::eval::{evaluate, EvalReport};
use crate::sandbox_from_env;
use crate::store::RunDir;

pub fn run(args: EvalArgs, output: &Output) -> Result<i32, Error> {
    let run = RunDir::new(&args.run);
    let sandbox = sandbox_from_env()?;
    let bar = output.bar(0, "eval");
    let report = evaluate(&sandbox, &run, args.set.as_deref(), &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    if args.json {
        output.data(
            &(serde_json::to_string_pretty(&report).map_err(|e| Error::Usage(e.to_string()))?
                + "\n"),
        );
    } else {
        output.data(&render(&report));
    }
    Ok(EXIT_OK)
}

pub(super) fn render(report: &EvalReport) -> String {
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
    let _ = writeln!(
        text,
        "pass@1 {:.1}%  pass@N {:.1}%  over {} problems{}",
        s.pass_at_1 * 100.0,
        s.pass_at_n * 100.0,
        s.count,
        if s.analysis_only {
            "  (oracle selection: analysis only)"
        } else {
            ""
        }
    );
    text
}
