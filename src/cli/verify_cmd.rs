//! `sstar verify SET`: every bundled solution gets the verdict its name promises — reference
//! programs are accepted, `wrong_*` programs are not. The check an importer or author runs.

use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;

use super::args::VerifyArgs;
use super::output::Output;
use crate::config::start_sandbox;
use crate::error::{Error, EXIT_NEGATIVE, EXIT_OK};
use crate::exec::Executor;
use crate::judge::{judge, JudgeOptions};
use crate::problem::{load_set, packages_of};
use crate::verdict::Verdict;

#[derive(Debug, Serialize)]
struct Row {
    problem: String,
    solution: String,
    expect_accepted: bool,
    verdict: Verdict,
    passed: usize,
    total: usize,
    ok: bool,
}

pub fn run(args: VerifyArgs, output: &Output) -> Result<i32, Error> {
    let set = load_set(&args.set)?;
    for error in &set.errors {
        tracing::error!("{error}");
    }
    let problems: Vec<_> = set
        .problems
        .iter()
        .filter(|p| args.only.is_empty() || args.only.contains(&p.id))
        .map(|p| Arc::new(p.clone()))
        .collect();
    let sandbox = Arc::new(start_sandbox(
        &args.sandbox.choice(None)?,
        &packages_of(problems.iter().map(|p| &**p)),
    )?);
    // No run directory: nothing to cache in, every solution runs.
    let executor = Executor::new(sandbox, None);
    let runtime = tokio::runtime::Runtime::new().map_err(Error::Runtime)?;
    // Every test, so a wrong solution's line says how wrong (`7/10`), not where it first failed.
    let options = JudgeOptions {
        tests: args.tests.into(),
        all_tests: true,
    };
    let bar = output.bar(problems.iter().map(|p| p.solutions.len()).sum(), "verify");
    let mut rows = Vec::new();
    for problem in problems {
        for solution in &problem.solutions {
            let report = runtime.block_on(judge(
                &executor,
                &problem,
                &solution.program(),
                options,
                &|_, _| {},
            ))?;
            bar.inc(1);
            let expect_accepted = !solution.is_wrong();
            let row = Row {
                problem: problem.id.clone(),
                solution: solution.name.clone(),
                expect_accepted,
                verdict: report.verdict,
                passed: report.passed,
                total: report.total,
                // No verdict on the solution either way: never "as expected".
                ok: report.verdict != Verdict::InternalError
                    && report.verdict.is_accepted() == expect_accepted,
            };
            if args.json {
                output.data(&format!(
                    "{}\n",
                    serde_json::to_string(&row).map_err(Error::json("a verify row"))?
                ));
            }
            rows.push(row);
        }
    }
    bar.finish_and_clear();
    if !args.json {
        output.data(&render(&rows, set.errors.len()));
    }
    let all_ok = rows.iter().all(|r| r.ok) && set.errors.is_empty();
    Ok(if all_ok { EXIT_OK } else { EXIT_NEGATIVE })
}

fn render(rows: &[Row], malformed: usize) -> String {
    let mut text = String::new();
    let pw = rows
        .iter()
        .map(|r| r.problem.len())
        .max()
        .unwrap_or(7)
        .max(7);
    let sw = rows
        .iter()
        .map(|r| r.solution.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = writeln!(
        text,
        "{:pw$}  {:sw$}  {:9}  {:22} {:>12}  ok",
        "problem", "solution", "expected", "verdict", "tests passed"
    );
    for r in rows {
        let expected = if r.expect_accepted {
            "accepted"
        } else {
            "rejected"
        };
        let passed = format!("{}/{}", r.passed, r.total);
        let mark = if r.ok { "ok" } else { "FAIL" };
        let _ = writeln!(
            text,
            "{:pw$}  {:sw$}  {expected:9}  {:22} {passed:>12}  {mark}",
            r.problem,
            r.solution,
            r.verdict.as_str()
        );
    }
    let failed = rows.iter().filter(|r| !r.ok).count();
    let _ = writeln!(
        text,
        "{} solutions: {} as expected, {failed} not; {malformed} malformed problems",
        rows.len(),
        rows.len() - failed
    );
    text
}
