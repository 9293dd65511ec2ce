//! sstar: sample many programs, debug them in a sandbox, select by execution (S*, arXiv 2502.14382).
//!
//! Layers, bottom up: [`problem`] (sets on disk) and [`check`] (output comparison) are plain
//! data; [`exec`] runs programs through `sstar-sandbox` (permits, execution cache); [`judge`]
//! turns their outcomes into [`Verdict`]s;
//! [`llm`] talks to models; [`cli`] is the command line on top.

pub mod check;
pub mod cli;
pub mod config;
pub mod error;
pub mod eval;
pub mod exec;
pub mod fix;
pub mod import;
pub mod io_error;
pub mod judge;
pub mod llm;
pub mod pipeline;
pub mod problem;
pub mod program;
pub mod report;
pub mod schema;
pub mod seeded;
pub mod store;
pub mod verdict;

pub use config::sandbox_from_env;
pub use verdict::Verdict;
