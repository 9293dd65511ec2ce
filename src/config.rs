//! Settings read from the environment, with every variable's name in one place.

use std::path::PathBuf;

use sstar_sandbox::{Backend, Interpreter, Sandbox, SandboxConfig};

use crate::error::Error;

/// Executions in flight (sandbox workers); default: the number of cores.
pub const ENV_WORKERS: &str = "SSTAR_WORKERS";
/// The sandbox backend when no `--sandbox` flag is given: `process` (default) or `wasm`.
pub const ENV_SANDBOX: &str = "SSTAR_SANDBOX";
/// Flags C++ programs are compiled with when no `--cxx-flags` is given.
pub const ENV_CXXFLAGS: &str = "SSTAR_CXXFLAGS";
pub use sstar_sandbox::CXX_ENV;
pub use sstar_sandbox::{PYTHON_ENV, WASM_PYTHON_ENV};

/// Which runtime candidates run in, and where the wasm backend's CPython is.
#[derive(Debug, Clone, Default)]
pub struct SandboxChoice {
    pub backend: Backend,
    /// `--wasm-python`; `None`: `$SSTAR_WASM_PYTHON`, then the default install location.
    pub wasm_python: Option<PathBuf>,
    /// `--cxx-flags`, else `$SSTAR_CXXFLAGS`; `None`: the default flags.
    pub cxx_flags: Option<Vec<String>>,
}

impl SandboxChoice {
    /// The backend `$SSTAR_SANDBOX` names (default `process`).
    pub fn from_env() -> Result<Self, Error> {
        let backend = match std::env::var(ENV_SANDBOX).ok().filter(|v| !v.is_empty()) {
            Some(name) => name.parse().map_err(|_| {
                Error::Usage(format!(
                    "{ENV_SANDBOX} must be `process` or `wasm`, got `{name}`"
                ))
            })?,
            None => Backend::Process,
        };
        Ok(Self {
            backend,
            wasm_python: None,
            cxx_flags: cxx_flags_from_env(),
        })
    }
}

/// `$SSTAR_CXXFLAGS`, split on whitespace, when set and not blank.
pub fn cxx_flags_from_env() -> Option<Vec<String>> {
    std::env::var(ENV_CXXFLAGS)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| v.split_whitespace().map(str::to_owned).collect())
}

/// Starts the sandbox `choice` names with the interpreter and worker count from the
/// environment (the wasm backend needs no host interpreter). Each of `packages` must be
/// installed (a setup error otherwise, before anything runs); programs may still ask for
/// others of the pinned set, looked up when first asked for.
pub fn start_sandbox(choice: &SandboxChoice, packages: &[String]) -> Result<Sandbox, Error> {
    let mut config = match choice.backend {
        Backend::Process => SandboxConfig::new(Interpreter::from_env()?),
        Backend::Wasm => SandboxConfig::wasm(choice.wasm_python.clone()),
    };
    config.packages = packages.to_vec();
    if let Some(flags) = &choice.cxx_flags {
        config.compile.flags.clone_from(flags);
    }
    if let Some(workers) = std::env::var(ENV_WORKERS).ok().filter(|v| !v.is_empty()) {
        // Zero is refused, not raised to one: a setting that cannot mean what it says is a
        // mistake to report.
        let count: std::num::NonZeroUsize = workers.parse().map_err(|_| {
            Error::Usage(format!(
                "{ENV_WORKERS} must be a positive integer, got `{workers}`"
            ))
        })?;
        config.workers = count.get();
    }
    Ok(Sandbox::start(config)?)
}

/// Starts the sandbox `$SSTAR_SANDBOX` names (for callers without a `--sandbox` flag).
pub fn sandbox_from_env() -> Result<Sandbox, Error> {
    start_sandbox(&SandboxChoice::from_env()?, &[])
}
