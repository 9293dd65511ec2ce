//! The one engine that runs programs in the sandbox from async code: a permit per execution
//! (the CPU budget), blocking work on tokio's blocking pool, an optional on-disk execution
//! cache, and gates so identical executions in flight run once. `judge`, `verify`, `solve`,
//! `eval`, the importer's reference check and `fix` all run through it.

mod executor;
mod gate;
mod owned_execution;

pub use executor::{Executor, Meter};
pub use owned_execution::OwnedExecution;
