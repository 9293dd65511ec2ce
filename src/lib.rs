//! sstar: sample many programs, debug them in a sandbox, select by execution (S*, arXiv 2502.14382).

pub mod check;
pub mod llm;
pub mod problem;
