//! Runs the previous release wrote (format 1, `tests/fixtures/previous-*`) resume, evaluate and
//! report with this version, through the CLI.

use std::path::{Path, PathBuf};

use crate::common::{bundled_problems, solve_offline, sstar};

/// Where the fixtures' checkout was when they were written (`run.json` names it).
const RECORDED_ROOT: &str = "/work/main";

/// A copy of fixture run `name` in `dir`, its recorded paths moved to this checkout.
fn copy_run(name: &str, dir: &Path) -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let to = dir.join(name);
    copy_tree(&from, &to);
    let run_json = to.join("run.json");
    let text = std::fs::read_to_string(&run_json).expect("run.json");
    let here = env!("CARGO_MANIFEST_DIR");
    std::fs::write(&run_json, text.replace(RECORDED_ROOT, here)).expect("rewrite run.json");
    to
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `sstar report RUN`'s page, after checking it succeeded.
fn report(run: &Path) -> String {
    let out = sstar().arg("report").arg(run).output().expect("report");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(run.join("report.html")).expect("report.html")
}

fn json(path: &Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).expect("json")
}

#[test]
fn the_previous_releases_demo_run_resumes_evals_and_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = copy_run("previous-run", dir.path());
    let before = std::fs::read_to_string(run.join("results.jsonl")).expect("results");
    let started = json(&run.join("run.json"))["started_at"].clone();
    let candidates = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/candidates.jsonl");
    let only = [
        "--select",
        "sstar",
        "--only",
        "balanced-steps",
        "--only",
        "count-lakes",
        "--only",
        "run-length",
        "--only",
        "top-tags",
    ];

    // The same settings resume: the three finished problems stay as they were, one more runs.
    let out = solve_offline(&bundled_problems(), &run, &candidates, &only);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let after = std::fs::read_to_string(run.join("results.jsonl")).expect("results");
    assert!(
        after.starts_with(&before),
        "earlier results kept as written"
    );
    let added: Vec<serde_json::Value> = after[before.len()..]
        .lines()
        .map(|l| serde_json::from_str(l).expect("a line"))
        .collect();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0]["id"], "top-tags");
    assert_eq!(added[0]["format"], 2);
    let info = json(&run.join("run.json"));
    assert_eq!(info["format"], 2, "rewritten in the current format");
    assert_eq!(
        info["started_at"], started,
        "the first session's start is kept"
    );

    // Other settings are refused against the old run.json, naming the difference.
    let mut other = only;
    other[1] = "first";
    let out = solve_offline(&bundled_problems(), &run, &candidates, &other);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("pipeline.select: \"sstar\" → \"first\""),
        "{stderr}"
    );

    let out = sstar().arg("eval").arg(&run).output().expect("eval");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let eval = json(&run.join("eval.json"));
    assert_eq!(eval["format"], 2);
    assert_eq!(eval["summary"]["count"], 4);
    assert_eq!(eval["summary"]["accepted"], 4);

    let page = report(&run);
    for id in ["balanced-steps", "count-lakes", "run-length", "top-tags"] {
        assert!(page.contains(id), "{id} in the report");
    }
}

#[test]
fn the_previous_releases_model_run_resumes_without_asking_and_reports_its_ledger() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = copy_run("previous-model-run", dir.path());
    let ledger_before = json(&run.join("ledger.json"));
    // Everything finished: nothing is asked of the model (nothing listens on this port).
    let out = sstar()
        .arg("solve")
        .arg(bundled_problems())
        .arg("--out")
        .arg(&run)
        .args([
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--model",
            "mock-model",
        ])
        .args([
            "--samples",
            "2",
            "--only",
            "run-length",
            "--only",
            "count-lakes",
        ])
        .env_remove("OPENAI_API_KEY")
        .output()
        .expect("solve");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let ledger = json(&run.join("ledger.json"));
    assert_eq!(ledger["format"], 2);
    assert_eq!(
        ledger["run"], ledger_before["run"],
        "the earlier sessions' totals kept"
    );

    let page = report(&run);
    assert!(page.contains("mock-model"));
}
