//! `sstar solve` and `sstar eval` end to end through the CLI, against a scripted
//! OpenAI-compatible server on 127.0.0.1.

mod compute;
mod cpp;
mod generator;
mod model_free;
mod outcomes;
mod report;
mod scripted;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::common::{solve_offline, sstar, write_problem};
use scripted::{JudgeErrors, Script, ScriptedModel};

/// `sstar solve` with the model at `server`, in a clean environment.
fn solve(server: &str, set: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut command = sstar();
    command
        .args([
            "solve",
            set.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ])
        .args([
            "--base-url",
            &format!("{server}/v1"),
            "--model",
            "scripted",
            "--samples",
            "4",
        ])
        .args(extra)
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("SSTAR_MODEL")
        .env("SSTAR_WORKERS", "2");
    command
}

/// Writes a `--candidates` JSONL file of `(problem id, program)` pairs.
fn write_candidates(path: &Path, programs: &[(&str, &str)]) {
    let lines: Vec<String> = programs
        .iter()
        .map(|(id, code)| serde_json::json!({"id": id, "code": code}).to_string())
        .collect();
    std::fs::write(path, lines.join("\n")).expect("write candidates");
}

async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("run sstar"))
        .await
        .expect("join")
}

/// Runs `command` and fails the test, with sstar's stderr, unless it succeeds.
async fn run_ok(command: Command) -> Output {
    let output = run(command).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

async fn start(model: ScriptedModel) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(model)
        .mount(&server)
        .await;
    server
}

