//! Reading a run, building its view and writing the page atomically.

use std::path::{Path, PathBuf};

use super::error::ReportError;
use super::files::RunFiles;
use super::{html, model};
use crate::store::write_atomic;

/// Where `sstar report RUN` writes by default.
pub fn default_path(run: &Path) -> PathBuf {
    run.join("report.html")
}

/// The page for the run at `run`, as a string.
pub fn render(run: &Path) -> Result<String, ReportError> {
    let files = RunFiles::read(run)?;
    Ok(html::page(&model::build(&files)))
}

/// Writes the page for `run` to `out` (default `RUN/report.html`); returns where.
pub fn write_report(run: &Path, out: Option<&Path>) -> Result<PathBuf, ReportError> {
    let page = render(run)?;
    let path = out.map_or_else(|| default_path(run), Path::to_path_buf);
    write_atomic(&path, page.as_bytes()).map_err(ReportError::io(&path))?;
    Ok(path)
}
