//! The packages a judge can offer beyond the standard library: a pinned set, installed from
//! PyPI (versions and wheel hashes fixed here) into the user's cache, one directory per
//! package, and mounted read-only into the sandbox for the programs whose problem asks for it.

use std::collections::BTreeMap;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};

use crate::interpreter::Interpreter;

/// Environment variable naming the directory the pinned set is installed under, instead of
/// `$XDG_CACHE_HOME/sstar/packages`.
pub const PACKAGES_ENV: &str = "SSTAR_PACKAGES";

/// One package of the set a judge can offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pin {
    /// The distribution name, which is also what a program imports.
    pub name: &'static str,
    pub version: &'static str,
    /// Pure Python (one wheel for every interpreter, the wasm one included); otherwise a
    /// native extension, installed per interpreter and platform, process backend only.
    pub pure: bool,
    /// sha256 of every wheel pip may choose (one per interpreter and platform).
    pub wheel_sha256: &'static [&'static str],
}

/// The set: what LeetCode's Python environment offers beyond the standard library
/// (`sortedcontainers`), and `numpy`, which LiveCodeBench's grader has installed.
pub const PINNED: &[Pin] = &[
    Pin {
        name: "sortedcontainers",
        version: "2.4.0",
        pure: true,
        wheel_sha256: &["a163dcaede0f1c021485e957a39245190e74249897e2ae4b2aa38595db237ee0"],
    },
    Pin {
        name: "numpy",
        version: "2.2.6",
        pure: false,
        // CPython 3.10 to 3.13, manylinux x86_64 and aarch64.
        wheel_sha256: &[
            "fc7b73d02efb0e18c000e9ad8b83480dfcd5dfd11065997ed4c6747470ae8915",
            "efd28d4e9cd7d7a8d39074a4d44c63eda73401580c5c76acda2ce969e0a38e83",
            "ba10f8411898fc418a521833e014a77d3ca01c15b0c6cdcce6a0d2897e6dbbdf",
            "b64d8d4d17135e00c8e346e0a738deb17e754230d7e0810ac5012750bbd85a5a",
            "fd83c01228a688733f1ded5201c678f0c53ecc1006ffbc404db9f7a899ac6249",
            "f2618db89be1b4e05f7a1a847a9c1c0abd63e63a1607d892dd54668dd92faf87",
            "1bc23a79bfabc5d056d106f9befb8d50c31ced2fbc70eedb8155aec74a45798f",
            "f92729c95468a2f4f15e9bb94c432a9229d0d50de67304399627a943201baa2f",
        ],
    },
];

/// The pinned package called `name`, if there is one.
pub fn pin(name: &str) -> Option<&'static Pin> {
    PINNED.iter().find(|pin| pin.name == name)
}

/// The names of the pinned set, for messages: `sortedcontainers, numpy`.
pub fn pinned_names() -> String {
    PINNED.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
}

/// The pinned set as one text (names, versions, hashes), for execution-cache fingerprints.
pub(crate) fn fingerprint() -> String {
    PINNED.iter().map(requirement).collect()
}

/// File written last into a package's directory: without it the directory is a cut-short
/// install and is not offered.
const COMPLETE: &str = ".sstar-installed";

/// Why a package cannot be offered or installed. Always the setup's fault, never a program's.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error(
        "no package `{name}` in the set a judge can offer ({})",
        pinned_names()
    )]
    Unknown { name: String },
    #[error(
        "package `{name}` {version} is not installed (looked in {}): install it with `sstar packages install {name}`",
        dir.display()
    )]
    Missing {
        name: String,
        version: &'static str,
        dir: PathBuf,
    },
    #[error("package `{name}` is a native extension, which `--sandbox wasm` cannot load (use `--sandbox process`)")]
    NotPure { name: String },
    #[error("no directory for sstar's packages: set {PACKAGES_ENV} or HOME")]
    NoStore,
    #[error("the package store cannot be used: {reason}")]
    Store { reason: String },
    #[error(
        "{} can be changed by another user (it must be owned by you or root, writable by neither group nor others): a package planted there would decide verdicts; fix it with `chmod go-w` or set {PACKAGES_ENV}",
        dir.display()
    )]
    Unguarded { dir: PathBuf },
    #[error("installing `{name}` into {}: {reason}", dir.display())]
    Install {
        name: String,
        dir: PathBuf,
        reason: String,
    },
}

/// Where the pinned set is installed: `$SSTAR_PACKAGES`, else `$XDG_CACHE_HOME/sstar/packages`
/// (`~/.cache/sstar/packages`). Pure packages live in `py3/NAME-VERSION`, native ones in
/// `TAG/NAME-VERSION` per interpreter (`cpython-311-linux-x86_64`).
#[derive(Debug, Clone)]
pub struct PackageStore {
    root: PathBuf,
}

