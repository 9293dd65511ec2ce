//! `sstar-sandbox`: runs untrusted Python and C++ programs fast and hostile-proof.
//!
//! A [`Sandbox`] owns a pool of warm CPython workers (`python/worker/`, embedded in the
//! binary). Each execution is cloned from a worker's pristine zygote into fresh PID and IPC
//! namespaces, with CPU, wall, memory, output, process and file-size limits counted over all
//! its processes (a cgroup per slot), a seccomp filter, an empty environment, a private
//! scratch directory, no network and a dedicated unprivileged uid; everything it started dies
//! with it, and nothing of it reaches the next run.
//! A C++ program is compiled once by the host's g++ inside a second root holding only the
//! toolchain (`toolchain.rs` finds it, `native.rs` keeps the binaries), then run under the
//! same layers as a child of the run's first process.
//! With the `wasm` cargo feature, [`Backend::Wasm`] runs candidates instead in CPython compiled
//! to wasm32-wasi on wasmtime (`src/wasm/`): no host filesystem, network, processes or
//! environment at all, CPU counted in deterministic fuel.
//! This crate is the only place in sstar with `unsafe` and process control.

mod backend;
mod cache_dir;
mod cgroup;
mod command;
mod execution;
mod interpreter;
mod language;
mod launcher;
mod native;
mod outcome;
pub mod packages;
mod pool;
mod protocol;
mod seccomp;
mod toolchain;
mod uids;
#[cfg(feature = "wasm")]
mod wasm;
mod worker;

pub use backend::{locate_wasm_python, Backend, UnknownBackend, WASM_PYTHON_ENV, WASM_PYTHON_FILE};
pub use command::{shell_command, tree_archive, tree_function, TreeFile, TREE_DRIVER};
pub use execution::{Environment, Execution, Limits, ProgramKind, FUNCTION_CALLS, PRELUDE};
pub use interpreter::Interpreter;
pub use interpreter::PYTHON_ENV;
pub use language::Language;
pub use native::{CompileSettings, CompileStats, DEFAULT_CXX_FLAGS};
pub use outcome::{Outcome, Termination};
pub use pool::{Accounting, Isolation, Sandbox, SandboxConfig, SandboxError};
pub use seccomp::denied_syscalls;
pub use toolchain::CXX_ENV;
pub use uids::effective_uid;
#[cfg(feature = "wasm")]
pub use wasm::FUEL_PER_CPU_MS as WASM_FUEL_PER_CPU_MS;
