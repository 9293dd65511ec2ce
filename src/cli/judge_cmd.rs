//! `sstar judge PROBLEM PROGRAM`: one program on one problem's tests.

use std::fmt::Write as _;

use super::args::JudgeArgs;
use super::output::Output;
use crate::error::{Error, EXIT_NEGATIVE, EXIT_OK};
use crate::judge::{judge, JudgeOptions, JudgeReport};
use crate::problem::load_problem;
use crate::sandbox_from_env;

pub fn run(args: JudgeArgs, output: &Output) -> Result<i32, Error> {
    let problem = load_problem(&args.problem)?;
    let code = std::fs::read_to_string(&args.program).map_err(Error::io(&args.program))?;
    let sandbox = sandbox_from_env()?;
    let options = JudgeOptions {
        tests: args.tests.into(),
        all_tests: args.all_tests,
    };
    let count = problem.tests(options.tests).count();
    if count == 0 {
        return Err(Error::Usage(
            format!(
                "{}: no {:?} tests to judge on",
                args.problem.display(),
                args.tests
            )
            .to_lowercase(),
        ));
    }
    let bar = output.bar(count, &problem.id);
    let report = judge(&sandbox, &problem, &code, options, &|done, _| {
        bar.set_position(done as u64)
    })?;
    bar.finish_and_clear();
    if args.json {
        let json = serde_json::to_string(&report).map_err(|e| Error::Usage(e.to_string()))?;
        output.data(&format!("{json}\n"));
    } else {
        output.data(&render(&report));
    }
    Ok(if report.verdict.is_accepted() {
        EXIT_OK
    } else {
        EXIT_NEGATIVE
    })
}

fn render(report: &JudgeReport) -> String {
    let mut text = String::new();
    let width = report
        .tests
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        text,
        "{:width$}  {:22} {:>8} {:>8} {:>9}",
        "test", "verdict", "cpu ms", "wall ms", "mem kB"
    );
    for test in &report.tests {
        let _ = write!(
            text,
            "{:width$}  {:22} {:>8} {:>8} {:>9}",
            test.name,
            test.verdict.as_str(),
            test.cpu_ms,
            test.wall_ms,
            test.memory_kb
        );
        match &test.detail {
            Some(detail) => {
                let line = detail.lines().last().unwrap_or_default();
                let _ = writeln!(text, "  {line}");
            }
            None => text.push('\n'),
        }
    }
    let _ = writeln!(
        text,
        "{}: {} ({}/{} passed)",
        report.problem, report.verdict, report.passed, report.total
    );
    text
}
