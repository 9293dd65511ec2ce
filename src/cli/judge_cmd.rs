//! `sstar judge PROBLEM PROGRAM`: one program on one problem's tests, and for a failing test
//! what a user needs to see: its input, a diff of the output, or the program's traceback.
//! Everything a program (or checker) wrote reaches the terminal through [`printable`]; `--json`
//! keeps it raw.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use super::args::JudgeArgs;
use super::output::Output;
use crate::config::start_sandbox;
use crate::error::{Error, EXIT_ERROR, EXIT_NEGATIVE, EXIT_OK};
use crate::exec::Executor;
use crate::judge::{
    judge, limits_for, output_diff, printable, test_label, traceback_tail, JudgeOptions,
    JudgeReport, LineRule, Style, TestResult,
};
use crate::problem::{load_problem, Kind, Problem, TestCase, TestSelection};
use crate::program::{Language, Program};
use crate::verdict::Verdict;
use serde::Serialize;
use sstar_sandbox::{Backend, CompileStats};

/// What `--json` prints: the judge's report, the program's language and, for C++, how its
/// binary was come by.
#[derive(Serialize)]
struct JsonReport<'a> {
    #[serde(flatten)]
    report: &'a JudgeReport,
    language: Language,
    #[serde(skip_serializing_if = "Option::is_none")]
    compile: Option<CompileStats>,
}

pub fn run(args: JudgeArgs, output: &Output) -> Result<i32, Error> {
    let problem = Arc::new(load_problem(&args.problem)?);
    let code = std::fs::read_to_string(&args.program).map_err(Error::io(&args.program))?;
    // The flag, else the file's extension, else the text.
    let language = args
        .language
        .or_else(|| Language::from_path(&args.program))
        .unwrap_or_else(|| Language::detect(&code));
    let program = Program::new(language, code);
    let choice = args.sandbox.choice(None)?;
    if language == Language::Cpp && choice.backend != Backend::Process {
        return Err(Error::Usage(format!(
            "{}: C++ programs need `--sandbox process` (the {} backend runs Python only)",
            args.program.display(),
            choice.backend
        )));
    }
    let sandbox = Arc::new(start_sandbox(&choice, &problem.packages)?);
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
    // No run directory: nothing to cache in, every test runs.
    let executor = Executor::new(sandbox, None);
    let runtime = tokio::runtime::Runtime::new().map_err(Error::Runtime)?;
    let bar = output.bar(count, &problem.id);
    let report = runtime.block_on(judge(&executor, &problem, &program, options, &|done, _| {
        bar.set_position(done as u64)
    }))?;
    bar.finish_and_clear();
    if args.json {
        let json = JsonReport {
            report: &report,
            language,
            compile: (language == Language::Cpp).then(|| executor.sandbox().compile_stats()),
        };
        let json = serde_json::to_string(&json).map_err(Error::json("the judge report"))?;
        output.data(&format!("{json}\n"));
    } else {
        let style = Style {
            color: output.color(),
        };
        output.data(&render(&report, &problem, &program, style));
    }
    Ok(match report.verdict {
        Verdict::Accepted => EXIT_OK,
        // No verdict on the program: the tool could not do its job for this run.
        Verdict::InternalError => EXIT_ERROR,
        _ => EXIT_NEGATIVE,
    })
}

/// Frames of a runtime error's traceback shown (the innermost ones).
const FRAMES: usize = 5;
/// Lines of a failing test's input (or output) shown.
const PREVIEW_LINES: usize = 6;
/// Characters of one such line shown.
const PREVIEW_COLUMNS: usize = 120;

/// The table of tests run, then what a user needs to see of each failing one, then the total.
fn render(report: &JudgeReport, problem: &Problem, program: &Program, style: Style) -> String {
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
                // A compiler's first line names the first error; a traceback's last, the
                // exception.
                let line = match test.verdict {
                    Verdict::CompileError => (detail.lines())
                        .find(|l| l.contains("error"))
                        .or_else(|| detail.lines().next()),
                    _ => detail.lines().last(),
                };
                let line = line.unwrap_or_default();
                let _ = writeln!(text, "  {}", printable(line));
            }
            None => text.push('\n'),
        }
    }
    let cases: HashMap<String, &TestCase> = problem
        .tests(TestSelection::All)
        .map(|t| (test_label(t), t))
        .collect();
    let mut compile_shown = false;
    for result in report.tests.iter().filter(|t| !t.verdict.is_accepted()) {
        // One program, one compiler message: shown once, whatever --all-tests ran.
        if result.verdict == Verdict::CompileError {
            if compile_shown {
                continue;
            }
            compile_shown = true;
        }
        text.push('\n');
        text.push_str(&failure(
            result,
            cases.get(&result.name).copied(),
            problem,
            program,
            style,
        ));
    }
    if report.tests.iter().any(|t| !t.verdict.is_accepted()) {
        text.push('\n');
    }
    let _ = writeln!(
        text,
        "{}: {} ({}/{} passed)",
        report.problem, report.verdict, report.passed, report.total
    );
    text
}

