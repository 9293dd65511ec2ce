//! The `wasm` backend through the CLI (a `--features wasm` build): the bundled problems'
//! solutions get the same verdicts as under `process`, imported HumanEval references are
//! accepted, and a run records its backend, grades with it and refuses to resume under another.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::common::{bundled_problems, require_wasm_python, run_sstar, solve_offline};

/// `sstar verify SET --json ARGS`: each solution's verdict and tests passed, by
/// `problem/solution`.
fn verify_rows(set: &Path, args: &[&str]) -> BTreeMap<String, (String, u64, u64)> {
    let mut all = vec!["verify", set.to_str().expect("utf-8"), "--json"];
    all.extend_from_slice(args);
    let output = run_sstar(&all);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.code() == Some(0),
        "verify {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .map(|line| {
            let row: Value = serde_json::from_str(line).expect("json line");
            let key = format!(
                "{}/{}",
                row["problem"].as_str().expect("problem"),
                row["solution"].as_str().expect("solution")
            );
            let verdict = row["verdict"].as_str().expect("verdict").to_owned();
            (
                key,
                (
                    verdict,
                    row["passed"].as_u64().expect("passed"),
                    row["total"].as_u64().expect("total"),
                ),
            )
        })
        .collect()
}

#[test]
fn every_bundled_solution_gets_the_same_verdicts_under_both_backends() {
    require_wasm_python();
    let set = bundled_problems();
    let process = verify_rows(&set, &["--sandbox", "process"]);
    let wasm = verify_rows(&set, &["--sandbox", "wasm"]);
    assert!(process.len() >= 30, "{} solutions", process.len());
    let differing: Vec<String> = process
        .iter()
        .filter(|(key, row)| wasm.get(*key) != Some(row))
        .map(|(key, row)| format!("{key}: process {row:?}, wasm {:?}", wasm.get(key)))
        .collect();
    assert!(differing.is_empty(), "{}", differing.join("\n"));
    assert_eq!(process.len(), wasm.len());
}

#[test]
fn imported_humaneval_and_mbpp_references_are_accepted_under_wasm() {
    require_wasm_python();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import");
    for (format, file) in [("humaneval", "humaneval.jsonl"), ("mbpp", "mbpp.jsonl")] {
        let set = tempfile::tempdir().expect("tempdir");
        let output = run_sstar(&[
            "import",
            format,
            fixtures.join(file).to_str().expect("utf-8"),
            set.path().to_str().expect("utf-8"),
        ]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let rows = verify_rows(set.path(), &["--sandbox", "wasm"]);
        assert!(!rows.is_empty(), "{format}: nothing imported");
    }
}

#[test]
fn a_run_records_its_backend_grades_with_it_and_keeps_it_on_resume() {
    require_wasm_python();
    let dir = tempfile::tempdir().expect("tempdir");
    let run = dir.path().join("run");
    let set = bundled_problems();
    let candidates = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/candidates.jsonl");
    let only = ["--only", "balanced-steps", "--sandbox", "wasm"];
    let output = solve_offline(&set, &run, &candidates, &only);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let info: Value =
        serde_json::from_slice(&std::fs::read(run.join("run.json")).expect("run.json"))
            .expect("json");
    assert_eq!(info["settings"]["sandbox"], "wasm");
    assert_eq!(info["sandbox"]["backend"], "wasm");
    // eval grades where the candidates ran unless told otherwise.
    let output = run_sstar(&["eval", run.to_str().expect("utf-8"), "-v"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Resuming under the other backend would mix two experiments.
    let output = solve_offline(
        &set,
        &run,
        &candidates,
        &["--only", "balanced-steps", "--sandbox", "process"],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("sandbox: \"wasm\" → \"process\""),
        "{stderr}"
    );
}

#[test]
fn a_missing_module_or_a_wasm_python_without_wasm_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let problem = bundled_problems().join("balanced-steps");
    let program = problem.join("solutions/reference.py");
    let missing = dir.path().join("nowhere/python.wasm");
    let output = run_sstar(&[
        "judge",
        problem.to_str().expect("utf-8"),
        program.to_str().expect("utf-8"),
        "--sandbox",
        "wasm",
        "--wasm-python",
        missing.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("nowhere/python.wasm") && stderr.contains("scripts/setup-wasm"),
        "{stderr}"
    );
    let output = run_sstar(&[
        "judge",
        problem.to_str().expect("utf-8"),
        program.to_str().expect("utf-8"),
        "--wasm-python",
        missing.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--wasm-python is for --sandbox wasm"));
}
