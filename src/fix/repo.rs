//! The repository as bytes: read once from REPO (never written), one file replaced per
//! candidate, sent to the sandbox as an archive its scratch copy is unpacked from.

use std::path::{Component, Path};

use sstar_sandbox::{tree_archive, TreeFile};

use super::error::FixError;

/// Directories never copied: version control and caches the tests rebuild.
const SKIPPED_DIRS: &[&str] = &[".git", ".hg", ".svn", "__pycache__", ".pytest_cache"];

/// Largest tree sent to the sandbox (its scratch filesystem holds 256 MiB).
const MAX_TREE_BYTES: u64 = 128 << 20;

/// Every regular file of a repository, by relative path (sorted).
#[derive(Debug, Clone)]
pub struct Snapshot {
    files: Vec<TreeFile>,
}

impl Snapshot {
    /// Reads `root`. Symbolic links are skipped (one pointing outside would copy host files
    /// into the sandbox); so are the directories of [`SKIPPED_DIRS`].
    pub fn read(root: &Path) -> Result<Self, FixError> {
        let mut files = Vec::new();
        let mut total = 0u64;
        let mut stack = vec![String::new()];
        while let Some(relative) = stack.pop() {
            let dir = root.join(&relative);
            let entries = std::fs::read_dir(&dir).map_err(FixError::io(&dir))?;
            for entry in entries {
                let entry = entry.map_err(FixError::io(&dir))?;
                let kind = entry.file_type().map_err(FixError::io(entry.path()))?;
                let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                    tracing::warn!("skipping {} (not UTF-8)", entry.path().display());
                    continue;
                };
                let path = if relative.is_empty() {
                    name.clone()
                } else {
                    format!("{relative}/{name}")
                };
                if kind.is_dir() && !SKIPPED_DIRS.contains(&name.as_str()) {
                    stack.push(path);
                } else if kind.is_file() {
                    let data = std::fs::read(entry.path()).map_err(FixError::io(entry.path()))?;
                    total += data.len() as u64;
                    let executable = {
                        use std::os::unix::fs::PermissionsExt as _;
                        let meta = entry.metadata().map_err(FixError::io(entry.path()))?;
                        meta.permissions().mode() & 0o111 != 0
                    };
                    files.push(TreeFile {
                        path,
                        data,
                        executable,
                    });
                }
            }
            if total > MAX_TREE_BYTES {
                return Err(FixError::Usage(format!(
                    "{} holds more than {} MiB of files: too large to copy into the sandbox",
                    root.display(),
                    MAX_TREE_BYTES >> 20
                )));
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Self { files })
    }

    /// The text of the file at `path` (relative, `/`-separated).
    pub fn text(&self, path: &str) -> Option<&str> {
        let file = self.files.iter().find(|f| f.path == path)?;
        std::str::from_utf8(&file.data).ok()
    }

    /// The archive of this tree with `path` holding `text` instead.
    pub fn archive_with(&self, path: &str, text: &str) -> Vec<u8> {
        let replaced = TreeFile {
            path: path.to_owned(),
            data: text.as_bytes().to_vec(),
            executable: self.files.iter().any(|f| f.path == path && f.executable),
        };
        tree_archive(
            self.files
                .iter()
                .map(|f| if f.path == path { &replaced } else { f }),
        )
    }

    /// The archive of the tree as it is.
    pub fn archive(&self) -> Vec<u8> {
        tree_archive(&self.files)
    }
}

/// `PATH` as the tree names it: relative, normal components, `/`-separated.
pub fn tree_path(file: &Path) -> Result<String, FixError> {
    let mut parts = Vec::new();
    for component in file.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str().ok_or_else(|| {
                FixError::Usage(format!("--file {} is not UTF-8", file.display()))
            })?),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(FixError::Usage(format!(
                    "--file {} must be a path inside REPO, relative to its root",
                    file.display()
                )))
            }
        }
    }
    Ok(parts.join("/"))
}

/// The module a file is imported as with the repository root on `sys.path`:
/// `pkg/mod.py` is `pkg.mod`, `pkg/__init__.py` is `pkg`.
pub fn module_name(path: &str) -> Result<String, FixError> {
    let stem = path
        .strip_suffix(".py")
        .ok_or_else(|| FixError::Usage(format!("--file {path} is not a .py file")))?;
    let stem = stem.strip_suffix("/__init__").unwrap_or(stem);
    Ok(stem.replace('/', "."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_module_names_as_tests_import_them() {
        assert_eq!(module_name("stats.py").expect("module"), "stats");
        assert_eq!(module_name("pkg/sub/m.py").expect("module"), "pkg.sub.m");
        assert_eq!(module_name("pkg/__init__.py").expect("module"), "pkg");
        assert!(module_name("pkg/data.txt").is_err());
    }

    #[test]
    fn file_paths_must_stay_inside_the_repository() {
        assert_eq!(tree_path(Path::new("./a/b.py")).expect("path"), "a/b.py");
        assert!(tree_path(Path::new("../b.py")).is_err());
        assert!(tree_path(Path::new("/etc/b.py")).is_err());
    }

    #[test]
    fn a_snapshot_skips_git_and_symlinks_and_replaces_one_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join(".git")).expect("mkdir");
        std::fs::write(dir.path().join(".git/config"), "x").expect("write");
        std::fs::create_dir_all(dir.path().join("pkg")).expect("mkdir");
        std::fs::write(dir.path().join("pkg/m.py"), "old\n").expect("write");
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("leak")).expect("symlink");
        let snapshot = Snapshot::read(dir.path()).expect("read");
        assert_eq!(snapshot.text("pkg/m.py"), Some("old\n"));
        assert_eq!(snapshot.text(".git/config"), None);
        assert_eq!(snapshot.text("leak"), None);
        let archive = snapshot.archive_with("pkg/m.py", "new\n");
        assert!(archive.windows(4).any(|w| w == b"new\n"));
        assert!(!archive.windows(4).any(|w| w == b"old\n"));
    }
}
