//! `sstar eval`: judge each selected program on its problem's hidden tests, plus pass@N over every
//! final-round program, into `eval.json` (docs/run-directory.md), with intervals and comparisons;
//! problems that errored, never finished or do not load are counted apart, never as scores.

mod accepted;
mod compare;
mod expectation;
mod scope;
mod score;
mod stats;

pub use crate::schema::{
    AgainstRecord, Breakdown, EvalProblem, EvalReport, EvalSummary, Expectation, NotScored,
    NotScoredReason, SelectionInfo,
};
pub use compare::{compare, Comparison};
pub use score::{evaluate, load_eval, EvalError};
pub use stats::{paired, wilson, PairedDifference, Rate};
