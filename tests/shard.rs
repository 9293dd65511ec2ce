//! `solve --shard K/N` on two "machines" plus `merge` equals one unsharded run.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::common::{bundled_problems, sstar};

fn solve(out: &Path, shard: Option<&str>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = sstar();
    command
        .args([
            "solve",
            bundled_problems().to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ])
        .args([
            "--candidates",
            root.join("examples/candidates.jsonl")
                .to_str()
                .expect("utf-8"),
        ])
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("SSTAR_MODEL");
    if let Some(shard) = shard {
        command.args(["--shard", shard]);
    }
    let output = command.output().expect("solve");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// What must not depend on sharding, per problem: the result minus timings, and the pick.
fn outcome(run: &Path) -> BTreeMap<String, (Value, String)> {
    std::fs::read_to_string(run.join("results.jsonl"))
        .expect("results")
        .lines()
        .map(|line| {
            let mut r: Value = serde_json::from_str(line).expect("json");
            let id = r["id"].as_str().expect("id").to_owned();
            for volatile in ["seconds", "sandbox_seconds"] {
                r.as_object_mut().expect("object").remove(volatile);
            }
            let pick = std::fs::read_to_string(run.join("problems").join(&id).join("solution.py"))
                .unwrap_or_default();
            (id, (r, pick))
        })
        .collect()
}

#[test]
fn two_shards_merged_equal_the_unsharded_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (whole, a, b, merged) = (
        dir.path().join("whole"),
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("merged"),
    );
    solve(&whole, None);
    solve(&a, Some("1/2"));
    solve(&b, Some("2/2"));
    let (in_a, in_b) = (outcome(&a), outcome(&b));
    assert!(!in_a.is_empty() && !in_b.is_empty());
    assert!(
        in_a.keys().all(|id| !in_b.contains_key(id)),
        "shards overlap"
    );
    let output = sstar()
        .args([
            "merge",
            a.to_str().expect("utf-8"),
            b.to_str().expect("utf-8"),
            "--out",
            merged.to_str().expect("utf-8"),
        ])
        .output()
        .expect("merge");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(outcome(&merged), outcome(&whole));
    let submission = |run: &Path| -> BTreeMap<String, Value> {
        let value: Value = serde_json::from_slice(
            &std::fs::read(run.join("submission.json")).expect("submission"),
        )
        .expect("json");
        value
            .as_array()
            .expect("array")
            .iter()
            .map(|e| {
                (
                    e["question_id"].as_str().expect("id").to_owned(),
                    e["code_list"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(submission(&merged), submission(&whole));
    // Merging again into the same directory is refused rather than doubling results.
    let again = sstar()
        .args([
            "merge",
            a.to_str().expect("utf-8"),
            "--out",
            merged.to_str().expect("utf-8"),
        ])
        .output()
        .expect("merge");
    assert_eq!(again.status.code(), Some(2));
    // The same shard twice is a conflict, not a silent overwrite.
    let twice = sstar()
        .args([
            "merge",
            a.to_str().expect("utf-8"),
            a.to_str().expect("utf-8"),
            "--out",
            dir.path().join("x").to_str().expect("utf-8"),
        ])
        .output()
        .expect("merge");
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("finished in both"));
}

#[test]
fn eval_reports_intervals_and_compares_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    solve(&first, None);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = sstar()
        .args([
            "solve",
            bundled_problems().to_str().expect("utf-8"),
            "--out",
            second.to_str().expect("utf-8"),
        ])
        .args([
            "--candidates",
            root.join("examples/candidates.jsonl")
                .to_str()
                .expect("utf-8"),
            "--select",
            "oracle",
        ])
        .env_remove("SSTAR_MODEL")
        .output()
        .expect("solve");
    assert!(output.status.success());
    let output = sstar()
        .args([
            "eval",
            first.to_str().expect("utf-8"),
            "--against",
            second.to_str().expect("utf-8"),
            "--json",
        ])
        .output()
        .expect("eval");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    let summary = &report["eval"]["summary"];
    let (rate, low, high) = (
        summary["pass_at_1_interval"]["rate"]
            .as_f64()
            .expect("rate"),
        summary["pass_at_1_interval"]["low"].as_f64().expect("low"),
        summary["pass_at_1_interval"]["high"]
            .as_f64()
            .expect("high"),
    );
    assert!(low <= rate && rate <= high && low < high);
    assert!(
        summary["by_difficulty"]
            .as_object()
            .expect("breakdown")
            .len()
            >= 2
    );
    let diff = &report["against"]["pass_at_1"];
    // The oracle picks an accepted program wherever one exists, so it never loses a problem.
    assert_eq!(diff["only_a"], 0);
    assert!(diff["difference"].as_f64().expect("difference") <= 0.0);
    assert_eq!(diff["count"], 14);
}
