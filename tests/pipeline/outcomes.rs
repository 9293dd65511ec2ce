//! Honest outcomes of `sstar solve`: exit codes (0 all selected, 1 some problem errored,
//! found no candidate or was malformed, 2 tool error or a refusing endpoint, 130
//! interrupted), the summary's counts, resume across an endpoint move, and what the run
//! directory keeps of a failed answer or a synthesized input.

use std::path::Path;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::scripted::ScriptedModel;
use super::{
    abs_problem, abs_script, add_problem, add_script, read_json, results, run, solve, start,
    stdio_problem, write_candidates,
};
use crate::common::{solve_offline, sstar, write_problem};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A server that answers every completion request with `status` and an OpenAI-style error.
async fn refusing(status: u16, message: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(status).set_body_json(
            serde_json::json!({"error": {"message": message, "type": "invalid_request_error"}}),
        ))
        .mount(&server)
        .await;
    server
}

fn three_problems(set: &Path) {
    for id in ["p1", "p2", "p3"] {
        stdio_problem(&set.join(id), id, &[("1", "1")], &[("2", "2")]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_key_or_an_unknown_model_stops_the_run_at_once_with_exit_2() {
    for (status, message) in [
        (401, "Incorrect API key provided"),
        (404, "The model `scripted` does not exist"),
    ] {
        let server = refusing(status, message).await;
        let (set, out) = (
            tempfile::tempdir().expect("set"),
            tempfile::tempdir().expect("out"),
        );
        three_problems(set.path());
        let flags = ["--problem-concurrency", "1", "--rounds", "0"];
        let output = run(solve(&server.uri(), set.path(), out.path(), &flags)).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{status}: {stderr}");
        assert!(stderr.contains("refuses every call"), "{stderr}");
        assert!(stderr.contains(&status.to_string()), "{stderr}");
        // Not retried for every problem: the first refusal ends the run, and no problem is
        // recorded as finished (a resume with a good key redoes them).
        let requests = server.received_requests().await.unwrap_or_default().len();
        // (At most the first problem's four samples were in flight; three problems ask 12.)
        assert!(requests <= 4, "{status}: {requests} requests");
        assert!(results(out.path()).is_empty());
        assert!(
            out.path().join("ledger.json").is_file(),
            "the bill so far is kept"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_is_down_errors_every_problem_with_exit_1_and_says_a_rerun_retries() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    add_problem(set.path());
    let flags = ["--max-attempts", "1"];
    let output = run(solve(
        &format!("http://127.0.0.1:{port}"),
        set.path(),
        out.path(),
        &flags,
    ))
    .await;
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(
        stdout.contains("1 problems: 0 selected, 0 no candidate, 1 errored"),
        "{stdout}"
    );
    assert!(
        stdout.contains("errored: add (run the same command again"),
        "{stdout}"
    );
}

#[test]
fn no_endpoint_and_no_key_is_a_clear_error_not_a_request_to_a_default_host() {
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    add_problem(set.path());
    let output = sstar()
        .args(["solve", set.path().to_str().expect("utf-8"), "--out"])
        .arg(out.path())
        .args(["--model", "gpt-x"])
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("SSTAR_MODEL")
        .output()
        .expect("run sstar");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no endpoint: pass --base-url"), "{stderr}");
    assert!(!out.path().join("run.json").exists(), "nothing was started");
}

#[test]
fn an_empty_set_or_a_problem_directory_given_as_the_set_is_exit_2() {
    let empty = tempfile::tempdir().expect("set");
    let set = tempfile::tempdir().expect("set");
    add_problem(set.path());
    let candidates = set.path().join("candidates.jsonl");
    write_candidates(
        &candidates,
        &[("add", "print(sum(map(int, input().split())))")],
    );
    for (dir, says) in [
        (empty.path().to_path_buf(), "no problem in it"),
        (set.path().join("add"), "this is a problem directory"),
    ] {
        let out = tempfile::tempdir().expect("out");
        let output = solve_offline(&dir, out.path(), &candidates, &[]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
}

#[test]
fn malformed_problems_are_counted_and_named_in_the_summary() {
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    add_problem(set.path());
    write_problem(
        &set.path().join("bad-toml"),
        &[("problem.toml", "title = \n")],
    );
    write_problem(
        &set.path().join("no-statement"),
        &[("problem.toml", "title = \"x\"\nkind = \"stdio\"\n")],
    );
    let candidates = set.path().join("candidates.jsonl");
    write_candidates(
        &candidates,
        &[("add", "print(sum(map(int, input().split())))")],
    );
    let output = solve_offline(set.path(), out.path(), &candidates, &[]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(
        stdout
            .contains("3 problems: 1 selected, 0 no candidate, 0 errored, 2 malformed (see above)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("malformed: bad-toml, no-statement"),
        "{stdout}"
    );
    // A set of malformed problems only has nothing to run: a tool error.
    std::fs::remove_dir_all(set.path().join("add")).expect("rm");
    let out = tempfile::tempdir().expect("out");
    let output = solve_offline(set.path(), out.path(), &candidates, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("2 malformed"),
        "{}",
        text(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_resumes_after_the_model_server_moved_to_another_port() {
    let first = start(ScriptedModel::new(vec![("Absolute", abs_script())])).await;
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    abs_problem(set.path());
    add_problem(set.path());
    // The first server knows one problem only: the other errors, to be retried.
    let flags = ["--rounds", "0", "--max-attempts", "1"];
    let output = run(solve(&first.uri(), set.path(), out.path(), &flags)).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let moved = start(ScriptedModel::new(vec![
        ("Absolute", abs_script()),
        ("Add two", add_script()),
    ]))
    .await;
    assert_ne!(first.uri(), moved.uri());
    // Another port, another concurrency: the same run.
    let flags = ["--rounds", "0", "--max-attempts", "1", "--concurrency", "3"];
    let output = run(solve(&moved.uri(), set.path(), out.path(), &flags)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let lines = results(out.path());
    assert_eq!(lines.last().expect("result")["id"], "add");
    assert_eq!(lines.last().expect("result")["status"], "selected");
    // The ledger covers both sessions, not only the last one.
    let ledger = read_json(&out.path().join("ledger.json"));
    for id in ["abs", "add"] {
        assert!(
            ledger["by_problem"][id]["calls"].as_u64().unwrap_or(0) > 0,
            "{id}: {ledger}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_is_exit_130_and_keeps_the_ledger() {
    let server = start(
        ScriptedModel::new(vec![("Add two", add_script())])
            .delayed(std::time::Duration::from_secs(60)),
    )
    .await;
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    add_problem(set.path());
    let child = solve(&server.uri(), set.path(), out.path(), &[])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // Wait until the model has been asked: the run is in the middle of its work.
    for _ in 0..600 {
        if !server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("join")
        .expect("wait");
    assert_eq!(output.status.code(), Some(130), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("interrupted"));
    assert!(out.path().join("ledger.json").is_file());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_without_code_is_kept_whole_in_the_trace() {
    let server = MockServer::start().await;
    let reply = "I would rather explain the idea: add the two numbers.";
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "id": "x", "object": "chat.completion", "created": 1, "model": "scripted",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        })))
        .mount(&server)
        .await;
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    add_problem(set.path());
    let output = run(solve(&server.uri(), set.path(), out.path(), &[])).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let trace =
        std::fs::read_to_string(out.path().join("problems/add/trace.jsonl")).expect("trace");
    let line: serde_json::Value =
        serde_json::from_str(trace.lines().next().expect("line")).expect("json");
    assert_eq!(line["status"], "no_code");
    assert_eq!(line["reply"], reply);
}

#[test]
fn every_synthesized_input_is_kept_whole_and_results_spell_the_method_as_typed() {
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    // A long public input, so mutated inputs are longer than selection.json's preview.
    let numbers: Vec<String> = (1..=300).map(|i| i.to_string()).collect();
    let input = format!("300\n{}", numbers.join(" "));
    stdio_problem(
        &set.path().join("sum"),
        "Sum",
        &[(&input, "45150")],
        &[("1\n5", "5")],
    );
    let candidates = set.path().join("candidates.jsonl");
    let programs = [
        ("sum", "input()\nprint(sum(map(int, input().split())))"),
        (
            "sum",
            "n = int(input())\nprint(sum(int(x) for x in input().split()[:n]))",
        ),
    ];
    write_candidates(&candidates, &programs);
    let output = solve_offline(
        set.path(),
        out.path(),
        &candidates,
        &["--select", "majority"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let problem = out.path().join("problems/sum");
    let selection = read_json(&problem.join("selection.json"));
    let inputs = selection["inputs"].as_array().expect("inputs");
    assert!(!inputs.is_empty());
    let mut longer_than_preview = 0;
    for record in inputs {
        let file = problem.join(record["file"].as_str().expect("file"));
        let bytes = std::fs::read(&file).expect("input file");
        assert_eq!(bytes.len() as u64, record["bytes"].as_u64().expect("bytes"));
        if bytes.len() > 200 {
            longer_than_preview += 1;
        }
    }
    assert!(longer_than_preview > 0, "{selection}");
    assert_eq!(selection["method"], "majority");
    assert_eq!(results(out.path())[0]["select"], "majority");
    let judged = tempfile::tempdir().expect("out");
    let output = solve_offline(
        set.path(),
        judged.path(),
        &candidates,
        &["--select", "llm-judge"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(results(judged.path())[0]["select"], "llm-judge");
    assert_eq!(
        read_json(&judged.path().join("run.json"))["settings"]["pipeline"]["select"],
        "llm-judge"
    );
}
