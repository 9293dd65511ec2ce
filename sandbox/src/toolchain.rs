//! Finding the host's C++ compiler and the few directories it needs: those, and nothing else
//! of the host, are bound into the compiler's root inside each worker.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

/// Names the C++ compiler (default: `g++` on `PATH`).
pub const CXX_ENV: &str = "SSTAR_CXX";

/// Where nothing of the toolchain may live: these directories hold users' files, secrets,
/// runtime state or devices, and the compiler reads hostile source that can `#include`
/// anything bound.
const PRIVATE_DIRS: &[&str] = &[
    "/root", "/home", "/tmp", "/var", "/run", "/etc", "/srv", "/mnt", "/media", "/boot", "/proc",
    "/sys", "/dev",
];

/// A C++ compiler found on the host.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Toolchain {
    /// The driver's real path, run inside the compiler's root.
    pub driver: PathBuf,
    /// Its `--version` first line, e.g. `g++ (Debian 12.2.0-14) 12.2.0`.
    pub version: String,
    /// What a binary depends on besides the source and the flags: the version, the target,
    /// and the size and time of the compiler proper (a rebuilt cc1plus changes it).
    pub identity: String,
    /// Every path the compiler root binds, parents first: symlinks (recreated as links) and
    /// the real files and directories they lead to.
    pub binds: Vec<PathBuf>,
}

/// What a found toolchain was found from, kept in the user's cache: asking the driver takes
/// about 15 processes and tens of milliseconds, which every command would pay.
#[derive(Serialize, Deserialize)]
struct Found {
    /// The driver as `PATH` named it, and the size and time of it and of the compiler proper.
    found: PathBuf,
    stamps: Vec<(PathBuf, String)>,
    toolchain: Toolchain,
}

impl Toolchain {
    /// `$SSTAR_CXX`, or `g++` on `PATH`; `Err` says why there is none, in words. What the
    /// driver said is kept in the user's cache until it or its compiler proper changes.
    pub(crate) fn discover() -> Result<Self, String> {
        let name = std::env::var_os(CXX_ENV)
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| OsString::from("g++"));
        let found = find_on_path(Path::new(&name)).ok_or_else(|| {
            format!(
                "no C++ compiler `{}` on PATH (install g++, or set {CXX_ENV})",
                name.to_string_lossy()
            )
        })?;
        let kept = crate::cache_dir::private("cpp").map(|dir| dir.join("toolchain.json"));
        if let Some(toolchain) = kept.as_deref().and_then(|file| read_found(file, &found)) {
            return Ok(toolchain);
        }
        let (toolchain, compiler_proper) = Self::ask(&found)?;
        if let Some(file) = &kept {
            let stamps = [&toolchain.driver, &compiler_proper]
                .into_iter()
                .map(|path| (path.clone(), crate::cache_dir::stamp(path)))
                .collect();
            write_found(
                file,
                &Found {
                    found,
                    stamps,
                    toolchain: toolchain.clone(),
                },
            );
        }
        Ok(toolchain)
    }

    /// Asks the driver `found` where its parts are; the toolchain and its compiler proper.
    fn ask(found: &Path) -> Result<(Self, PathBuf), String> {
        let driver =
            std::fs::canonicalize(found).map_err(|e| format!("{}: {e}", found.display()))?;
        let ask = |args: &[&str]| query(&driver, args);
        let version = ask(&["--version"])?
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        let machine = ask(&["-dumpmachine"])?.trim().to_owned();
        let mut wanted: Vec<PathBuf> = vec![found.to_path_buf(), driver.clone()];
        let mut compiler_proper = None;
        for tool in ["cc1plus", "collect2", "lto-wrapper", "as", "ld"] {
            let named = PathBuf::from(ask(&[&format!("-print-prog-name={tool}")])?.trim());
            // As the driver finds them inside the compiler's root: on its PATH alone.
            let Some(path) = (if named.is_absolute() {
                Some(named)
            } else {
                find_in(&named, SEARCH_PATH)
            }) else {
                continue;
            };
            if !path.exists() {
                continue;
            }
            if tool == "cc1plus" {
                compiler_proper = Some(path.clone());
                wanted.extend(path.parent().map(Path::to_path_buf));
            }
            wanted.push(path);
        }
        let compiler_proper = compiler_proper
            .ok_or_else(|| format!("{} has no cc1plus: not a C++ compiler", driver.display()))?;
        for file in [
            "libstdc++.so",
            "libc.so",
            "libm.so",
            "crt1.o",
            "libgcc_s.so",
        ] {
            let path = PathBuf::from(ask(&[&format!("-print-file-name={file}")])?.trim());
            if path.is_absolute() && path.exists() {
                wanted.extend(path.parent().map(Path::to_path_buf));
            }
        }
        wanted.extend(include_dirs(&driver)?);
        for program in [&driver, &compiler_proper] {
            wanted.extend(shared_libraries(program));
        }
        let meta = std::fs::metadata(&compiler_proper)
            .map_err(|e| format!("{}: {e}", compiler_proper.display()))?;
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs());
        let identity = format!(
            "{version}\n{machine}\n{} {} {modified}",
            driver.display(),
            meta.len()
        );
        let toolchain = Self {
            binds: bind_list(&wanted)?,
            driver,
            version,
            identity,
        };
        Ok((toolchain, compiler_proper))
    }
}

