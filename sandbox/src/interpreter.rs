//! Finding the Python interpreter once: `SSTAR_PYTHON`, else `python3` on PATH, resolved to
//! the real executable (a pyenv shim costs ~250 ms per start) and the module path it has when
//! isolated (`-I`: no `PYTHONPATH`, no user site; `-S`: no `.pth` code run), cut down to its
//! standard library and site directories. Only those are mounted into the sandbox: anything else on the path (a
//! `.pth` entry pointing at a project, say) could expose host files to candidates.

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
    /// The module path candidates get: standard library and site directories only.
    pub sys_path: Vec<String>,
    /// Entries of the isolated interpreter's path left out of `sys_path` (and so not mounted).
    #[serde(default)]
    pub skipped: Vec<String>,
    pub version: String,
}

/// Run with `-I -S`: prints the executable and the module path split into what the sandbox may
/// mount (under the standard library's or a site directory) and what it leaves out. `site`
/// is not run (a `.pth` file may import anything, and some cost 100+ ms): its directories and
/// the path entries their `.pth` files name are read here the way `site.addpackage` reads them.
const PROBE: &str = "import json, os, site, sys, sysconfig
path = [p for p in sys.path if p]
for sitedir in site.getsitepackages():
    if not os.path.isdir(sitedir):
        continue
    path.append(sitedir)
    for pth in sorted(n for n in os.listdir(sitedir) if n.endswith('.pth')):
        try:
            lines = open(os.path.join(sitedir, pth), encoding='utf-8').read().splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for line in lines:
            if line.startswith(('#', 'import ', 'import\t')) or not line.strip():
                continue
            entry = os.path.join(sitedir, line.rstrip())
            if os.path.exists(entry) and entry not in path:
                path.append(entry)
roots = {sysconfig.get_path(k) for k in ('stdlib', 'platstdlib', 'purelib', 'platlib')}
roots |= set(site.getsitepackages())
roots = {os.path.realpath(r) for r in roots if r}
zips = {os.path.dirname(os.path.realpath(sysconfig.get_path('stdlib')))}
def allowed(p):
    real = os.path.realpath(p)
    if any(real == r or real.startswith(r + os.sep) for r in roots):
        return True
    return real.endswith('.zip') and os.path.dirname(real) in zips
print(json.dumps({'executable': sys.executable, 'version': sys.version.split()[0],
    'sys_path': [p for p in path if allowed(p)], 'skipped': [p for p in path if not allowed(p)],
    'ok': sys.version_info >= (3, 9)}))
";
impl Interpreter {
    /// Resolves `SSTAR_PYTHON` or `python3` on PATH.
    pub fn from_env() -> Result<Self, SandboxError> {
        let requested = std::env::var_os(PYTHON_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("python3"));
        Self::resolve(&requested)
    }

    /// Runs `python` once (isolated) to learn its real executable and `sys.path`.
    pub fn resolve(python: &Path) -> Result<Self, SandboxError> {
        let not_found = |reason: String| SandboxError::Interpreter {
            python: python.to_path_buf(),
            reason,
        };
        let output = Command::new(python)
            .args(["-I", "-S", "-c", PROBE])
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
