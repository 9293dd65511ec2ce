//! One executor for every command: `eval` reuses what `solve` and an earlier `eval` ran (the
//! run's execution cache), and an entry this build cannot read is run again, never trusted.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use sstar::exec::{Executor, OwnedExecution};
use sstar::judge::{judge, JudgeOptions};
use sstar::problem::{load_problem, TestSelection};
use sstar::store::ExecCache;
use sstar::Verdict;
use sstar_sandbox::{Interpreter, Limits, ProgramKind, Sandbox, SandboxConfig, Termination};

use crate::common::{echo_problem_hiding, solve_offline, sstar};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An echo problem with three hidden tests.
fn echo3(dir: &Path) {
    echo_problem_hiding(dir, &["one", "two", "three"]);
}

/// A set of `ids` echo problems and a candidates file: each problem gets `programs`.
fn set_with(
    dir: &Path,
    ids: &[&str],
    programs: &[&str],
) -> (std::path::PathBuf, std::path::PathBuf) {
    let set = dir.join("set");
    let mut lines = String::new();
    for id in ids {
        echo3(&set.join(id));
        for code in programs {
            lines.push_str(&serde_json::json!({"id": id, "code": code}).to_string());
            lines.push('\n');
        }
    }
    let candidates = dir.join("candidates.jsonl");
    std::fs::write(&candidates, lines).expect("write candidates");
    (set, candidates)
}

/// `sstar -v eval RUN`: (executions run, executions answered from the cache, eval.json).
fn eval(run: &Path) -> (u64, u64, Value) {
    let output = sstar()
        .args(["-v", "eval"])
        .arg(run)
        .env_remove("SSTAR_LOG")
        .output()
        .expect("eval");
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    // "eval RUN: executions N (+M cached)"
    let line = stderr
        .lines()
        .find(|l| l.contains("eval ") && l.contains(" executions "))
        .unwrap_or_else(|| panic!("no executions line: {stderr}"));
    let after = line.split(" executions ").nth(1).expect("counts");
    let mut words = after.split_whitespace();
    let ran: u64 = words.next().and_then(|n| n.parse().ok()).expect("ran");
    let cached: u64 = words
        .next()
        .and_then(|n| n.trim_start_matches("(+").parse().ok())
        .expect("cached");
    let json = std::fs::read(run.join("eval.json")).expect("eval.json");
    (ran, cached, serde_json::from_slice(&json).expect("json"))
}

#[test]
fn a_second_eval_of_a_run_executes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Two programs pass the public test; one of them is wrong on the hidden ones.
    let (set, candidates) = set_with(
        dir.path(),
        &["a", "b"],
        &["print(input())", "print('hello')"],
    );
    let run = dir.path().join("run");
    let solved = solve_offline(&set, &run, &candidates, &["--select", "first"]);
    assert_eq!(solved.status.code(), Some(0), "{}", text(&solved.stderr));

    let (ran, _, first) = eval(&run);
    // solve never ran a hidden test: the first eval has to.
    assert!(ran > 0, "the first eval ran nothing");
    let (again, cached, second) = eval(&run);
    assert_eq!(again, 0, "the second eval ran {again} executions");
    assert!(
        cached >= 4,
        "the pick's hidden tests came from the cache: {cached}"
    );
    // The same report from the cache as from the runs.
    assert_eq!(first["problems"], second["problems"]);
    assert_eq!(first["summary"], second["summary"]);
}

#[test]
fn eval_after_an_oracle_selection_reuses_its_hidden_test_executions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (set, candidates) = set_with(dir.path(), &["a", "b"], &["print(input())"]);
    let run = dir.path().join("run");
    let solved = solve_offline(&set, &run, &candidates, &["--select", "oracle"]);
    assert_eq!(solved.status.code(), Some(0), "{}", text(&solved.stderr));

    let (ran, cached, report) = eval(&run);
    assert_eq!(
        ran, 0,
        "eval ran {ran} executions the oracle had already run"
    );
    // Three hidden tests for each of the two picks.
    assert_eq!(cached, 6);
    assert_eq!(report["summary"]["accepted"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cached_failure_ends_the_judging_before_later_tests_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Two workers: were the tests after a cached failure started alongside it, one would run.
    let sandbox = Sandbox::start(SandboxConfig {
        workers: 2,
        ..SandboxConfig::new(Interpreter::from_env().expect("python"))
    })
    .expect("sandbox");
    let cache = ExecCache::open(&dir.path().join("exec.log"), &sandbox).expect("cache");
    let executor = Executor::new(Arc::new(sandbox), Some(cache));
    let code = &sstar::program::Program::python("print('hello')"); // wrong on every hidden test
    let options = JudgeOptions {
        tests: TestSelection::Hidden,
        all_tests: false,
    };
    // The first hidden test alone, as an earlier run that stopped at it left the cache.
    echo_problem_hiding(&dir.path().join("first"), &["one"]);
    let first = Arc::new(load_problem(&dir.path().join("first")).expect("load"));
    let report = judge(&executor, &first, code, options, &|_, _| {})
        .await
        .expect("judge");
    assert_eq!(report.verdict, Verdict::WrongAnswer);
    assert_eq!(executor.executions(), 1);

    echo3(&dir.path().join("all"));
    let all = Arc::new(load_problem(&dir.path().join("all")).expect("load"));
    let report = judge(&executor, &all, code, options, &|_, _| {})
        .await
        .expect("judge");
    assert_eq!(report.verdict, Verdict::WrongAnswer);
    assert_eq!((report.tests.len(), report.total), (1, 3));
    assert_eq!(
        (executor.executions(), executor.cache_hits()),
        (1, 1),
        "a test after the cached failure ran"
    );
}

#[tokio::test]
async fn an_entry_this_build_cannot_read_is_run_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("exec.log");
    let sandbox = Arc::new(sstar::sandbox_from_env().expect("sandbox"));
    let limits = Limits::new(Duration::from_secs(2), 256, 4);
    let job = OwnedExecution::new(ProgramKind::Stdio, "print('ran')", &b""[..], limits);
    // A line under the job's real key whose termination kind no build of ours writes, as an
    // attacker (or a newer sstar) would leave it.
    let key = ExecCache::open(&path, &sandbox)
        .expect("cache")
        .key(&job.execution());
    let stale = r#"{"termination":{"kind":"finished_early"},"stdout":"Zm9yZ2Vk","stderr":"","stderr_truncated":false,"returned":null,"exit_code":0,"signal":null,"cpu":{"secs":0,"nanos":0},"wall":{"secs":0,"nanos":0},"memory_kb":0}"#;
    // Stale by its kind alone: with a kind we know, the same line is an outcome.
    let known = stale.replace("finished_early", "finished");
    assert!(serde_json::from_str::<sstar_sandbox::Outcome>(&known).is_ok());
    std::fs::write(&path, format!("{key} {stale}\n")).expect("write");

    let cache = ExecCache::open(&path, &sandbox).expect("cache");
    let executor = Executor::new(sandbox.clone(), Some(cache));
    let outcome = executor.run(job.clone(), &()).await.expect("run");
    assert_eq!(outcome.termination, Termination::Finished);
    assert_eq!(outcome.stdout, b"ran\n", "not the stale entry's output");
    assert_eq!((executor.executions(), executor.cache_hits()), (1, 0));
    // Its real outcome replaced the stale one: the next ask is a hit.
    let again = executor.run(job, &()).await.expect("run");
    assert_eq!(again.stdout, b"ran\n");
    assert_eq!((executor.executions(), executor.cache_hits()), (1, 1));
}