/// A JSON value pretty-printed, or the bytes as they are when they are not JSON.
fn pretty_json(bytes: &[u8]) -> Vec<u8> {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .and_then(|value| serde_json::to_vec_pretty(&value))
        .unwrap_or_else(|_| bytes.to_vec())
}

/// `what` and the first lines of `bytes`, clipped and indented.
fn preview(what: &str, bytes: &[u8]) -> String {
    let input = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = input.lines().collect();
    if lines.is_empty() {
        return format!("{what}: (empty)\n");
    }
    let mut text = format!(
        "{what} ({} line{}):\n",
        lines.len(),
        if lines.len() == 1 { "" } else { "s" }
    );
    for line in lines.iter().take(PREVIEW_LINES) {
        let count = line.chars().count();
        let shown: String = line.chars().take(PREVIEW_COLUMNS).collect();
        let more = if count > PREVIEW_COLUMNS {
            format!("… (+{} chars)", count - PREVIEW_COLUMNS)
        } else {
            String::new()
        };
        let _ = writeln!(text, "  {}{more}", printable(&shown));
    }
    if lines.len() > PREVIEW_LINES {
        let _ = writeln!(text, "  … ({} more lines)", lines.len() - PREVIEW_LINES);
    }
    text
}

/// One failing test: its input, then the diff, traceback or message that explains it.
fn failure(
    result: &TestResult,
    case: Option<&TestCase>,
    problem: &Problem,
    program: &Program,
    style: Style,
) -> String {
    let heading = format!("--- {}: {}", result.name, result.verdict);
    let mut text = style.paint("1", &heading) + "\n";
    if let Some(case) = case.filter(|_| result.verdict != Verdict::CompileError) {
        text.push_str(&preview("input", &case.input));
    }
    let detail = printable(result.detail.as_deref().unwrap_or_default());
    match result.verdict {
        Verdict::Accepted => {}
        Verdict::WrongAnswer => {
            let _ = writeln!(text, "reason: {detail}");
            let Some(case) = case else { return text };
            // Return values are laid out one element per line, so the diff can point at one.
            let (expected, actual) = match problem.kind {
                Kind::Function => (pretty_json(&case.expected), pretty_json(&result.actual)),
                Kind::Stdio => (case.expected.to_vec(), result.actual.clone()),
            };
            let rule = LineRule::for_problem(problem);
            match output_diff(&expected, &actual, rule, style) {
                Some(diff) => {
                    let _ = writeln!(text, "{diff}");
                }
                None => text.push_str(&preview(
                    "got (the same lines as expected; see the reason)",
                    &result.actual,
                )),
            }
        }
        Verdict::RuntimeError if program.language == Language::Cpp => {
            let _ = writeln!(text, "{detail}");
            let stderr = String::from_utf8_lossy(&result.stderr);
            let lines: Vec<&str> = stderr.trim_end().lines().collect();
            for line in &lines[lines.len().saturating_sub(PREVIEW_LINES)..] {
                let shown: String = line.chars().take(PREVIEW_COLUMNS).collect();
                let _ = writeln!(text, "  {}", printable(&shown));
            }
        }
        Verdict::RuntimeError => {
            let stderr = String::from_utf8_lossy(&result.stderr);
            match traceback_tail(&stderr, Some(&program.code), FRAMES) {
                Some(tail) => {
                    let _ = writeln!(text, "{}", printable(&tail));
                }
                None => {
                    let _ = writeln!(text, "{detail}");
                }
            }
        }
        Verdict::CompileError => {
            let _ = writeln!(text, "{detail}");
        }
        Verdict::InternalError => {
            let _ = writeln!(
                text,
                "{detail}\nno verdict on the program: the sandbox failed this run twice"
            );
        }
        Verdict::TimeLimitExceeded => {
            let limits = limits_for(problem);
            let _ = writeln!(
                text,
                "{detail} (limits: {} ms CPU, {} ms wall)",
                limits.cpu.as_millis(),
                limits.wall.as_millis()
            );
        }
        Verdict::MemoryLimitExceeded => {
            let _ = writeln!(text, "over {} MB", problem.limits.memory_limit_mb);
        }
        Verdict::OutputLimitExceeded => {
            let _ = writeln!(text, "over {} MB of output", problem.limits.output_limit_mb);
        }
    }
    text
}
