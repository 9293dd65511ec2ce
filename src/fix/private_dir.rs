//! The fix run directory is believed: a rerun takes model answers and test outcomes from its
//! caches. So it lives under the user's own cache directory by default, and any run
//! directory is used only when nobody else can have written to it or can change it.

use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::error::FixError;

/// `$XDG_CACHE_HOME/sstar/fix/NAME`, or `~/.cache/sstar/fix/NAME`.
pub fn default_run_dir(name: &str) -> Result<PathBuf, FixError> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|home| home.join(".cache"))
        })
        .ok_or_else(|| {
            FixError::Usage(
                "no cache directory for the fix run ($XDG_CACHE_HOME and $HOME unset): pass --run-dir"
                    .to_owned(),
            )
        })?;
    Ok(base.join("sstar").join("fix").join(name))
}

/// Creates `dir` if missing (mode 0700, missing parents too), then checks it may be
/// believed, and returns its canonical path, the one to use from then on (a symbolic link on
/// the way could be changed after the check). Refused:
/// - a directory above it not owned by this user or root, or writable by group or others
///   without the sticky bit (`/tmp` is fine);
/// - it, `cache/`, `cache/llm/` or `cache/exec.log` not owned by this user or writable by
///   group or others;
/// - anything else inside not owned by this user, a symbolic link, or writable by group or
///   others where they can reach it (every directory between it and the run searchable by
///   them: inside a 0700 run directory a umask of 002 is harmless).
///
/// The caches are then made (0700, 0600) if missing, so the next run finds them private
/// whatever the umask.
pub fn take_run_dir(dir: &Path) -> Result<PathBuf, FixError> {
    private_dirs(dir)?;
    let root = std::fs::canonicalize(dir).map_err(FixError::io(dir))?;
    let me = sstar_sandbox::effective_uid();
    let refuse = |path: &Path, reason: String| FixError::UnsafeRunDir {
        root: root.clone(),
        path: path.to_owned(),
        reason,
    };
    for above in root.ancestors().skip(1) {
        let meta = std::fs::metadata(above).map_err(FixError::io(above))?;
        if meta.uid() != me && meta.uid() != 0 {
            return Err(refuse(above, format!("it is owned by uid {}", meta.uid())));
        }
        if meta.mode() & 0o022 != 0 && meta.mode() & 0o1000 == 0 {
            return Err(refuse(above, writable(meta.mode())));
        }
    }
    let named: Vec<PathBuf> = CACHES.iter().map(|c| root.join(c)).collect();
    let mut stack = vec![(root.clone(), true)];
    while let Some((path, exposed)) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).map_err(FixError::io(&path))?;
        if meta.file_type().is_symlink() {
            return Err(refuse(&path, "it is a symbolic link".to_owned()));
        }
        if meta.uid() != me {
            return Err(refuse(
                &path,
                format!("it is owned by uid {}, not by you (uid {me})", meta.uid()),
            ));
        }
        let strict = path == root || named.contains(&path);
        if (exposed || strict) && meta.mode() & 0o022 != 0 {
            return Err(refuse(&path, writable(meta.mode())));
        }
        if meta.is_dir() {
            let inner = exposed && meta.mode() & 0o011 != 0;
            for entry in std::fs::read_dir(&path).map_err(FixError::io(&path))? {
                stack.push((entry.map_err(FixError::io(&path))?.path(), inner));
            }
        }
    }
    private_dirs(&root.join("cache/llm"))?;
    let log = root.join("cache/exec.log");
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(&log)
        .map_err(FixError::io(&log))?;
    Ok(root)
}

/// What the run believes, checked however private the directory around it.
const CACHES: [&str; 3] = ["cache", "cache/llm", "cache/exec.log"];

/// `dir` and its missing parents, made 0700 (an existing one is left as it is).
fn private_dirs(dir: &Path) -> Result<(), FixError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(FixError::io(dir))
}

fn writable(mode: u32) -> String {
    format!(
        "it is writable by group or others (mode {:04o})",
        mode & 0o7777
    )
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }

    #[test]
    fn a_new_directory_and_its_caches_are_made_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = dir.path().join("a/b/run");
        let taken = take_run_dir(&run).expect("taken");
        assert_eq!(taken, std::fs::canonicalize(&run).expect("canonical"));
        let mode = |path: &Path| std::fs::metadata(path).expect("meta").mode() & 0o777;
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&run), 0o700);
        assert_eq!(mode(&run.join("cache/llm")), 0o700);
        assert_eq!(mode(&run.join("cache/exec.log")), 0o600);
        // What a umask of 002 makes inside a run nobody else can enter is no risk...
        std::fs::create_dir(run.join("cache/llm/ab")).expect("mkdir");
        chmod(&run.join("cache/llm/ab"), 0o775);
        take_run_dir(&run).expect("unreachable for others");
        // ...but it is once they can reach it.
        chmod(&run, 0o755);
        chmod(&run.join("cache"), 0o755);
        chmod(&run.join("cache/llm"), 0o755);
        let error = take_run_dir(&run).expect_err("refused").to_string();
        assert!(error.contains("cache/llm/ab: it is writable"), "{error}");
        chmod(&run.join("cache/llm/ab"), 0o755);
        take_run_dir(&run).expect("readable by others is fine");
    }

    #[test]
    fn anything_others_could_write_is_refused_by_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = dir.path().join("run");
        std::fs::create_dir_all(run.join("cache/llm")).expect("mkdir");
        chmod(&run, 0o700);
        std::fs::write(run.join("cache/exec.log"), "").expect("write");
        chmod(&run.join("cache/exec.log"), 0o666);
        let error = take_run_dir(&run).expect_err("refused").to_string();
        assert!(
            error.contains("cache/exec.log: it is writable by group or others (mode 0666)"),
            "{error}"
        );
        chmod(&run.join("cache/exec.log"), 0o644);
        chmod(&run.join("cache"), 0o777);
        let error = take_run_dir(&run).expect_err("refused").to_string();
        assert!(error.contains("/cache: it is writable"), "{error}");
        chmod(&run.join("cache"), 0o700);
        std::os::unix::fs::symlink("/etc/passwd", run.join("cache/llm/ab")).expect("symlink");
        let error = take_run_dir(&run).expect_err("refused").to_string();
        assert!(error.contains("symbolic link"), "{error}");
        std::fs::remove_file(run.join("cache/llm/ab")).expect("rm");
        take_run_dir(&run).expect("private again");
        chmod(dir.path(), 0o777);
        let error = take_run_dir(&run).expect_err("refused").to_string();
        assert!(error.contains("writable by group or others"), "{error}");
        chmod(dir.path(), 0o1777);
        take_run_dir(&run).expect("a sticky directory above is fine, as /tmp");
    }
}
