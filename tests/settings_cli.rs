//! Settings are validated, not clamped: a count that means nothing at zero, given on the
//! command line or in the environment, is a usage error (exit 2) that names it.

use std::path::Path;
use std::process::Output;

use crate::common::{echo_problem, solve_offline, sstar};

fn assert_usage_error(output: &Output, mentions: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(mentions), "{stderr}");
}

/// `solve SET --out RUN --candidates FILE EXTRA...` on a one-problem set.
fn solve_with(dir: &Path, extra: &[&str]) -> Output {
    let set = dir.join("set");
    echo_problem(&set.join("echo"));
    let candidates = dir.join("candidates.jsonl");
    std::fs::write(
        &candidates,
        "{\"id\": \"echo\", \"code\": \"print(input())\"}\n",
    )
    .expect("write candidates");
    solve_offline(&set, &dir.join("run"), &candidates, extra)
}

#[test]
fn zero_samples_is_a_usage_error_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = solve_with(dir.path(), &["--samples", "0"]);
    assert_usage_error(&output, "--samples must be at least 1, got 0");
    assert!(!dir.path().join("run").exists(), "no run directory made");
}

#[test]
fn a_sandbox_flag_mistake_is_found_before_the_run_directory_is_made() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = solve_with(
        dir.path(),
        &["--sandbox", "process", "--wasm-python", "/nonexistent.wasm"],
    );
    assert_usage_error(&output, "--wasm-python is for --sandbox wasm");
    assert!(!dir.path().join("run").exists(), "no run directory made");
}

#[test]
fn zero_max_groups_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = solve_with(dir.path(), &["--max-groups", "0"]);
    assert_usage_error(&output, "--max-groups must be at least 2");
}

#[test]
fn zero_workers_in_the_environment_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let problem = dir.path().join("echo");
    echo_problem(&problem);
    let program = dir.path().join("echo.py");
    std::fs::write(&program, "print(input())\n").expect("write program");
    let output = sstar()
        .arg("judge")
        .arg(&problem)
        .arg(&program)
        .env("SSTAR_WORKERS", "0")
        .output()
        .expect("run sstar judge");
    assert_usage_error(&output, "SSTAR_WORKERS must be a positive integer, got `0`");
}

#[test]
fn import_takes_the_sandbox_flags_like_every_command_that_runs_programs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("apps.jsonl");
    std::fs::write(&input, "").expect("write input");
    let output = sstar()
        .args(["import", "apps"])
        .arg(&input)
        .arg(dir.path().join("set"))
        .args(["--sandbox", "process", "--wasm-python", "/nonexistent.wasm"])
        .output()
        .expect("run sstar import");
    assert_usage_error(&output, "--wasm-python is for --sandbox wasm");
}
