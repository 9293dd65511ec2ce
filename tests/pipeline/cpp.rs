//! C++ candidates through the whole pipeline: given in a candidates file (selection, eval,
//! submission) and written by a scripted model (generation, a compile error debugged, pick).

use super::scripted::{Script, ScriptedModel};
use super::{eval_json, read_json, results, run_ok, solve, start, stdio_problem};
use crate::common::solve_offline;

const SUM_CPP: &str = "#include <cstdio>\nint main(){ long long a, b; scanf(\"%lld %lld\", &a, &b); printf(\"%lld\\n\", a + b); }\n";
const DIFF_CPP: &str = "#include <cstdio>\nint main(){ long long a, b; scanf(\"%lld %lld\", &a, &b); printf(\"%lld\\n\", a - b); }\n";
const BROKEN_CPP: &str = "#include <cstdio>\nint main(){ long long a, b; scanf(\"%lld %lld\", &a, &b) printf(\"%lld\\n\", a + b); }\n";
const PRODUCT_PY: &str = "a, b = map(int, input().split())\nprint(a * b)\n";

/// The right answer to a Sum input: the sum of its numbers.
fn sum_of(input: &str) -> String {
    let numbers = input
        .split_whitespace()
        .filter_map(|x| x.parse::<i64>().ok());
    numbers.sum::<i64>().to_string()
}

fn sum_problem(set: &std::path::Path) {
    stdio_problem(
        &set.join("sum"),
        "Sum",
        &[("1 2", "3")],
        &[("5 5", "10"), ("7 2", "9"), ("100 -1", "99")],
    );
}

#[test]
fn cpp_candidates_go_through_selection_eval_and_the_submission() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (set, out) = (dir.path().join("set"), dir.path().join("run"));
    sum_problem(&set);
    // The compile error and the wrong programs (1 2 gives -1, or 2) fail in public; the two
    // right C++ programs agree and are picked as one group.
    let lines = [
        serde_json::json!({"id": "sum", "code": BROKEN_CPP, "language": "cpp"}),
        serde_json::json!({"id": "sum", "code": DIFF_CPP}),
        serde_json::json!({"id": "sum", "code": SUM_CPP}),
        serde_json::json!({"id": "sum", "code": PRODUCT_PY}),
        serde_json::json!({"id": "sum", "code": SUM_CPP.replace("a + b", "b + a")}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let candidates = dir.path().join("candidates.jsonl");
    std::fs::write(&candidates, text).expect("write");
    let output = solve_offline(&set, &out, &candidates, &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result = &results(&out)[0];
    assert_eq!(result["status"], "selected", "{result}");
    assert_eq!(
        result["candidates"], 2,
        "the compile error and the wrong ones fail in public"
    );
    assert_eq!(result["language"], "cpp", "{result}");
    let solution = out.join("problems/sum/solution.cpp");
    assert!(solution.exists(), "no solution.cpp");
    assert!(!out.join("problems/sum/solution.py").exists());
    let trace = std::fs::read_to_string(out.join("problems/sum/trace.jsonl")).expect("trace");
    let first: serde_json::Value =
        serde_json::from_str(trace.lines().next().expect("a line")).expect("json");
    assert_eq!(first["language"], "cpp");
    assert_eq!(first["public"][0]["verdict"], "compile_error");
    let submission = read_json(&out.join("submission.json"));
    assert_eq!(submission[0]["language"], "cpp", "{submission}");
    let report = eval_json(&out);
    assert_eq!(report["problems"]["sum"]["verdict"], "accepted", "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_model_answering_in_cpp_is_debugged_from_the_compiler_and_selected() {
    let server = start(ScriptedModel::new(vec![(
        "Sum",
        Script {
            programs: vec![BROKEN_CPP.into()],
            fix: Some(SUM_CPP.into()),
            truth: Some(sum_of),
            ..Script::default()
        },
    )]))
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (set, out) = (dir.path().join("set"), dir.path().join("run"));
    sum_problem(&set);
    run_ok(solve(&server.uri(), &set, &out, &["--language", "cpp"])).await;
    let result = &results(&out)[0];
    assert_eq!(result["status"], "selected", "{result}");
    assert_eq!(result["language"], "cpp");
    let solution =
        std::fs::read_to_string(out.join("problems/sum/solution.cpp")).expect("solution.cpp");
    assert_eq!(solution, SUM_CPP);
    let trace = std::fs::read_to_string(out.join("problems/sum/trace.jsonl")).expect("trace");
    let lines: Vec<serde_json::Value> = trace
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let first = lines.iter().find(|l| l["round"] == 0).expect("round 0");
    assert_eq!(first["public"][0]["verdict"], "compile_error");
    // The debug prompt carries the compiler's own words.
    let feedback = first["feedback"].as_str().expect("feedback");
    assert!(
        feedback.contains("does not compile") && feedback.contains("solution.cpp:2:"),
        "{feedback}"
    );
    assert!(lines
        .iter()
        .any(|l| l["round"] == 1 && l["language"] == "cpp" && l["public_passed"] == 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn cpp_programs_that_disagree_are_judged_on_their_real_outputs() {
    // Both pass the public test; 32-bit arithmetic overflows on the model's large input.
    let overflowing = SUM_CPP.replace("long long", "int").replace("%lld", "%d");
    let server = start(ScriptedModel::new(vec![(
        "Sum",
        Script {
            programs: vec![overflowing.clone(), SUM_CPP.into()],
            inputs: vec!["2000000000 2000000000".into(), "3 4".into()],
            truth: Some(sum_of),
            ..Script::default()
        },
    )]))
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (set, out) = (dir.path().join("set"), dir.path().join("run"));
    sum_problem(&set);
    run_ok(solve(&server.uri(), &set, &out, &["--language", "cpp"])).await;
    let solution =
        std::fs::read_to_string(out.join("problems/sum/solution.cpp")).expect("solution.cpp");
    assert_eq!(solution, SUM_CPP);
    let selection = read_json(&out.join("problems/sum/selection.json"));
    assert!(
        !selection["comparisons"]
            .as_array()
            .expect("comparisons")
            .is_empty(),
        "{selection}"
    );
    // The judge was shown C++ as C++.
    let requests = server.received_requests().await.unwrap_or_default();
    let judged: Vec<String> = requests
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .filter(|body| body.contains("Two programs disagree"))
        .collect();
    assert!(!judged.is_empty());
    assert!(
        judged.iter().all(|b| b.contains("Program A:\\n```cpp")),
        "{}",
        judged[0]
    );
}
