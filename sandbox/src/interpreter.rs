//! Finding the Python interpreter once: `SSTAR_PYTHON`, else `python3` on PATH, resolved to
//! the real executable (a pyenv shim costs 80-250 ms per start, and would not run inside the
//! sandbox's root).

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::launcher::Choice;
use crate::pool::SandboxError;

/// Environment variable naming the interpreter to use instead of `python3` on PATH.
pub const PYTHON_ENV: &str = "SSTAR_PYTHON";

/// A resolved CPython: its real executable. What it imports from (its module path, cut down
/// to the standard library and site directories) the worker works out for itself at start.
#[derive(Debug, Clone)]
pub struct Interpreter {
    pub executable: PathBuf,
}

/// Asks a launcher (a pyenv shim, a venv script) for the interpreter it runs.
const WHERE: &str = "import sys; print(sys.executable)";

impl Interpreter {
    /// Resolves `SSTAR_PYTHON` or `python3` on PATH.
    pub fn from_env() -> Result<Self, SandboxError> {
        let requested = std::env::var_os(PYTHON_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("python3"));
        Self::resolve(&requested)
    }

    /// Finds `python` (on PATH unless it names a path) and its real executable: a binary is
    /// taken as it is (no process started); anything else (a shim script) is run once, isolated,
    /// to say which binary it runs (a pyenv shim's answer is kept until its choice changes).
    pub fn resolve(python: &Path) -> Result<Self, SandboxError> {
        let not_found = |reason: String| SandboxError::Interpreter {
            python: python.to_path_buf(),
            reason,
        };
        let located = locate(python).ok_or_else(|| not_found("not found on PATH".into()))?;
        let real = located
            .canonicalize()
            .map_err(|e| not_found(e.to_string()))?;
        if is_binary(&real) {
            return Ok(Self { executable: real });
        }
        let choice = std::fs::read(&real)
            .ok()
            .and_then(|script| Choice::of(&located, &script));
        if let Some(executable) = choice.as_ref().and_then(Choice::recall) {
            return Ok(Self { executable });
        }
        let output = Command::new(&located)
            .args(["-I", "-S", "-c", WHERE])
            .output()
            .map_err(|e| not_found(e.to_string()))?;
        if !output.status.success() {
            return Err(not_found(format!(
                "exited with {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        let said = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        let executable = Path::new(&said)
            .canonicalize()
            .map_err(|e| not_found(format!("it runs `{said}`: {e}")))?;
        if let Some(choice) = choice {
            choice.remember(&executable);
        }
        Ok(Self { executable })
    }
}

/// `python` itself when it names a path, else the first executable of that name on PATH.
fn locate(python: &Path) -> Option<PathBuf> {
    if python.components().count() > 1 {
        return Some(python.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(python))
        .find(|candidate| {
            std::fs::metadata(candidate)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Whether `path` is an ELF executable (not a script that launches one).
pub(crate) fn is_binary(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut magic))
        .is_ok_and(|()| magic == *b"\x7fELF")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_launcher_script_is_asked_for_the_binary_it_runs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = Interpreter::from_env().expect("python3").executable;
        let shim = dir.path().join("python3");
        std::fs::write(
            &shim,
            format!("#!/bin/sh\nexec {} \"$@\"\n", real.display()),
        )
        .expect("write shim");
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        assert_eq!(
            Interpreter::resolve(&shim).expect("resolve").executable,
            real
        );
        assert!(is_binary(&real));
        assert!(!is_binary(&shim));
    }
}
