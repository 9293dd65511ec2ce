//! Finding the Python interpreter once: `SSTAR_PYTHON`, else `python3` on PATH, resolved to
//! the real executable (a pyenv shim costs ~250 ms per start) and its default `sys.path`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::pool::SandboxError;

/// Environment variable naming the interpreter to use instead of `python3` on PATH.
pub const PYTHON_ENV: &str = "SSTAR_PYTHON";

/// A resolved CPython: its real executable and the module path it would normally use.
#[derive(Debug, Clone, Deserialize)]
pub struct Interpreter {
    pub executable: PathBuf,
    pub sys_path: Vec<String>,
    pub version: String,
}

const PROBE: &str = "import json, sys; print(json.dumps({'executable': sys.executable, \
    'sys_path': [p for p in sys.path if p], 'version': sys.version.split()[0], \
    'ok': sys.version_info >= (3, 9)}))";

impl Interpreter {
    /// Resolves `SSTAR_PYTHON` or `python3` on PATH.
    pub fn from_env() -> Result<Self, SandboxError> {
        let requested = std::env::var_os(PYTHON_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("python3"));
        Self::resolve(&requested)
    }

    /// Runs `python` once to learn its real executable and `sys.path`.
    pub fn resolve(python: &Path) -> Result<Self, SandboxError> {
        let not_found = |reason: String| SandboxError::Interpreter {
            python: python.to_path_buf(),
            reason,
        };
        let output = Command::new(python)
            .args(["-c", PROBE])
            .output()
            .map_err(|e| not_found(e.to_string()))?;
        if !output.status.success() {
            return Err(not_found(format!(
                "exited with {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        #[derive(Deserialize)]
        struct Probe {
            #[serde(flatten)]
            interpreter: Interpreter,
            ok: bool,
        }
        let probe: Probe = serde_json::from_slice(&output.stdout)
            .map_err(|e| not_found(format!("unexpected probe output: {e}")))?;
        if !probe.ok {
            return Err(not_found(format!(
                "python {} is too old: sstar needs 3.9 or later",
                probe.interpreter.version
            )));
        }
        Ok(probe.interpreter)
    }
}
