//! `sstar-sandbox`: runs untrusted Python programs fast and hostile-proof.
//!
//! A [`Sandbox`] owns a pool of warm CPython workers (`python/worker.py`, embedded in the
//! binary). Each execution is a fork of a worker into a fresh PID namespace, with CPU, wall,
//! memory, output, process and file-size limits, an empty environment, a private scratch
//! directory, no network and a dedicated unprivileged uid; everything it started dies with it.
//! This crate is the only place in sstar with `unsafe` and process control.

mod execution;
mod interpreter;
mod outcome;
mod pool;
mod protocol;
mod worker;

pub use execution::{Execution, Limits, ProgramKind, FUNCTION_CALLS, FUNCTION_PRELUDE};
pub use interpreter::Interpreter;
pub use interpreter::PYTHON_ENV;
pub use outcome::{Outcome, Termination};
pub use pool::{Isolation, Sandbox, SandboxConfig, SandboxError};