impl PackageStore {
    /// The store the environment names.
    pub fn from_env() -> Result<Self, PackageError> {
        let root = std::env::var_os(PACKAGES_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| crate::cache_dir::base().map(|base| base.join("packages")))
            .ok_or(PackageError::NoStore)?;
        Ok(Self { root })
    }

    /// A store at `root`.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory `pin` is (or would be) installed in for `python`.
    pub fn dir(&self, pin: &Pin, python: &Interpreter) -> Result<PathBuf, PackageError> {
        let tag = if pin.pure {
            "py3".to_owned()
        } else {
            interpreter_tag(python).map_err(|reason| PackageError::Install {
                name: pin.name.to_owned(),
                dir: self.root.clone(),
                reason,
            })?
        };
        Ok(self
            .root
            .join(tag)
            .join(format!("{}-{}", pin.name, pin.version)))
    }

    /// Where `pin` is installed for `python`; `None` when it is not (or only cut short).
    pub fn installed(
        &self,
        pin: &Pin,
        python: &Interpreter,
    ) -> Result<Option<PathBuf>, PackageError> {
        let dir = self.dir(pin, python)?;
        Ok(is_complete(&dir).then_some(dir))
    }

    /// The installed directory of the package called `name`, for a program to import from:
    /// an error when it is unknown, (with `pure_only`, the wasm backend) native, not
    /// installed, or in a directory someone else could change.
    pub fn locate(
        &self,
        name: &str,
        python: &Interpreter,
        pure_only: bool,
    ) -> Result<PathBuf, PackageError> {
        let unknown = || PackageError::Unknown {
            name: name.to_owned(),
        };
        let pin = pin(name).ok_or_else(unknown)?;
        if pure_only && !pin.pure {
            return Err(PackageError::NotPure {
                name: name.to_owned(),
            });
        }
        let dir = self.dir(pin, python)?;
        if !is_complete(&dir) {
            return Err(PackageError::Missing {
                name: name.to_owned(),
                version: pin.version,
                dir,
            });
        }
        // The store, the interpreter's folder in it and the package's own.
        for guard in [&self.root, dir.parent().unwrap_or(&self.root), &dir] {
            if !crate::cache_dir::guarded(guard) {
                return Err(PackageError::Unguarded {
                    dir: guard.to_path_buf(),
                });
            }
        }
        Ok(dir)
    }

    /// Installs `pin` for `python` with pip, from the registry, hashes checked; a complete
    /// install is left alone. Returns its directory.
    pub fn install(&self, pin: &Pin, python: &Interpreter) -> Result<PathBuf, PackageError> {
        let dir = self.dir(pin, python)?;
        if is_complete(&dir) {
            return Ok(dir);
        }
        let failed = |reason: String| PackageError::Install {
            name: pin.name.to_owned(),
            dir: dir.clone(),
            reason,
        };
        let parent = dir.parent().unwrap_or(&self.root);
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(parent)
            .map_err(|e| failed(e.to_string()))?;
        // Built beside its place and renamed there whole: a concurrent sstar never sees half.
        let staging = tempfile::Builder::new()
            .prefix(".installing-")
            .tempdir_in(parent)
            .map_err(|e| failed(e.to_string()))?;
        let requirements = staging.path().join("requirements.txt");
        std::fs::write(&requirements, requirement(pin)).map_err(|e| failed(e.to_string()))?;
        let target = staging.path().join("site");
        let output = Command::new(&python.executable)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args([
                "--no-input",
                "--no-deps",
                "--only-binary=:all:",
                "--require-hashes",
            ])
            .arg("--target")
            .arg(&target)
            .arg("-r")
            .arg(&requirements)
            .output()
            .map_err(|e| failed(format!("cannot run pip: {e}")))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: Vec<&str> = stderr.trim().lines().rev().take(6).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(failed(format!(
                "pip exited with {}: {}",
                output.status,
                tail.join("\n")
            )));
        }
        std::fs::write(
            target.join(COMPLETE),
            format!("{}=={}\n", pin.name, pin.version),
        )
        .map_err(|e| failed(e.to_string()))?;
        // Candidates run as other uids: everything readable, nothing writable but by us.
        readable_by_all(&target).map_err(|e| failed(e.to_string()))?;
        match std::fs::rename(&target, &dir) {
            Ok(()) => Ok(dir),
            // Another install finished first.
            Err(_) if is_complete(&dir) => Ok(dir),
            Err(e) => Err(failed(e.to_string())),
        }
    }
}

/// The packages a sandbox offers: any of the pinned set installed in the store, looked up
/// when an execution first asks for it and remembered.
#[derive(Debug)]
pub(crate) struct Offered {
    store: Result<PackageStore, String>,
    python: Interpreter,
    /// The wasm backend: native extensions cannot load there.
    pure_only: bool,
    found: Mutex<BTreeMap<String, PathBuf>>,
}