/// The scripted model behind one exceptional answer: `first` answers the first request it
/// matches, `model` everything else.
async fn start_behind(
    first: wiremock::MockBuilder,
    answer: impl wiremock::Respond + 'static,
    model: ScriptedModel,
) -> MockServer {
    let server = MockServer::start().await;
    first
        .respond_with(answer)
        .with_priority(1)
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(model)
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

fn results(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("results.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("results line"))
        .collect()
}

/// `sstar eval RUN --json`, which must succeed; its report.
fn eval_json(run: &Path) -> Value {
    let eval = sstar()
        .arg("eval")
        .arg(run)
        .arg("--json")
        .output()
        .expect("eval");
    assert!(
        eval.status.success(),
        "{}",
        String::from_utf8_lossy(&eval.stderr)
    );
    serde_json::from_slice(&eval.stdout).expect("eval json")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(
        &std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .expect("json")
}

fn stdio_problem(dir: &Path, title: &str, public: &[(&str, &str)], hidden: &[(&str, &str)]) {
    let mut files = vec![
        ("problem.toml".to_owned(), format!("title = \"{title}\"\nkind = \"stdio\"\ntime_limit_ms = 2000\nmemory_limit_mb = 256\n")),
        ("statement.md".to_owned(), format!("{title}: read the input, print the answer.")),
    ];
    for (group, tests) in [("public", public), ("hidden", hidden)] {
        for (i, (input, output)) in tests.iter().enumerate() {
            files.push((format!("tests/{group}/{}.in", i + 1), format!("{input}\n")));
            files.push((
                format!("tests/{group}/{}.out", i + 1),
                format!("{output}\n"),
            ));
        }
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_problem(dir, &refs);
}

const ADD_BUGGY: &str = "a, b = map(int, input().split())\nprint(a - b)";
const ADD_FIXED: &str = "a, b = map(int, input().split())\nprint(a + b)";

fn add_problem(set: &Path) {
    stdio_problem(
        &set.join("add"),
        "Add two",
        &[("1 2", "3"), ("5 5", "10")],
        &[("7 8", "15"), ("-1 1", "0")],
    );
}

fn add_script() -> Script {
    Script {
        programs: vec![ADD_BUGGY.into()],
        fix: Some(ADD_FIXED.into()),
        ..Script::default()
    }
}

/// |x|, where the public tests only show positive x: three samples print x, one prints |x|.
fn abs_problem(set: &Path) {
    stdio_problem(
        &set.join("abs"),
        "Absolute",
        &[("3", "3"), ("10", "10")],
        &[("-4", "4"), ("7", "7"), ("-100", "100")],
    );
}

fn abs_script() -> Script {
    Script {
        programs: vec![
            "print(int(input()))".into(),
            "x = int(input())\nprint(x)".into(),
            "import sys\nprint(int(sys.stdin.read()))".into(),
            "print(abs(int(input())))".into(),
        ],
        inputs: vec!["-5".into(), "0".into(), "12".into()],
        truth: Some(|input| {
            input
                .trim()
                .parse::<i64>()
                .map(|x| x.abs().to_string())
                .unwrap_or_default()
        }),
        ..Script::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_sample_is_fixed_by_a_debug_round() {
    let server = start(ScriptedModel::new(vec![("Add two", add_script())])).await;
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    add_problem(set.path());
    run_ok(solve(
        &server.uri(),
        set.path(),
        out.path(),
        &["--rounds", "1"],
    ))
    .await;
    let trace: Vec<Value> = std::fs::read_to_string(out.path().join("problems/add/trace.jsonl"))
        .expect("trace")
        .lines()
        .map(|l| serde_json::from_str(l).expect("trace line"))
        .collect();
    let sample0: Vec<&Value> = trace.iter().filter(|r| r["sample"] == 0).collect();
    assert_eq!(
        sample0.len(),
        2,
        "round 0 fails, round 1 passes: {sample0:?}"
    );
    assert_eq!(
        (
            sample0[0]["public_passed"].as_u64(),
            sample0[1]["public_passed"].as_u64()
        ),
        (Some(0), Some(2))
    );
    assert_eq!(
        std::fs::read_to_string(out.path().join("problems/add/solution.py"))
            .expect("solution")
            .trim(),
        ADD_FIXED
    );
    let result = &results(out.path())[0];
    assert_eq!(result["status"], "selected");
    assert_eq!(result["public_passed"], true);
    let eval = run({
        let mut c = sstar();
        c.args(["eval", out.path().to_str().expect("utf-8")]);
        c
    })
    .await;
    assert!(eval.status.success());
    assert_eq!(
        read_json(&out.path().join("eval.json"))["summary"]["pass_at_1"],
        1.0
    );
    // Bounds: stage 1 asks for at most N × (R + 1) answers.
    assert!(result["generation_calls"].as_u64().expect("count") <= 4 * 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn sstar_picks_the_lone_right_program_where_majority_follows_the_crowd() {
    let server = start(ScriptedModel::new(vec![("Absolute", abs_script())])).await;
    let set = tempfile::tempdir().expect("set");
    abs_problem(set.path());
    let mut picks = Vec::new();
    for method in ["sstar", "majority"] {
        let out = tempfile::tempdir().expect("out");
        run_ok(solve(
            &server.uri(),
            set.path(),
            out.path(),
            &["--select", method, "--rounds", "0"],
        ))
        .await;
        let selection = read_json(&out.path().join("problems/abs/selection.json"));
        assert!(
            selection["groups"].as_array().expect("groups").len() >= 2,
            "{selection}"
        );
        assert!(selection["inputs"]
            .as_array()
            .expect("inputs")
            .iter()
            .any(|i| i["source"] == "model"));
        assert!(selection["inputs"]
            .as_array()
            .expect("inputs")
            .iter()
            .any(|i| i["source"] == "mutation"));
        picks.push(
            std::fs::read_to_string(out.path().join("problems/abs/solution.py"))
                .expect("solution")
                .trim()
                .to_owned(),
        );
        let result = &results(out.path())[0];
        let groups = result["groups"].as_u64().expect("groups");
        let calls = result["selection_calls"].as_u64().expect("calls");
        // Stage 2: three input requests plus, per pair of groups, two rounds of two
        // judgements (a judge that never errs settles a pair in two), whatever N is.
        assert!(
            calls <= 3 + 2 * groups * (groups - 1),
            "{calls} selection calls for {groups} groups"
        );
        if method == "sstar" {
            let comparisons = selection["comparisons"].as_array().expect("comparisons");
            assert!(
                comparisons.iter().any(|c| c["decided_by"] == "model"),
                "{selection}"
            );
        }
    }
    assert_eq!(
        picks[0], "print(abs(int(input())))",
        "sstar follows the judge's reading of real outputs"
    );
    assert_ne!(
        picks[1], "print(abs(int(input())))",
        "majority follows the three alike"
    );
}

/// `sstar` on the abs problem against a judge that errs as `errors` says: the solution picked,
/// `selection.json` and the run directory.
async fn abs_with_judge(errors: JudgeErrors) -> (String, Value, tempfile::TempDir) {
    let model = ScriptedModel::new(vec![("Absolute", abs_script())]).judge_errors(errors);
    let server = start(model).await;
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    abs_problem(set.path());
    let flags = ["--select", "sstar", "--rounds", "0"];
    run_ok(solve(&server.uri(), set.path(), out.path(), &flags)).await;
    let pick = std::fs::read_to_string(out.path().join("problems/abs/solution.py"))
        .expect("solution")
        .trim()
        .to_owned();
    let selection = read_json(&out.path().join("problems/abs/selection.json"));
    (pick, selection, out)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pair_the_judge_splits_is_asked_again_and_never_falls_to_group_size() {
    // The judge says "A" the first time it sees each question: the first round of every pair
    // splits. Group size would pick the three programs alike (the wrong ones).
    let (pick, selection, out) = abs_with_judge(JudgeErrors::BiasedFirstTime).await;
    assert_eq!(pick, "print(abs(int(input())))", "{selection:#}");
    let comparisons = selection["comparisons"].as_array().expect("comparisons");
    let judged: Vec<&Value> = comparisons
        .iter()
        .filter(|c| c["decided_by"] != "time_limit")
        .collect();
    assert!(!judged.is_empty(), "{selection:#}");
    for c in judged {
        let votes = c["votes"].as_array().expect("every vote is recorded");
        assert!(votes.len() > 2, "asked again after a split round: {c}");
        assert_eq!(c["answers"], serde_json::json!(["A", "A"]), "{c}");
        assert_eq!(c["decided_by"], "votes", "{c}");
        assert!(votes.iter().any(|v| v["swapped"] == true));
    }
    assert!(selection["judge"]["flip_rate"].as_f64().expect("flip rate") > 0.0);
    // The report shows the later rounds and how the pair was decided.
    let made = crate::common::run_sstar(&["report", out.path().to_str().expect("utf-8")]);
    assert!(made.status.success());
    let page = std::fs::read_to_string(out.path().join("report.html")).expect("page");
    assert!(page.contains("flip rate"), "{page}");
    assert!(page.contains("votes to"), "{page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_judge_that_flips_a_fifth_of_its_answers_still_picks_the_right_program() {
    for seed in 1..=3 {
        let errors = JudgeErrors::Flips { rate: 0.2, seed };
        let (pick, selection, _) = abs_with_judge(errors).await;
        assert_eq!(
            pick, "print(abs(int(input())))",
            "seed {seed}: {selection:#}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn candidates_without_a_model_select_and_evaluate_offline() {
    let set = tempfile::tempdir().expect("set");
    abs_problem(set.path());
    add_problem(set.path());
    let candidates = set.path().join("candidates.jsonl");
    let abs = abs_script().programs;
    let mut programs: Vec<(&str, &str)> = abs.iter().map(|code| ("abs", code.as_str())).collect();
    programs.extend([ADD_FIXED, ADD_FIXED, ADD_BUGGY].map(|code| ("add", code)));
    write_candidates(&candidates, &programs);
    let out = tempfile::tempdir().expect("out");
    let output = solve_offline(set.path(), out.path(), &candidates, &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let selection = read_json(&out.path().join("problems/add/selection.json"));
    assert_eq!(selection["model_free"], true);
    assert_eq!(
        std::fs::read_to_string(out.path().join("problems/add/solution.py"))
            .expect("pick")
            .trim(),
        ADD_FIXED
    );
    assert_eq!(
        read_json(&out.path().join("run.json"))["settings"]["model_free"],
        true
    );
    let report = eval_json(out.path());
    assert_eq!(report["problems"]["add"]["verdict"], "accepted");
    assert_eq!(report["problems"]["abs"]["any_candidate_accepted"], true);
    assert_eq!(report["summary"]["count"], 2);
    let submission = read_json(&out.path().join("submission.json"));
    assert_eq!(submission.as_array().map(Vec::len), Some(2));

    // As a run stopped after a results line but before the submission's rewrite left it: a
    // resume with nothing left to solve still writes the submission whole.
    std::fs::write(out.path().join("submission.json"), "[]").expect("stale submission");
    let resumed = solve_offline(set.path(), out.path(), &candidates, &[]);
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert_eq!(read_json(&out.path().join("submission.json")), submission);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_run_resumes_without_redoing_work_or_resending_cached_requests() {
    // `add` finishes at once; `abs` hangs in selection (its test-input request never answers
    // in time), so the kill lands after its generation answers were cached.
    let model = ScriptedModel::new(vec![("Add two", add_script()), ("Absolute", abs_script())]);
    let hang = Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(wiremock::matchers::body_string_contains(
            "new, valid test inputs",
        ));
    let hung = model.clone().delayed(std::time::Duration::from_secs(120));
    let server = start_behind(hang, hung, model).await;
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    add_problem(set.path());
    abs_problem(set.path());
    let mut child = solve(&server.uri(), set.path(), out.path(), &[])
        .spawn()
        .expect("spawn");
    // Wait (bounded) until `add` is recorded and the hanging request has arrived.
    let mut ready = false;
    for _ in 0..600 {
        let hung = server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .any(|r| String::from_utf8_lossy(&r.body).contains("new, valid test inputs"));
        if hung && results(out.path()).iter().any(|r| r["id"] == "add") {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert!(ready, "first run never reached the hanging request");
    let before = server.received_requests().await.unwrap_or_default().len();
    let mentions = |bodies: &[wiremock::Request], what: &str| {
        bodies
            .iter()
            .filter(|r| String::from_utf8_lossy(&r.body).contains(what))
            .count()
    };
    run_ok(solve(&server.uri(), set.path(), out.path(), &[])).await;
    let all = server.received_requests().await.unwrap_or_default();
    let second = &all[before..];
    assert_eq!(
        mentions(second, "# Add two"),
        0,
        "the finished problem was redone"
    );
    assert_eq!(
        mentions(second, "Answer with the complete program"),
        0,
        "cached generation requests were sent again"
    );
    assert_eq!(
        mentions(second, "new, valid test inputs"),
        1,
        "the unanswered request is asked again"
    );
    let lines = results(out.path());
    assert_eq!(lines.iter().filter(|r| r["id"] == "add").count(), 1);
    assert_eq!(lines.iter().filter(|r| r["id"] == "abs").count(), 1);
    // A third run finds everything finished: no requests at all.
    let output = run(solve(&server.uri(), set.path(), out.path(), &[])).await;
    assert!(output.status.success());
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        all.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_model_outage_is_an_error_result_that_a_resume_retries() {
    let server = start_behind(
        Mock::given(method("POST")).and(path("/v1/chat/completions")),
        wiremock::ResponseTemplate::new(503),
        ScriptedModel::new(vec![("Add two", add_script())]),
    )
    .await;
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    add_problem(set.path());
    let flags = ["--max-attempts", "1", "--rounds", "1"];
    let output = run(solve(&server.uri(), set.path(), out.path(), &flags)).await;
    // Exit 1: the run worked, but a problem errored; the summary says so and how to retry.
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(
        summary.contains("1 problems: 0 selected, 0 no candidate, 1 errored"),
        "{summary}"
    );
    assert!(
        summary.contains("errored: add (run the same command again to retry them)"),
        "{summary}"
    );
    let first = results(out.path());
    assert_eq!(first[0]["status"], "error", "{first:?}");
    assert!(
        first[0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("model call failed"),
        "{first:?}"
    );
    run_ok(solve(&server.uri(), set.path(), out.path(), &flags)).await;
    let lines = results(out.path());
    assert_eq!(
        lines.last().expect("result")["status"],
        "selected",
        "the errored problem was tried again"
    );
    // Changing the settings of an existing run is refused instead of mixing two experiments.
    let output = run(solve(
        &server.uri(),
        set.path(),
        out.path(),
        &["--max-attempts", "1", "--rounds", "2"],
    ))
    .await;
    assert_eq!(output.status.code(), Some(2));
    let refusal = String::from_utf8_lossy(&output.stderr);
    assert!(refusal.contains("pipeline.rounds: 1 → 2"), "{refusal}");
}

#[tokio::test(flavor = "multi_thread")]
async fn candidates_that_fail_on_every_input_never_win_by_numbers() {
    // No public tests to filter with: three copies of a program that dies at import, one that
    // works. The largest group must not be the broken one.
    let set = tempfile::tempdir().expect("set");
    write_problem(
        &set.path().join("echo"),
        &[
            (
                "problem.toml",
                "title = \"Echo\"\nkind = \"stdio\"\ntime_limit_ms = 2000\n",
            ),
            ("statement.md", "Print the input."),
            ("tests/hidden/1.in", "hello\n"),
            ("tests/hidden/1.out", "hello\n"),
        ],
    );
    let broken = "import a_module_that_does_not_exist\nprint(input())";
    let candidates = set.path().join("candidates.jsonl");
    write_candidates(
        &candidates,
        &[broken, broken, broken, "print(input())"].map(|code| ("echo", code)),
    );
    let inputs = set.path().join("inputs.jsonl");
    std::fs::write(
        &inputs,
        "{\"id\": \"echo\", \"input\": \"abc\"}\n{\"id\": \"echo\", \"input\": \"x y\"}\n",
    )
    .expect("write");
    let out = tempfile::tempdir().expect("out");
    let output = solve_offline(
        set.path(),
        out.path(),
        &candidates,
        &["--inputs", inputs.to_str().expect("utf-8")],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pick = std::fs::read_to_string(out.path().join("problems/echo/solution.py")).expect("pick");
    assert_eq!(pick.trim(), "print(input())");
    let selection = read_json(&out.path().join("problems/echo/selection.json"));
    assert_eq!(
        selection["always_failing"].as_array().map(Vec::len),
        Some(3),
        "{selection}"
    );
    assert!(selection["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .any(|i| i["source"] == "given"));
}

#[tokio::test(flavor = "multi_thread")]
async fn identical_programs_run_once_and_a_redone_problem_runs_nothing() {
    let set = tempfile::tempdir().expect("set");
    add_problem(set.path());
    let executions = |out: &Path| {
        results(out)
            .iter()
            .find(|r| r["id"] == "add")
            .and_then(|r| r["executions"].as_u64())
            .expect("add finished")
    };
    let solve_with = |programs: &[&str], out: &Path| {
        let candidates = out.join("candidates.jsonl");
        write_candidates(
            &candidates,
            &programs.iter().map(|c| ("add", *c)).collect::<Vec<_>>(),
        );
        let output = solve_offline(set.path(), out, &candidates, &[]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let (once, twice) = (
        tempfile::tempdir().expect("out"),
        tempfile::tempdir().expect("out"),
    );
    solve_with(&[ADD_FIXED, ADD_BUGGY], once.path());
    solve_with(&[ADD_FIXED, ADD_FIXED, ADD_BUGGY], twice.path());
    assert!(executions(once.path()) > 0);
    assert_eq!(
        executions(twice.path()),
        executions(once.path()),
        "a duplicate program was run again"
    );
    // Forget that the problem finished (as a kill mid-problem would): redoing it is all cache.
    std::fs::remove_file(twice.path().join("results.jsonl")).expect("forget");
    solve_with(&[ADD_FIXED, ADD_FIXED, ADD_BUGGY], twice.path());
    assert_eq!(executions(twice.path()), 0, "a cached execution ran again");
    assert_eq!(
        std::fs::read_to_string(twice.path().join("problems/add/solution.py"))
            .expect("pick")
            .trim(),
        ADD_FIXED
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn given_expected_outputs_rank_groups_model_free_but_never_override_majority() {
    // Three copies of a program that squares, one that doubles: both pass the public test
    // (2 -> 4). Expected outputs given with `--inputs` side with the doubler.
    let set = tempfile::tempdir().expect("set");
    write_problem(
        &set.path().join("double"),
        &[
            ("problem.toml", "title = \"Double\"\nkind = \"stdio\"\n"),
            ("statement.md", "Print twice the integer given."),
            ("tests/public/1.in", "2\n"),
            ("tests/public/1.out", "4\n"),
            ("tests/hidden/1.in", "3\n"),
            ("tests/hidden/1.out", "6\n"),
        ],
    );
    let (square, double) = ("x = int(input())\nprint(x * x)", "print(2 * int(input()))");
    let candidates = set.path().join("candidates.jsonl");
    write_candidates(
        &candidates,
        &[square, square, square, double].map(|code| ("double", code)),
    );
    let inputs = set.path().join("inputs.jsonl");
    std::fs::write(
        &inputs,
        "{\"id\": \"double\", \"input\": \"3\", \"output\": \"6\"}\n{\"id\": \"double\", \"input\": \"5\", \"output\": \"10\"}\n",
    )
    .expect("write");
    let pick = |extra: &[&str]| {
        let out = tempfile::tempdir().expect("out");
        let output = solve_offline(set.path(), out.path(), &candidates, extra);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let code =
            std::fs::read_to_string(out.path().join("problems/double/solution.py")).expect("pick");
        let selection = read_json(&out.path().join("problems/double/selection.json"));
        (code.trim().to_owned(), selection)
    };
    let with_outputs = ["--inputs", inputs.to_str().expect("utf-8")];
    let (code, selection) = pick(&with_outputs);
    assert_eq!(code, double, "{selection}");
    let agreements: Vec<&Value> = selection["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| &g["agreements"])
        .collect();
    assert!(agreements.contains(&&serde_json::json!(2)), "{selection}");
    assert!(agreements.contains(&&serde_json::json!(0)), "{selection}");
    assert!(selection["pick"]["reason"]
        .as_str()
        .expect("reason")
        .contains("dual agreement"));
    // Without outputs, or with `--select majority`, the largest group wins.
    assert_eq!(pick(&[]).0, square);
    let majority = [&with_outputs[..], &["--select", "majority"]].concat();
    assert_eq!(pick(&majority).0, square);
}
