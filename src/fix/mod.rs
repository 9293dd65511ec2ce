//! `sstar fix`: propose a tested fix for a failing test of a Python repository,
//! chosen the S* way, as a unified diff and a pull-request comment.

mod candidates;
mod comment;
mod diff;
mod error;
mod exec;
mod inputs;
mod junit;
mod locate;
mod markdown;
mod private_dir;
mod prompts;
mod record;
mod repo;
mod report;
mod run;
mod select;

pub use crate::schema::{FixReport, TestCounts, TestRun};
pub use comment::markdown as comment_markdown;
pub use error::FixError;
pub use exec::TreeRunner;
pub(crate) use junit::Junit;
pub use locate::{locate, Location};
pub use private_dir::{default_run_dir, take_run_dir};
pub use repo::Snapshot;
pub use run::{fix, FixOutcome, FixSettings};
