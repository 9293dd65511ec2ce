//! The S* pipeline: generate and debug N samples (stage 1), then select one by execution
//! (stage 2), for every problem of a set, resumably.

mod adaptive;
mod budget;
mod candidates;
mod context;
mod executor;
mod generate;
mod prompts;
mod runner;
mod select;
mod solve;
mod submission;

pub use budget::{Budget, Budgets, Limits, Spent};
pub use candidates::{
    load_candidates, load_inputs, Candidates, CandidatesError, GivenInput, GivenInputs,
};
pub use context::{Context, Settings};
pub use executor::ProblemExecutor;
pub use runner::{run_set, Reporter, RunError};
pub use select::SelectMethod;
pub use submission::write_submission;

// Shared with `sstar fix`, which selects among fixes the same way.
pub(crate) use prompts::truncate;
pub(crate) use select::tournament::{decide, pairs, rank};
