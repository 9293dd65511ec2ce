//! `solve --shard K/N` on two "machines" plus `merge` equals one unsharded run; merge sums the
//! shards' ledgers and names a missing shard.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use sstar::schema::{LedgerReport, Totals, Usage};

use crate::common::solve_offline;
use crate::common::{bundled_problems, sstar};
use crate::eval_outcomes::echo_set;

/// Bundled problems whose candidates finish quickly (the others have slow wrong programs that
/// run to their time limits on selection inputs, minutes of CPU in a debug build), from both
/// halves of the sorted set and two difficulties, so each shard gets some and eval breaks down.
const QUICK: &str = "balanced-steps,count-lakes,free-slots,maze-route,shelf-fit,top-tags";

/// Model-free `solve` of the quick problems, or of shard `shard` of them.
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
            "--only",
            QUICK,
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
            "--only",
            QUICK,
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
    let summary = &report["summary"];
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
    let against = report["against"].as_array().expect("against");
    let diff = &against.last().expect("this comparison")["difference"];
    // The oracle picks an accepted program wherever one exists, so it never loses a problem.
    assert_eq!(diff["only_a"], 0);
    assert!(diff["difference"].as_f64().expect("difference") <= 0.0);
    assert_eq!(diff["count"], QUICK.split(',').count());
}

/// A shard's `ledger.json` as `solve` writes it (`LedgerReport`): `calls` calls of `tokens`
/// prompt tokens each at `cost` dollars, all in `stage`, for `problem`.
fn ledger(problem: &str, stage: &str, calls: u64, tokens: u64, cost: f64) -> LedgerReport {
    let totals = Totals {
        calls,
        samples: calls,
        usage: Usage {
            prompt_tokens: calls * tokens,
            completion_tokens: calls,
            ..Usage::default()
        },
        cost_usd: Some(cost),
        ..Totals::default()
    };
    let mut report = LedgerReport {
        run: totals.clone(),
        ..LedgerReport::default()
    };
    report.by_stage.insert(stage.into(), totals.clone());
    report.by_problem.insert(problem.into(), totals);
    report
}

#[test]
fn merge_sums_the_shards_ledgers_and_names_a_missing_shard() {
    let dir = tempfile::tempdir().expect("tempdir");
    let set = dir.path().join("set");
    let candidates = echo_set(&set, &["a", "b", "c"], &[]);
    let shard = |k: usize| {
        let run = dir.path().join(format!("shard-{k}"));
        let output = solve_offline(&set, &run, &candidates, &["--shard", &format!("{k}/3")]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        run
    };
    let (one, three) = (shard(1), shard(3));
    let write = |run: &Path, report: &LedgerReport| {
        std::fs::write(
            run.join("ledger.json"),
            serde_json::to_vec_pretty(report).expect("json"),
        )
        .expect("write ledger");
    };
    write(&one, &ledger("a", "generate", 2, 100, 0.5));
    write(&three, &ledger("c", "select", 3, 10, 0.25));
    let merged = dir.path().join("merged");
    let output = sstar()
        .args(["merge", path(&one), path(&three), "--out", path(&merged)])
        .output()
        .expect("merge");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("missing shard 2/3"), "{stderr}");

    let report: LedgerReport =
        serde_json::from_slice(&std::fs::read(merged.join("ledger.json")).expect("ledger"))
            .expect("a ledger");
    assert_eq!(report.run.calls, 5);
    assert_eq!(report.run.usage.prompt_tokens, 2 * 100 + 3 * 10);
    assert_eq!(report.run.cost_usd, Some(0.75));
    assert_eq!(report.by_stage["generate"].calls, 2);
    assert_eq!(report.by_stage["select"].calls, 3);
    assert_eq!(
        report.by_problem.keys().collect::<Vec<_>>(),
        ["a", "c"],
        "per-problem entries are kept"
    );

    // The merged run stands for the whole set: the missing shard's problem is unfinished.
    let eval = sstar()
        .args(["eval", path(&merged), "--json"])
        .output()
        .expect("eval");
    assert_eq!(eval.status.code(), Some(1));
    let eval: Value = serde_json::from_slice(&eval.stdout).expect("json");
    assert_eq!(eval["summary"]["unfinished"], 1);
    assert_eq!(eval["not_scored"]["b"]["reason"], "unfinished");
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}