/// The kept toolchain, when it was found from `found` and nothing it stamped has changed
/// (and only a file nobody else could have written: it decides what the compiler sees).
fn read_found(file: &Path, found: &Path) -> Option<Toolchain> {
    if !crate::cache_dir::guarded(file) {
        return None;
    }
    let kept: Found = serde_json::from_slice(&std::fs::read(file).ok()?).ok()?;
    let fresh = kept.found == found
        && !kept.stamps.is_empty()
        && kept
            .stamps
            .iter()
            .all(|(path, was)| crate::cache_dir::stamp(path) == *was)
        && kept
            .toolchain
            .binds
            .iter()
            .all(|path| path.symlink_metadata().is_ok());
    fresh.then_some(kept.toolchain)
}

fn write_found(file: &Path, found: &Found) {
    let written = serde_json::to_vec(found)
        .map_err(std::io::Error::other)
        .and_then(|bytes| crate::cache_dir::replace(file, &bytes));
    if let Err(e) = written {
        tracing::debug!("could not keep the toolchain in {}: {e}", file.display());
    }
}

/// Runs the driver with `args` and an environment of `PATH` alone (a `LIBRARY_PATH` or
/// `CPATH` of the caller's would add their directories); its stdout.
fn query(driver: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new(driver)
        .args(args)
        .env_clear()
        .env("PATH", SEARCH_PATH)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{}: {e}", driver.display()))?;
    if !output.status.success() {
        return Err(format!(
            "`{} {}` failed: {}",
            driver.display(),
            args.join(" "),
            output.status
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The `PATH` the compiler runs with, inside its root and here.
pub(crate) const SEARCH_PATH: &str = "/usr/bin:/bin";

/// The driver the user means: a path, else the first on the caller's `PATH`, else on ours.
fn find_on_path(name: &Path) -> Option<PathBuf> {
    if name.components().count() > 1 {
        return name.is_file().then(|| name.to_path_buf());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    find_in(name, &path).or_else(|| find_in(name, SEARCH_PATH))
}

/// `name` in the directories of `path` (a `PATH`-style list; relative entries skipped).
fn find_in(name: &Path, path: impl AsRef<std::ffi::OsStr>) -> Option<PathBuf> {
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The `#include <...>` search list the driver reports for C++.
fn include_dirs(driver: &Path) -> Result<Vec<PathBuf>, String> {
    let output = Command::new(driver)
        .args(["-xc++", "-E", "-v", "/dev/null"])
        .env_clear()
        .env("PATH", SEARCH_PATH)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("{}: {e}", driver.display()))?;
    let text = String::from_utf8_lossy(&output.stderr);
    Ok(text
        .lines()
        .skip_while(|line| !line.starts_with("#include <...>"))
        .skip(1)
        .take_while(|line| line.starts_with(' '))
        .map(|line| PathBuf::from(line.trim()))
        .filter(|dir| dir.is_dir())
        .collect())
}

/// The directories of the shared libraries `program` loads, and its loader, as `ldd` lists
/// them (none where `ldd` is missing: the library directories above usually hold them).
fn shared_libraries(program: &Path) -> Vec<PathBuf> {
    let Some(ldd) = find_in(Path::new("ldd"), SEARCH_PATH) else {
        return Vec::new();
    };
    let Ok(output) = Command::new(ldd)
        .arg(program)
        .env_clear()
        .env("PATH", SEARCH_PATH)
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let path = line.split("=>").last()?.split_whitespace().next()?;
            path.starts_with('/').then(|| PathBuf::from(path))
        })
        // The library's directory, unless it is a top-level one (a real `/lib64` holding
        // only the loader): then the file alone.
        .flat_map(|lib| {
            let dir = lib.parent().filter(|d| d.components().count() > 2);
            [dir.map(Path::to_path_buf), Some(lib)]
        })
        .flatten()
        .collect()
}

/// Every path to bind for `wanted`: each symlink met on the way to it and where it leads,
/// parents first, nothing below a directory already in the list. A path in a private
/// directory is refused: the toolchain must be the system's.
fn bind_list(wanted: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut all = BTreeSet::new();
    for path in wanted {
        let real = resolve(path, &mut all, 0)?;
        if real.exists() {
            all.insert(real);
        }
    }
    for path in &all {
        if let Some(dir) = PRIVATE_DIRS.iter().find(|dir| path.starts_with(dir)) {
            return Err(format!(
                "the C++ toolchain reaches into {dir} ({}): only system directories are bound for the compiler",
                path.display()
            ));
        }
        // `/` or a whole top-level directory (`/usr`) is far more than a toolchain; a link
        // such as `/lib -> usr/lib` is recreated, never bound.
        if path.components().count() < 3 && !path.is_symlink() {
            return Err(format!(
                "the C++ toolchain would bind all of {}: only its own directories are bound for the compiler",
                path.display()
            ));
        }
    }
    let mut ordered: Vec<PathBuf> = all.into_iter().collect();
    ordered.sort_by_key(|p| p.components().count());
    let mut kept: Vec<PathBuf> = Vec::new();
    for path in ordered {
        let below = kept
            .iter()
            .any(|k| path.starts_with(k) && path != *k && !k.is_symlink());
        if !below && !kept.contains(&path) {
            kept.push(path);
        }
    }
    Ok(kept)
}

/// Adds each symlink on the way to `path` to `out`; returns the real path. (Where a link
/// leads is bound only as far as the path needs it: `/lib -> usr/lib` binds no more of
/// `/usr/lib` than the file asked for.)
fn resolve(path: &Path, out: &mut BTreeSet<PathBuf>, depth: usize) -> Result<PathBuf, String> {
    if depth > 40 {
        return Err(format!("{}: too many symbolic links", path.display()));
    }
    let mut real = PathBuf::from("/");
    let mut rest: Vec<Component<'_>> = path.components().collect();
    rest.reverse();
    while let Some(component) = rest.pop() {
        match component {
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
            Component::ParentDir => {
                real.pop();
            }
            Component::Normal(name) => {
                let next = real.join(name);
                match std::fs::read_link(&next) {
                    Ok(target) => {
                        out.insert(next.clone());
                        let target = if target.is_absolute() {
                            target
                        } else {
                            real.join(target)
                        };
                        real = resolve(&target, out, depth + 1)?;
                    }
                    Err(_) => real = next,
                }
            }
        }
    }
    Ok(real)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symlink_chain_is_bound_link_by_link_then_the_real_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = std::fs::canonicalize(dir.path()).expect("real");
        std::fs::create_dir_all(base.join("usr/lib")).expect("dirs");
        std::fs::write(base.join("usr/lib/tool-12"), "x").expect("file");
        std::os::unix::fs::symlink("tool-12", base.join("usr/lib/tool")).expect("link");
        std::os::unix::fs::symlink("usr/lib", base.join("lib")).expect("link");
        let mut out = BTreeSet::new();
        let real = resolve(&base.join("lib/tool"), &mut out, 0).expect("resolves");
        assert_eq!(real, base.join("usr/lib/tool-12"));
        let expected: BTreeSet<PathBuf> = [base.join("lib"), base.join("usr/lib/tool")].into();
        assert_eq!(out, expected);
    }

    #[test]
    fn a_toolchain_in_a_private_directory_or_the_whole_system_is_refused() {
        for (path, private) in [
            ("/root", "/root"),
            ("/etc", "/etc"),
            ("/proc/self", "/proc"),
        ] {
            let error = bind_list(&[PathBuf::from(path)]).expect_err("private");
            assert!(
                error.contains(&format!("reaches into {private}")),
                "{error}"
            );
        }
        for whole in ["/", "/usr"] {
            let error = bind_list(&[PathBuf::from(whole)]).expect_err("too wide");
            assert!(error.contains("all of"), "{error}");
        }
    }

    #[test]
    fn nothing_below_a_bound_directory_is_bound_again() {
        let kept = bind_list(&[
            PathBuf::from("/usr/include"),
            PathBuf::from("/usr/include/stdio.h"),
        ])
        .expect("system paths");
        assert_eq!(kept, vec![PathBuf::from("/usr/include")]);
    }

    #[test]
    fn a_kept_toolchain_is_used_until_its_driver_changes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let driver = dir.path().join("g++");
        std::fs::write(&driver, "old").expect("write");
        let toolchain = Toolchain {
            driver: driver.clone(),
            version: "g++ 1".into(),
            identity: "id".into(),
            binds: vec![driver.clone()],
        };
        let file = dir.path().join("toolchain.json");
        let stamps = vec![(driver.clone(), crate::cache_dir::stamp(&driver))];
        write_found(
            &file,
            &Found {
                found: driver.clone(),
                stamps,
                toolchain,
            },
        );
        let kept = read_found(&file, &driver).expect("kept");
        assert_eq!(kept.version, "g++ 1");
        assert!(
            read_found(&file, Path::new("/usr/bin/other")).is_none(),
            "another driver"
        );
        std::fs::write(&driver, "a new build").expect("write");
        assert!(
            read_found(&file, &driver).is_none(),
            "a changed driver is asked again"
        );
    }

    #[test]
    fn this_machines_compiler_is_found_with_system_directories_only() {
        let toolchain = Toolchain::discover().expect("g++ is part of this machine");
        assert!(toolchain.version.contains("++"), "{}", toolchain.version);
        for path in &toolchain.binds {
            assert!(
                !PRIVATE_DIRS.iter().any(|dir| path.starts_with(dir)),
                "{}",
                path.display()
            );
        }
        assert!(!toolchain.binds.contains(&PathBuf::from("/etc")));
        eprintln!("{:#?}", toolchain.binds);
    }
}
