//! Adaptive compute end to end: samples in waves until one behaviour group leads clearly,
//! and budgets that stop a stage, leave a pick among what the run has, and say so.

use serde_json::{json, Value};

use super::{
    abs_problem, abs_script, add_problem, add_script, read_json, results, run_ok, solve, start,
    write_candidates, ScriptedModel,
};
use crate::common::solve_offline;

#[tokio::test(flavor = "multi_thread")]
async fn adaptive_sampling_draws_waves_until_a_group_leads_clearly_and_the_judge_still_decides() {
    // Each wave of four is three programs alike and the right one: 3-1 and 6-2 are not clear
    // leads, 9-3 is. The judge then picks the lone right program among twelve samples.
    let server = start(ScriptedModel::new(vec![("Absolute", abs_script())])).await;
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    abs_problem(set.path());
    let flags = ["--rounds", "0", "--max-samples", "32"];
    run_ok(solve(&server.uri(), set.path(), out.path(), &flags)).await;
    let result = &results(out.path())[0];
    assert_eq!(result["samples"], 32, "{result}");
    assert_eq!(result["samples_used"], 12, "{result}");
    assert_eq!(result["sampling_stopped"], "agreement", "{result}");
    let solution =
        std::fs::read_to_string(out.path().join("problems/abs/solution.py")).expect("solution");
    assert_eq!(solution.trim(), "print(abs(int(input())))");
    let selection = read_json(&out.path().join("problems/abs/selection.json"));
    assert_eq!(selection["finals"].as_array().map(Vec::len), Some(12));
    // The report says what was spent and why sampling stopped.
    let page = report_page(out.path());
    assert!(
        page.contains("Sampling took 12 of 32 samples: one behaviour group leads clearly."),
        "{page}"
    );
    assert!(page.contains("flip rate"), "the judge's votes: {page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn adaptive_candidates_stop_at_the_first_wave_that_agrees() {
    let dir = tempfile::tempdir().expect("dir");
    let set = dir.path().join("set");
    abs_problem(&set);
    // Twelve candidates, the file's order being the sampling order: the first four all
    // print |x| (in four spellings), so one wave settles it.
    let right = [
        "print(abs(int(input())))",
        "x = int(input())\nprint(x if x >= 0 else -x)",
        "x = int(input())\nprint(max(x, -x))",
        "import sys\nprint(abs(int(sys.stdin.read())))",
    ];
    let wrong = "print(int(input()))";
    let mut programs: Vec<(&str, &str)> = right.iter().map(|code| ("abs", *code)).collect();
    programs.extend(std::iter::repeat_n(("abs", wrong), 8));
    let candidates = dir.path().join("candidates.jsonl");
    write_candidates(&candidates, &programs);
    let mut ran = Vec::new();
    for adaptive in [false, true] {
        let run = dir.path().join(format!("run-{adaptive}"));
        let extra: &[&str] = if adaptive { &["--adaptive"] } else { &[] };
        let output = solve_offline(&set, &run, &candidates, extra);
        assert!(output.status.success(), "{output:?}");
        let result = results(&run).remove(0);
        assert_eq!(result["samples"], 12);
        ran.push(result);
    }
    let (fixed, adaptive) = (&ran[0], &ran[1]);
    assert_eq!(fixed["samples_used"], 12);
    assert_eq!(fixed["sampling_stopped"], "fixed");
    assert_eq!(adaptive["samples_used"], 4, "{adaptive}");
    assert_eq!(adaptive["sampling_stopped"], "agreement");
    assert!(
        adaptive["executions"].as_u64() < fixed["executions"].as_u64(),
        "{fixed} vs {adaptive}"
    );
}

/// `sstar report` on a run: its page.
fn report_page(run: &std::path::Path) -> String {
    let made = crate::common::run_sstar(&["report", run.to_str().expect("utf-8")]);
    assert!(made.status.success(), "{made:?}");
    std::fs::read_to_string(run.join("report.html")).expect("page")
}

/// `solve` on one problem with prices of $1 per million tokens, and `flags`.
async fn priced_run(
    problem: fn(&std::path::Path),
    model: ScriptedModel,
    flags: &[&str],
) -> (Value, tempfile::TempDir) {
    let server = start(model).await;
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    problem(set.path());
    let mut all = vec!["--input-price", "1", "--output-price", "1"];
    all.extend_from_slice(flags);
    let output = run_ok(solve(&server.uri(), set.path(), out.path(), &all)).await;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut result = results(out.path()).remove(0);
    result["stdout"] = json!(stdout);
    (result, out)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_problem_out_of_dollars_stops_debugging_and_keeps_its_best_program() {
    // Generation (100 prompt + 4 x 20 completion tokens) costs $0.00018: past the budget,
    // so no debug round is asked and the buggy first programs are all there is.
    let model = ScriptedModel::new(vec![("Add two", add_script())]);
    let flags = ["--budget-usd", "0.0001", "--rounds", "2"];
    let (result, out) = priced_run(add_problem, model, &flags).await;
    assert_eq!(
        result["budget_exhausted"],
        json!({"unit": "usd", "scope": "problem", "stage": "debug"}),
        "{result}"
    );
    assert_eq!(result["generation_calls"], 1, "{result}");
    assert_eq!(result["status"], "selected");
    assert_eq!(result["public_passed"], false);
    let solution =
        std::fs::read_to_string(out.path().join("problems/add/solution.py")).expect("solution");
    assert!(solution.contains("a - b"), "{solution}");
    assert!(
        result["stdout"]
            .as_str()
            .unwrap_or_default()
            .contains("budget"),
        "the summary says a budget ran out: {}",
        result["stdout"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_problem_out_of_tokens_selects_without_the_model() {
    // Generation takes exactly the budget: no inputs are asked of the model and no pair is
    // judged; the candidates are grouped on inputs made from the problem's own.
    let model = ScriptedModel::new(vec![("Absolute", abs_script())]);
    let flags = ["--budget-tokens", "180", "--rounds", "0"];
    let (result, out) = priced_run(abs_problem, model, &flags).await;
    assert_eq!(
        result["budget_exhausted"],
        json!({"unit": "tokens", "scope": "problem", "stage": "test-gen"}),
        "{result}"
    );
    assert_eq!(result["selection_calls"], 0, "{result}");
    assert_eq!(result["status"], "selected");
    let selection = read_json(&out.path().join("problems/abs/selection.json"));
    assert!(selection["comparisons"]
        .as_array()
        .is_some_and(Vec::is_empty));
    assert!(selection.get("judge").is_none(), "{selection:#}");
    assert!(!selection["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .any(|i| i["source"] == "model"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_budget_is_shared_and_what_one_problem_leaves_goes_to_the_next() {
    // 300 tokens for two problems, one at a time: `abs` may spend while under 150 (its
    // share), so it generates (180) and stops; `add` then has the 120 left, generates and
    // stops before debugging.
    let model = ScriptedModel::new(vec![("Absolute", abs_script()), ("Add two", add_script())]);
    let server = start(model).await;
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    abs_problem(set.path());
    add_problem(set.path());
    let flags = [
        "--run-budget-tokens",
        "300",
        "--problem-concurrency",
        "1",
        "--rounds",
        "1",
    ];
    run_ok(solve(&server.uri(), set.path(), out.path(), &flags)).await;
    let mut rows = results(out.path());
    rows.sort_by_key(|r| r["id"].as_str().unwrap_or_default().to_owned());
    let stages: Vec<(&Value, &Value)> = rows
        .iter()
        .map(|r| {
            (
                &r["budget_exhausted"]["scope"],
                &r["budget_exhausted"]["stage"],
            )
        })
        .collect();
    assert_eq!(
        stages,
        [
            (&json!("run"), &json!("test-gen")),
            (&json!("run"), &json!("debug"))
        ],
        "{rows:#?}"
    );
    assert!(rows.iter().all(|r| r["status"] == "selected"), "{rows:#?}");
}