impl Offered {
    /// The store of the environment, its root created so a sandbox can mount it before any
    /// package is installed.
    pub(crate) fn from_env(python: &Interpreter, pure_only: bool) -> Self {
        let store = PackageStore::from_env()
            .map_err(|e| e.to_string())
            .and_then(|store| {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o755)
                    .create(store.root())
                    .map(|()| store)
                    .map_err(|e| e.to_string())
            });
        Self {
            store,
            python: python.clone(),
            pure_only,
            found: Mutex::default(),
        }
    }

    /// The store's root, mounted read-only into the process sandbox's root.
    pub(crate) fn root(&self) -> Option<&Path> {
        self.store.as_ref().ok().map(PackageStore::root)
    }

    /// The installed directories of `names`, in order; the first that cannot be offered is
    /// the error (a setup error, never the program's).
    pub(crate) fn dirs(&self, names: &[String]) -> Result<Vec<PathBuf>, PackageError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let mut found = self.found.lock().unwrap_or_else(PoisonError::into_inner);
        let mut dirs = Vec::with_capacity(names.len());
        for name in names {
            if let Some(dir) = found.get(name) {
                dirs.push(dir.clone());
                continue;
            }
            let store = self.store.as_ref().map_err(|reason| PackageError::Store {
                reason: reason.clone(),
            })?;
            let dir = store.locate(name, &self.python, self.pure_only)?;
            found.insert(name.clone(), dir.clone());
            dirs.push(dir);
        }
        Ok(dirs)
    }
}

/// Whether `dir` holds a finished install (its completion mark, written last).
fn is_complete(dir: &Path) -> bool {
    dir.join(COMPLETE).is_file()
}

/// pip's requirements line for `pin`, every wheel hash listed.
fn requirement(pin: &Pin) -> String {
    let mut line = format!("{}=={}", pin.name, pin.version);
    for hash in pin.wheel_sha256 {
        line.push_str(&format!(" --hash=sha256:{hash}"));
    }
    line.push('\n');
    line
}

/// `cpython-311-linux-x86_64`: what a native wheel is built for.
fn interpreter_tag(python: &Interpreter) -> Result<String, String> {
    let output = Command::new(&python.executable)
        .args(["-I", "-S", "-c"])
        .arg("import sys, sysconfig; print(sys.implementation.cache_tag + '-' + sysconfig.get_platform())")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.executable.display()))?;
    let tag = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let safe = !tag.is_empty()
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if output.status.success() && safe {
        Ok(tag)
    } else {
        Err(format!(
            "{} did not say what it is ({}): {}",
            python.executable.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// `chmod -R a+rX,go-w` on a tree of our own.
fn readable_by_all(root: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(root)?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let mode = meta.permissions().mode();
    let wanted = if meta.is_dir() || mode & 0o111 != 0 {
        (mode | 0o555) & !0o022
    } else {
        (mode | 0o444) & !0o022
    };
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(wanted))?;
    if meta.is_dir() {
        for entry in std::fs::read_dir(root)? {
            readable_by_all(&entry?.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pin_has_a_hash_and_a_unique_name() {
        for pin in PINNED {
            assert!(!pin.wheel_sha256.is_empty(), "{}", pin.name);
            assert!(pin
                .wheel_sha256
                .iter()
                .all(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())));
            assert_eq!(PINNED.iter().filter(|p| p.name == pin.name).count(), 1);
        }
        assert!(requirement(&PINNED[0]).starts_with("sortedcontainers==2.4.0 --hash=sha256:"));
    }

    #[test]
    fn a_missing_or_cut_short_install_is_named_with_how_to_install_it() {
        let root = tempfile::tempdir().expect("tempdir");
        let store = PackageStore::at(root.path());
        let python = Interpreter::from_env().expect("python3");
        let error = store
            .locate("sortedcontainers", &python, false)
            .expect_err("missing");
        assert!(
            error
                .to_string()
                .contains("sstar packages install sortedcontainers"),
            "{error}"
        );
        // A directory without the completion mark is a cut-short install.
        let dir = store.dir(&PINNED[0], &python).expect("dir");
        std::fs::create_dir_all(&dir).expect("mkdir");
        assert!(store.locate("sortedcontainers", &python, false).is_err());
        assert_eq!(store.installed(&PINNED[0], &python).expect("dir"), None);
        std::fs::write(dir.join(COMPLETE), "").expect("mark");
        assert_eq!(
            store
                .locate("sortedcontainers", &python, false)
                .expect("found"),
            dir
        );
        // Writable by others: refused, whoever could have planted what.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        assert!(matches!(
            store.locate("sortedcontainers", &python, false),
            Err(PackageError::Unguarded { .. })
        ));
        assert!(matches!(
            store.locate("numpy", &python, true),
            Err(PackageError::NotPure { .. })
        ));
        assert!(matches!(
            store.locate("requests", &python, false),
            Err(PackageError::Unknown { .. })
        ));
    }
}
