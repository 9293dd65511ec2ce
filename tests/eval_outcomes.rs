//! `sstar eval` accounts for every problem a run was asked for: errored, unfinished and
//! malformed problems are counted apart from wrong ones, never scored as 0%, and exit 1.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{echo_problem, solve_offline, sstar, write_problem};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

/// Writes a set of echo problems (`ids`) into `set`, and a `--candidates` file next to it
/// giving each the right program, except `wrong`, whose program passes the public test only.
pub fn echo_set(set: &Path, ids: &[&str], wrong: &[&str]) -> std::path::PathBuf {
    let mut lines = String::new();
    for id in ids {
        echo_problem(&set.join(id));
        let code = if wrong.contains(id) {
            "print('hello')"
        } else {
            "print(input())"
        };
        lines.push_str(&serde_json::json!({"id": id, "code": code}).to_string());
        lines.push('\n');
    }
    let candidates = set.with_extension("candidates.jsonl");
    std::fs::write(&candidates, lines).expect("write candidates");
    candidates
}

fn eval(run: &Path) -> Output {
    sstar().args(["eval", path(run)]).output().expect("eval")
}

/// Rewrites `results.jsonl`: `edit` may change a line, or drop it by returning `None`.
fn edit_results(run: &Path, edit: impl Fn(Value) -> Option<Value>) {
    let file = run.join("results.jsonl");
    let lines: Vec<String> = std::fs::read_to_string(&file)
        .expect("results")
        .lines()
        .filter_map(|l| edit(serde_json::from_str(l).expect("json")))
        .map(|v| v.to_string() + "\n")
        .collect();
    std::fs::write(&file, lines.concat()).expect("rewrite results");
}

fn errored(mut result: Value) -> Value {
    result["status"] = "error".into();
    result["error"] = "every model call failed: connection refused".into();
    result
}

fn summary(run: &Path) -> Value {
    let eval: Value =
        serde_json::from_slice(&std::fs::read(run.join("eval.json")).expect("eval.json"))
            .expect("json");
    eval
}

#[test]
fn eval_counts_errored_unfinished_and_malformed_problems_apart_from_wrong_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let set = dir.path().join("set");
    let candidates = echo_set(&set, &["a", "b", "c", "d"], &["b"]);
    write_problem(
        &set.join("broken"),
        &[
            ("problem.toml", "title = \"broken\"\nkind = \"nonsense\"\n"),
            ("statement.md", "?"),
        ],
    );
    let run = dir.path().join("run");
    let solved = solve_offline(&set, &run, &candidates, &[]);
    assert!(
        run.join("results.jsonl").exists(),
        "{}",
        text(&solved.stderr)
    );
    // `c` errored (its model calls failed); `d` never finished (solve was killed before it).
    edit_results(&run, |r| match r["id"].as_str() {
        Some("c") => Some(errored(r)),
        Some("d") => None,
        _ => Some(r),
    });

    let output = eval(&run);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains(
            "5 problems: 1 accepted, 1 wrong, 0 no candidate, 1 errored (rerun solve to retry), 1 unfinished"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("1 malformed (see above)"), "{stdout}");
    assert!(stderr.contains("broken: malformed"), "{stderr}");
    assert!(
        stdout.contains("over the 2 scored problems"),
        "pass@1 names its denominator: {stdout}"
    );
    assert!(
        stdout.contains("partial: 3 of 5 problems not scored"),
        "{stdout}"
    );
    assert!(stdout.contains("model-free"), "{stdout}");

    let report = summary(&run);
    let s = &report["summary"];
    assert_eq!(s["count"], 2);
    assert_eq!(s["pass_at_1"], 0.5);
    assert_eq!(
        [
            &s["total"],
            &s["accepted"],
            &s["wrong"],
            &s["errored"],
            &s["unfinished"],
            &s["malformed"]
        ],
        [5, 1, 1, 1, 1, 1].map(Value::from).each_ref()
    );
    assert_eq!(s["complete"], false);
    assert_eq!(report["not_scored"]["c"]["reason"], "errored");
    assert!(report["not_scored"]["c"]["detail"]
        .as_str()
        .is_some_and(|d| d.contains("connection refused")));
    assert_eq!(report["not_scored"]["d"]["reason"], "unfinished");
    assert_eq!(report["not_scored"]["broken"]["reason"], "malformed");
    // Only scored problems are in `problems` (docs/run-directory.md): an errored one is not a wrong
    // answer.
    assert!(report["problems"].get("c").is_none());
    assert_eq!(report["problems"]["b"]["verdict"], "wrong_answer");
}

#[test]
fn a_run_where_every_problem_errored_is_not_a_zero_score() {
    let dir = tempfile::tempdir().expect("tempdir");
    let set = dir.path().join("set");
    let candidates = echo_set(&set, &["a", "b"], &[]);
    let run = dir.path().join("run");
    let solved = solve_offline(&set, &run, &candidates, &[]);
    assert!(solved.status.success(), "{}", text(&solved.stderr));
    edit_results(&run, |r| Some(errored(r)));

    let output = eval(&run);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("2 problems: 0 accepted, 0 wrong, 0 no candidate, 2 errored"),
        "{stdout}"
    );
    assert!(stdout.contains("no problem was scored"), "{stdout}");
    assert!(!stdout.contains('%'), "no rate is printed: {stdout}");
    let s = &summary(&run)["summary"];
    assert_eq!(s["pass_at_1"], Value::Null);
    assert_eq!((&s["count"], &s["errored"]), (&0.into(), &2.into()));
}

#[test]
fn eval_scopes_by_the_runs_only_and_shard_and_a_complete_run_exits_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    let set = dir.path().join("set");
    let candidates = echo_set(&set, &["a", "b", "c"], &["c"]);
    for (name, extra) in [
        ("only", &["--only", "b"][..]),
        ("shard", &["--shard", "2/2"][..]),
        ("whole", &[][..]),
    ] {
        let run = dir.path().join(name);
        let solved = solve_offline(&set, &run, &candidates, extra);
        assert!(solved.status.success(), "{}", text(&solved.stderr));
        let output = eval(&run);
        let stdout = text(&output.stdout);
        // Wrong answers are the measurement, not a failure of it.
        assert_eq!(output.status.code(), Some(0), "{name}: {stdout}");
        let s = &summary(&run)["summary"];
        let expected = if name == "whole" { 3 } else { 1 };
        assert_eq!(s["total"], expected, "{name}: {stdout}");
        assert_eq!(s["unfinished"], 0, "{name}: {stdout}");
        assert_eq!(s["complete"], true, "{name}");
    }
    // The oracle is named as such.
    let run = dir.path().join("oracle");
    let solved = solve_offline(&set, &run, &candidates, &["--select", "oracle"]);
    assert!(solved.status.success(), "{}", text(&solved.stderr));
    let stdout = text(&eval(&run).stdout);
    assert!(
        stdout.contains("selection: oracle") && stdout.contains("analysis only"),
        "{stdout}"
    );
}
