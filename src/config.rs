//! Settings read from the environment, with every variable's name in one place.

use sstar_sandbox::{Interpreter, Sandbox, SandboxConfig};

use crate::error::Error;

/// Executions in flight (sandbox workers); default: the number of cores.
pub const ENV_WORKERS: &str = "SSTAR_WORKERS";
pub use sstar_sandbox::PYTHON_ENV;

/// Starts the sandbox with the interpreter and worker count from the environment.
pub fn sandbox_from_env() -> Result<Sandbox, Error> {
    let mut config = SandboxConfig::new(Interpreter::from_env()?);
    if let Some(workers) = std::env::var(ENV_WORKERS).ok().filter(|v| !v.is_empty()) {
        config.workers = workers.parse().map_err(|_| {
            Error::Usage(format!(
                "{ENV_WORKERS} must be a positive integer, got `{workers}`"
            ))
        })?;
    }
    Ok(Sandbox::start(config)?)
}
