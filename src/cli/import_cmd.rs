//! `sstar import FORMAT INPUT SET`: another benchmark's file written as a problem set; prints
//! `imported N, skipped M` and why rows were skipped.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use indicatif::ProgressBar;

use super::args::{ImportArgs, ImportFormat};
use super::output::Output;
use crate::config::start_sandbox;
use crate::error::{Error, EXIT_NEGATIVE, EXIT_OK};
use crate::import::{import, Format, ImportError, ImportOptions, ImportProgress, ImportSummary};
use crate::io_error::IoError;

impl From<ImportFormat> for Format {
    fn from(format: ImportFormat) -> Self {
        match format {
            ImportFormat::Livecodebench => Format::LiveCodeBench,
            ImportFormat::Codecontests => Format::CodeContests,
            ImportFormat::Apps => Format::Apps,
            ImportFormat::Humaneval => Format::HumanEval,
            ImportFormat::Mbpp => Format::Mbpp,
        }
    }
}

struct Bar(ProgressBar);

impl ImportProgress for Bar {
    fn queued(&self) {
        self.0.inc_length(1);
    }

    fn finished(&self) {
        self.0.inc(1);
    }
}

fn tool_error(error: ImportError) -> Error {
    match error {
        ImportError::Read { path, source } | ImportError::Write { path, source } => {
            Error::Io(IoError::new(path, source))
        }
        ImportError::Option(message) => Error::Usage(message),
        ImportError::Runtime(source) => Error::Runtime(source),
        other @ (ImportError::NotJson { .. }
        | ImportError::TooLarge { .. }
        | ImportError::Ids(_)
        | ImportError::NoSandbox(_)) => Error::Import(other),
    }
}

pub fn run(args: ImportArgs, output: &Output) -> Result<i32, Error> {
    let options = ImportOptions {
        since: args.since,
        until: args.until,
        platforms: args.platform,
        limit: args.limit,
        max_solutions: args.max_solutions,
        time_limit_ms: args.time_limit_ms,
    }
    .validate()
    .map_err(tool_error)?;
    let format = Format::from(args.format);
    // Started only for the formats that run reference solutions: the others need no Python.
    let sandbox = if format.needs_sandbox() {
        Some(std::sync::Arc::new(start_sandbox(
            &args.sandbox.choice(None)?,
            &[],
        )?))
    } else {
        None
    };
    let bar = Bar(output.bar(0, "import"));
    let summary =
        import(format, &args.input, &args.set, &options, sandbox, &bar).map_err(tool_error)?;
    bar.0.finish_and_clear();
    output.data(&render(&summary));
    Ok(
        if summary.imported.is_empty() && !summary.skipped.is_empty() {
            EXIT_NEGATIVE
        } else {
            EXIT_OK
        },
    )
}

fn render(summary: &ImportSummary) -> String {
    let mut text = format!(
        "imported {}, skipped {}",
        summary.imported.len(),
        summary.skipped.len()
    );
    if summary.filtered > 0 {
        let _ = write!(text, ", filtered out {}", summary.filtered);
    }
    text.push('\n');
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for skipped in &summary.skipped {
        *reasons.entry(skipped.reason.label()).or_default() += 1;
    }
    for (reason, count) in reasons {
        let _ = writeln!(text, "  skipped {count}: {reason}");
    }
    if summary.dropped_tests > 0 {
        let _ = writeln!(
            text,
            "  dropped {} tests the reference could not turn into expected values (-v lists them)",
            summary.dropped_tests
        );
    }
    text
}
