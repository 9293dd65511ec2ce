//! Which runtime guards the candidates (`--sandbox process|wasm`), and where the `wasm`
//! backend's CPython-for-WASI module is found. Compiled with or without the `wasm` feature,
//! so a build without it can still name the backend and say how to get it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::pool::SandboxError;

/// Environment variable naming the CPython WASI module (`python.wasm`) for the `wasm` backend.
pub const WASM_PYTHON_ENV: &str = "SSTAR_WASM_PYTHON";

/// The file name `scripts/setup-wasm` installs under `$XDG_CACHE_HOME/sstar/wasm/`.
pub const WASM_PYTHON_FILE: &str = "python-3.12.0.wasm";

/// The runtime candidates run in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// Warm forked CPython workers on the host kernel, isolated by namespaces, cgroups,
    /// seccomp and a dedicated uid.
    #[default]
    Process,
    /// CPython compiled to wasm32-wasi, run by wasmtime: no host filesystem, network,
    /// processes or environment; CPU counted in fuel (needs the `wasm` cargo feature).
    Wasm,
}

impl Backend {
    /// The name used on the command line and in run files.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Process => "process",
            Backend::Wasm => "wasm",
        }
    }

    /// Whether this build of the sandbox can run candidates with this backend.
    pub fn available(self) -> bool {
        match self {
            Backend::Process => true,
            Backend::Wasm => cfg!(feature = "wasm"),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sandbox backend name that is neither `process` nor `wasm`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sandbox backend `{0}` (expected `process` or `wasm`)")]
pub struct UnknownBackend(pub String);

impl FromStr for Backend {
    type Err = UnknownBackend;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "process" => Ok(Backend::Process),
            "wasm" => Ok(Backend::Wasm),
            other => Err(UnknownBackend(other.to_owned())),
        }
    }
}

/// How to get the module, for messages about a missing one.
const INSTALL_HINT: &str =
    "install it with `scripts/setup-wasm`, or pass --wasm-python PATH, or set SSTAR_WASM_PYTHON";

/// Finds the CPython WASI module: `explicit` (e.g. `--wasm-python`), else `$SSTAR_WASM_PYTHON`,
/// else `$XDG_CACHE_HOME/sstar/wasm/python-3.12.0.wasm` (`~/.cache/...` without
/// `XDG_CACHE_HOME`), where `scripts/setup-wasm` installs it. The path must name a readable
/// regular file; otherwise the error says where it looked and how to install it.
pub fn locate_wasm_python(explicit: Option<&Path>) -> Result<PathBuf, SandboxError> {
    let env = std::env::var_os(WASM_PYTHON_ENV).filter(|v| !v.is_empty());
    let (path, from) = match (explicit, env) {
        (Some(path), _) => (path.to_path_buf(), "given"),
        (None, Some(path)) => (PathBuf::from(path), WASM_PYTHON_ENV),
        (None, None) => match default_wasm_python() {
            Some(path) => (path, "default location"),
            None => {
                return Err(SandboxError::WasmPython {
                    path: PathBuf::from(format!("$XDG_CACHE_HOME/sstar/wasm/{WASM_PYTHON_FILE}")),
                    reason: format!("neither XDG_CACHE_HOME nor HOME is set; {INSTALL_HINT}"),
                })
            }
        },
    };
    let missing = |what: String| SandboxError::WasmPython {
        path: path.clone(),
        reason: format!("{what} ({from}); {INSTALL_HINT}"),
    };
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() => Ok(path),
        Ok(_) => Err(missing("not a regular file".into())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(missing("not found".into())),
        Err(e) => Err(missing(e.to_string())),
    }
}

/// `$XDG_CACHE_HOME/sstar/wasm/python-3.12.0.wasm`, or under `~/.cache`.
fn default_wasm_python() -> Option<PathBuf> {
    Some(
        crate::cache_dir::base()?
            .join("wasm")
            .join(WASM_PYTHON_FILE),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for backend in [Backend::Process, Backend::Wasm] {
            assert_eq!(backend.to_string().parse::<Backend>(), Ok(backend));
            let json = serde_json::to_string(&backend).expect("serialize");
            assert_eq!(json, format!("\"{backend}\""));
        }
        assert!("docker".parse::<Backend>().is_err());
        assert_eq!(Backend::default(), Backend::Process);
    }

    #[test]
    fn a_missing_module_says_how_to_install_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let error = locate_wasm_python(Some(&dir.path().join("python.wasm")))
            .expect_err("missing")
            .to_string();
        assert!(error.contains("scripts/setup-wasm"), "{error}");
        assert!(error.contains("--wasm-python"), "{error}");
        assert!(error.contains("SSTAR_WASM_PYTHON"), "{error}");
        let error = locate_wasm_python(Some(dir.path())).expect_err("a directory");
        assert!(error.to_string().contains("not a regular file"), "{error}");
        let file = dir.path().join("python.wasm");
        std::fs::write(&file, b"\0asm").expect("write");
        assert_eq!(locate_wasm_python(Some(&file)).expect("found"), file);
    }
}
