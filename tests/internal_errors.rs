//! A run the sandbox itself fails, injected as an operator or an OOM killer would: the worker
//! running a candidate is killed from outside, mid-run. The run is retried once on a fresh
//! worker; a failure that persists is an internal error, never a verdict on the program, never
//! scored by `eval`, never kept in the execution cache.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;
use sstar_sandbox::{
    Execution, Interpreter, Limits, ProgramKind, Sandbox, SandboxConfig, Termination,
};

use crate::common::{in_ci, is_root, process_table, require, sstar, write_problem};

/// Candidates run as uids from here up (as root); the killer tells runs from workers by them.
const FIRST_CANDIDATE_UID: u32 = 1_000_000;

/// A program that is still running when the killer looks (it polls every 10 ms).
const SLOW_ECHO: &str = "import time\ntime.sleep(1)\nprint(input())\n";

/// Kills, until stopped, the worker of each candidate process that descends from `root`: the
/// process between `root` and the candidate that is `root`'s own child. At most `limit` kills;
/// the handle returns how many there were. `candidate` says which uids are candidates'.
struct Killer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<usize>>,
}

impl Killer {
    fn start(root: u32, limit: usize, candidate: impl Fn(u32) -> bool + Send + 'static) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut killed = HashSet::new();
            while !stopping.load(Ordering::Relaxed) && killed.len() < limit {
                let table = process_table();
                for (&pid, &(_, uid)) in &table {
                    if !candidate(uid) {
                        continue;
                    }
                    if let Some(worker) = child_of_on_the_way(&table, pid, root) {
                        if killed.insert(worker) {
                            let _ = Command::new("kill")
                                .args(["-9", &worker.to_string()])
                                .status();
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            killed.len()
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }

    /// Stops the killer; how many workers it killed.
    fn stop(mut self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().expect("running").join().expect("killer")
    }
}

/// The ancestor of `pid` whose parent is `root`, if `pid` descends from `root`.
fn child_of_on_the_way(table: &HashMap<u32, (u32, u32)>, pid: u32, root: u32) -> Option<u32> {
    let mut at = pid;
    for _ in 0..64 {
        let &(parent, _) = table.get(&at)?;
        if parent == root {
            return Some(at);
        }
        if parent <= 1 {
            return None;
        }
        at = parent;
    }
    None
}

/// Why these tests are ignored unless asked for: the killer needs candidates under uids of
/// their own (root) to tell runs from workers.
const NEEDS_ROOT: &str = "root: candidates then run under uids of their own";

fn one_worker() -> Sandbox {
    let mut config = SandboxConfig::new(Interpreter::from_env().expect("python3"));
    config.workers = 1;
    Sandbox::start(config).expect("sandbox")
}

fn slow_echo(sandbox: &Sandbox) -> sstar_sandbox::Outcome {
    let limits = Limits::new(Duration::from_secs(10), 256, 1);
    sandbox
        .run(&Execution::new(
            ProgramKind::Stdio,
            SLOW_ECHO,
            b"hi\n",
            limits,
        ))
        .expect("a sandbox failure is an outcome, not an error")
}

#[test]
#[ignore = "needs root (candidates under uids of their own)"]
fn a_worker_killed_mid_run_is_replaced_and_the_run_retried_on_the_fresh_one() {
    require(is_root(), NEEDS_ROOT);
    let sandbox = one_worker();
    let uids = sandbox.uids();
    let killer = Killer::start(std::process::id(), 1, move |uid| uids.contains(&uid));
    let outcome = slow_echo(&sandbox);
    assert_eq!(killer.stop(), 1, "the first worker was killed");
    assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
    assert_eq!(
        outcome.stdout, b"hi\n",
        "the retry ran the program to its end"
    );
}

#[test]
#[ignore = "needs root (candidates under uids of their own)"]
fn a_worker_lost_again_on_the_retry_is_an_internal_error_and_the_pool_recovers() {
    require(is_root(), NEEDS_ROOT);
    let sandbox = one_worker();
    let uids = sandbox.uids();
    let killer = Killer::start(std::process::id(), 2, move |uid| uids.contains(&uid));
    let outcome = slow_echo(&sandbox);
    assert_eq!(killer.stop(), 2, "the run and its retry were both killed");
    assert!(
        matches!(&outcome.termination, Termination::SandboxFailure { message } if message.contains("again on the retry")),
        "{outcome:?}"
    );
    assert!(outcome.stdout.is_empty());
    // The pool replaced the worker: the next run works.
    assert_eq!(slow_echo(&sandbox).stdout, b"hi\n");
}

/// A stdio echo problem whose program sleeps: public `hello`, hidden `world`.
fn slow_problem(dir: &Path) {
    write_problem(
        dir,
        &[
            (
                "problem.toml",
                "title = \"slow echo\"\nkind = \"stdio\"\ntime_limit_ms = 10000\n",
            ),
            ("statement.md", "Print the input."),
            ("tests/public/1.in", "hello\n"),
            ("tests/public/1.out", "hello\n"),
            ("tests/hidden/1.in", "world\n"),
            ("tests/hidden/1.out", "world\n"),
        ],
    );
}

/// Runs `command` with a killer of its workers' runs (`limit` kills); its output and the kills.
fn under_killer(mut command: Command, limit: usize) -> (Output, usize) {
    let child: Child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sstar");
    let killer = Killer::start(child.id(), limit, |uid| uid >= FIRST_CANDIDATE_UID);
    let output = child.wait_with_output().expect("sstar ran");
    (output, killer.stop())
}

#[test]
#[ignore = "needs root (candidates under uids of their own)"]
fn judge_reports_an_internal_error_with_no_verdict_on_the_program() {
    require(is_root(), NEEDS_ROOT);
    let dir = tempfile::tempdir().expect("tempdir");
    let problem = dir.path().join("slow");
    slow_problem(&problem);
    let program = dir.path().join("echo.py");
    std::fs::write(&program, SLOW_ECHO).expect("program");
    let mut command = sstar();
    command
        .args(["judge", "--tests", "public", "--json"])
        .env("SSTAR_WORKERS", "1")
        .arg(&problem)
        .arg(&program);
    let (output, kills) = under_killer(command, usize::MAX);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(kills, 2, "tried, then retried once: {stdout}");
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    let report: Value = serde_json::from_str(&stdout).expect("json report");
    assert_eq!(report["verdict"], "internal_error", "{report}");
    assert_eq!(report["tests"][0]["verdict"], "internal_error");
}

#[test]
#[ignore = "needs root (candidates under uids of their own)"]
fn eval_leaves_an_internal_error_unscored_and_uncached_and_the_next_eval_scores_it() {
    require(is_root(), NEEDS_ROOT);
    let dir = tempfile::tempdir().expect("tempdir");
    let set = dir.path().join("set");
    slow_problem(&set.join("slow"));
    let candidates = dir.path().join("candidates.jsonl");
    let line = serde_json::json!({"id": "slow", "code": SLOW_ECHO});
    std::fs::write(&candidates, format!("{line}\n")).expect("candidates");
    let run = dir.path().join("run");
    let solved = crate::common::solve_offline(&set, &run, &candidates, &[]);
    assert!(solved.status.success(), "{solved:?}");

    let mut command = sstar();
    command.arg("eval").arg(&run).env("SSTAR_WORKERS", "1");
    let (output, kills) = under_killer(command, usize::MAX);
    assert!(kills >= 2, "{output:?}");
    let eval: Value =
        serde_json::from_slice(&std::fs::read(run.join("eval.json")).expect("eval.json"))
            .expect("json");
    assert_eq!(
        eval["not_scored"]["slow"]["reason"], "internal_error",
        "{eval}"
    );
    assert!(eval["problems"].get("slow").is_none(), "{eval}");
    assert_eq!(eval["summary"]["count"], 0, "nothing scored: {eval}");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("internal error"), "{said}");

    // Nothing of the failed runs was kept: this eval runs the program and scores it.
    let again = sstar().arg("eval").arg(&run).output().expect("eval");
    assert!(
        again.status.success() || again.status.code() == Some(1),
        "{again:?}"
    );
    let eval: Value =
        serde_json::from_slice(&std::fs::read(run.join("eval.json")).expect("eval.json"))
            .expect("json");
    assert_eq!(eval["problems"]["slow"]["verdict"], "accepted", "{eval}");
    assert!(eval["not_scored"].get("slow").is_none(), "{eval}");
    if in_ci() {
        assert_eq!(eval["summary"]["count"], 1);
    }
}
