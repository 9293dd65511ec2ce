//! What a pyenv shim answered, kept in the user's cache: asking it costs about 50 ms (three
//! bash scripts) on every command, for an answer that changes only when a version is chosen
//! again. The answer is reused only while everything pyenv reads to choose is as it was.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Answers kept at most: one per working directory and environment a user runs sstar from.
const KEPT: usize = 32;

/// What a pyenv shim's choice depends on: the shim, the variables pyenv reads, the working
/// directory and every version file pyenv would look at from there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Choice {
    shim: PathBuf,
    shim_stamp: String,
    env: Vec<(String, String)>,
    cwd: PathBuf,
    /// Each version file pyenv consults, with its content (or why there is none).
    version_files: Vec<(PathBuf, String)>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Answer {
    choice: Choice,
    executable: PathBuf,
}

impl Choice {
    /// The choice `shim` would make now, if it is a pyenv shim (other launchers are asked
    /// every time: sstar does not know what they read).
    pub(crate) fn of(shim: &Path, script: &[u8]) -> Option<Self> {
        if !script.windows(5).any(|w| w == b"pyenv") {
            return None;
        }
        let env = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, _)| k.starts_with("PYENV") || matches!(k.as_str(), "PATH" | "HOME"))
            .collect::<std::collections::BTreeMap<_, _>>()
            .into_iter()
            .collect();
        let cwd = std::env::current_dir().ok()?;
        let root = std::env::var_os("PYENV_ROOT")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".pyenv")))?;
        let version_files = cwd
            .ancestors()
            .map(|dir| dir.join(".python-version"))
            .chain([root.join("version")])
            .map(|file| {
                let content = std::fs::read_to_string(&file).unwrap_or_else(|e| e.to_string());
                (file, content)
            })
            .collect();
        Some(Self {
            shim: shim.to_path_buf(),
            shim_stamp: crate::cache_dir::stamp(shim),
            env,
            cwd,
            version_files,
        })
    }

    /// The executable this choice was answered with before, if it is still there.
    pub(crate) fn recall(&self) -> Option<PathBuf> {
        let file = cache_file()?;
        if !crate::cache_dir::guarded(&file) {
            return None;
        }
        let answers: Vec<Answer> = serde_json::from_slice(&std::fs::read(&file).ok()?).ok()?;
        let answer = answers.into_iter().find(|a| a.choice == *self)?;
        crate::interpreter::is_binary(&answer.executable).then_some(answer.executable)
    }

    /// Keeps `executable` as this choice's answer (best effort: a cache that cannot be written
    /// only costs the next command the question again).
    pub(crate) fn remember(self, executable: &Path) {
        let Some(file) = cache_file() else { return };
        let mut answers: Vec<Answer> = std::fs::read(&file)
            .ok()
            .filter(|_| crate::cache_dir::guarded(&file))
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        answers.retain(|a| a.choice != self);
        answers.insert(
            0,
            Answer {
                choice: self,
                executable: executable.to_path_buf(),
            },
        );
        answers.truncate(KEPT);
        let written = serde_json::to_vec(&answers)
            .map_err(std::io::Error::other)
            .and_then(|bytes| crate::cache_dir::replace(&file, &bytes));
        if let Err(e) = written {
            tracing::debug!(
                "could not keep the launcher's answer in {}: {e}",
                file.display()
            );
        }
    }
}

fn cache_file() -> Option<PathBuf> {
    crate::cache_dir::private("python").map(|dir| dir.join("launchers.json"))
}
