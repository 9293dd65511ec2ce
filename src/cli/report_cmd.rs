//! `sstar report RUN [--out FILE]`, and the page `solve` and `eval` leave behind them.

use std::path::Path;

use super::args::ReportArgs;
use super::output::Output;
use crate::error::{Error, EXIT_OK};

pub fn run(args: ReportArgs, output: &Output) -> Result<i32, Error> {
    let path = crate::report::write_report(&args.run, args.out.as_deref())?;
    output.data(&format!("{}\n", path.display()));
    Ok(EXIT_OK)
}

/// Writes `RUN/report.html` after `solve` or `eval`; a page that cannot be written is a
/// warning, never a failed run.
pub fn write_after_run(run: &Path) {
    match crate::report::write_report(run, None) {
        Ok(path) => tracing::info!("report: {}", path.display()),
        Err(e) => tracing::warn!("cannot write the report: {e}"),
    }
}
