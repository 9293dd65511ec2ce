//! `sstar report`: one self-contained HTML page for a run directory (overview, totals and
//! charts, a table of problems, a section per problem), read from the run directory alone.

mod charts;
mod diff;
mod error;
mod files;
mod fold;
mod html;
mod model;
mod write;

pub use error::ReportError;
pub use write::{default_path, render, write_report};
