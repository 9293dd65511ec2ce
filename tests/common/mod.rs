//! Shared helpers: the built binary, temporary problems, process inspection, and skips that
//! fail under CI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `sstar` binary under test.
pub fn sstar() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sstar"));
    command.arg("--no-progress");
    command
}

/// `sstar solve SET --out RUN --candidates FILE EXTRA...` with no model configured
/// (model-free selection), in an environment without model settings.
pub fn solve_offline(set: &Path, run: &Path, candidates: &Path, extra: &[&str]) -> Output {
    sstar()
        .arg("solve")
        .arg(set)
        .arg("--out")
        .arg(run)
        .arg("--candidates")
        .arg(candidates)
        .args(extra)
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("SSTAR_MODEL")
        .output()
        .expect("run sstar solve")
}

/// Runs `sstar ARGS` and returns its output.
pub fn run_sstar(args: &[&str]) -> Output {
    sstar().args(args).output().expect("run sstar")
}

/// The repository's bundled problem set.
pub fn bundled_problems() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("problems")
}

/// Writes a minimal problem into `dir`: `files` are (relative path, contents).
pub fn write_problem(dir: &Path, files: &[(&str, &str)]) {
    for (path, contents) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write");
    }
}

/// An "echo" stdio problem: public `hello`, hidden `world`.
pub fn echo_problem(dir: &Path) {
    echo_problem_hiding(dir, &["world"]);
}

/// An "echo" stdio problem: public `hello`, a hidden test per line of `hidden` (`1`, `2`, ...).
pub fn echo_problem_hiding(dir: &Path, hidden: &[&str]) {
    write_problem(
        dir,
        &[
            ("problem.toml", "title = \"echo\"\nkind = \"stdio\"\n"),
            ("statement.md", "Print the input."),
            ("tests/public/1.in", "hello\n"),
            ("tests/public/1.out", "hello\n"),
        ],
    );
    std::fs::create_dir_all(dir.join("tests/hidden")).expect("mkdir");
    for (number, line) in hidden.iter().enumerate() {
        for extension in ["in", "out"] {
            let path = dir.join(format!("tests/hidden/{}.{extension}", number + 1));
            std::fs::write(path, format!("{line}\n")).expect("write hidden test");
        }
    }
}

/// Pids of live processes whose real uid lies in `uids` (read from /proc).
pub fn processes_of(uids: std::ops::Range<u32>) -> Vec<u32> {
    process_table()
        .into_iter()
        .filter(|(_, (_, uid))| uids.contains(uid))
        .map(|(pid, _)| pid)
        .collect()
}

/// Every live process: pid -> (parent pid, real uid), from /proc.
pub fn process_table() -> std::collections::HashMap<u32, (u32, u32)> {
    let mut table = std::collections::HashMap::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|l| l.split_whitespace().next())
                .and_then(|v| v.parse::<u32>().ok())
        };
        if let (Some(ppid), Some(uid)) = (field("PPid:"), field("Uid:")) {
            table.insert(pid, (ppid, uid));
        }
    }
    table
}

/// Whether this is a CI run: `CI` is set to anything but empty, `0` or `false` (`.ci/run`
/// sets `CI=true`). CI runs as root with `../shared/data` present.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// Notes on stderr that a test (or one of its checks) is skipped here because `reason` is
/// missing; the caller then returns. Under CI the requirement is always met, so a skip there
/// would hide a regression: it fails the test instead.
#[track_caller]
pub fn skip(reason: &str) {
    assert!(
        !in_ci(),
        "cannot skip under CI, where this must run: {reason}"
    );
    eprintln!("skipped: {reason}");
}

/// Fails the test unless `met`. A test that needs something of the machine (root, a cgroup,
/// the shared data, the installed packages) is `#[ignore]`d with the reason, so a plain
/// `cargo test` shows it as ignored, never as passed; `scripts/test` runs it as root with
/// `--include-ignored`, where a missing requirement must fail rather than pass unseen.
#[track_caller]
pub fn require(met: bool, what: &str) {
    assert!(met, "this test needs {what}; without it, leave it ignored");
}

pub fn is_root() -> bool {
    // SAFETY-free: geteuid via the id command keeps the test crate free of unsafe.
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false)
}

/// Panics, naming the setup script, when the CPython WASI module the `wasm` backend runs is
/// not installed: a `--features wasm` build's tests need it (`scripts/setup-wasm`).
pub fn require_wasm_python() {
    if let Err(e) = sstar_sandbox::locate_wasm_python(None) {
        panic!("the wasm backend's tests need CPython for WASI: {e}");
    }
}
