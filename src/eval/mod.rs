//! `sstar eval`: judge each selected program on its problem's hidden tests, plus pass@N over
//! every final-round program, into `eval.json` (SPEC §5).

mod report;
mod score;

pub use report::{EvalProblem, EvalReport, EvalSummary};
pub use score::{evaluate, EvalError};
