//! Model-free selection finds bugs the mutated public inputs never reach: one problem per
//! generator family (stdio maximum size, stdio edge value, function empty list). In each,
//! the buggy program is listed first and all candidates agree on every mutation of the
//! public inputs, so the old rule (one behaviour group, its first member) picked the bug.

use std::path::Path;

use serde_json::{json, Value};

use super::{read_json, write_candidates};
use crate::common::{solve_offline, write_problem};

/// Solves `set` model-free with `programs` as candidates for `id`; returns the pick and the
/// problem's selection.json.
fn pick(set: &Path, id: &str, programs: &[&str]) -> (String, Value) {
    let candidates = set.join("candidates.jsonl");
    write_candidates(
        &candidates,
        &programs.iter().map(|code| (id, *code)).collect::<Vec<_>>(),
    );
    let out = tempfile::tempdir().expect("out");
    let output = solve_offline(set, out.path(), &candidates, &["--only", id]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dir = out.path().join("problems").join(id);
    let code = std::fs::read_to_string(dir.join("solution.py")).expect("pick");
    (
        code.trim().to_owned(),
        read_json(&dir.join("selection.json")),
    )
}

/// The pick is not `buggy`, an edge input split the groups where no mutation of a public input
/// did, and (when given) the input tagged `tag` is one that split them.
fn assert_found(code: &str, buggy: &str, selection: &Value, tag: Option<&str>) {
    assert_ne!(code, buggy, "{}", selection["pick"]);
    let inputs = selection["inputs"].as_array().expect("inputs");
    let split = |i: &&Value| i["splits"].as_u64().unwrap_or(0) > 0;
    let by = |source: &str| inputs.iter().filter(split).any(|i| i["source"] == source);
    assert!(by("edge") && !by("mutation"), "{inputs:?}");
    if let Some(tag) = tag {
        assert!(
            inputs.iter().filter(split).any(|i| i["tag"] == tag),
            "{inputs:?}"
        );
    }
}

fn stdio_sum_problem(dir: &Path) {
    write_problem(
        dir,
        &[
            (
                "problem.toml",
                "title = \"Sum\"\nkind = \"stdio\"\ntime_limit_ms = 4000\n",
            ),
            (
                "statement.md",
                "Print the sum of the numbers.\n\nInput: the first line holds `n`, the second \
                 `n` integers `a_i`.\n\n- `1 <= n <= 200000`\n- `-10^9 <= a_i <= 10^9`\n",
            ),
            ("tests/public/1.in", "3\n1 2 3\n"),
            ("tests/public/1.out", "6\n"),
            ("tests/public/2.in", "5\n5 4 3 2 1\n"),
            ("tests/public/2.out", "15\n"),
        ],
    );
}

#[test]
fn a_stdio_bug_at_the_maximum_size_is_found() {
    let set = tempfile::tempdir().expect("set");
    stdio_sum_problem(&set.path().join("sum"));
    // Reads at most 100000 numbers: right on every input but the largest ones.
    let capped = "import sys\nd = sys.stdin.read().split()\nprint(sum(map(int, d[1:100001])))";
    let right = "import sys\nd = sys.stdin.read().split()\nprint(sum(map(int, d[1:])))";
    let also = "n = int(input())\nprint(sum(int(x) for x in input().split()))";
    let (code, selection) = pick(set.path(), "sum", &[capped, right, also]);
    assert_found(&code, capped, &selection, Some("size-max"));
}

#[test]
fn a_stdio_bug_at_an_edge_value_is_found() {
    let set = tempfile::tempdir().expect("set");
    let dir = set.path().join("max");
    stdio_sum_problem(&dir);
    std::fs::write(
        dir.join("statement.md"),
        "Print the largest number.\n\nInput: the first line holds `n`, the second `n` \
         integers `a_i`.\n\n- `1 <= n <= 100`\n- `-10^9 <= a_i <= 10^9`\n",
    )
    .expect("statement");
    for (name, text) in [("1.out", "3\n"), ("2.out", "5\n")] {
        std::fs::write(dir.join("tests/public").join(name), text).expect("output");
    }
    // Starts from 0: wrong only when every number is negative.
    let zero = "n = int(input())\nbest = 0\nfor x in map(int, input().split()):\n    best = max(best, x)\nprint(best)";
    let right = "n = int(input())\nprint(max(map(int, input().split())))";
    let sorted = "n = int(input())\nprint(sorted(map(int, input().split()))[-1])";
    let (code, selection) = pick(set.path(), "max", &[zero, right, sorted]);
    assert_found(&code, zero, &selection, None);
}

#[test]
fn a_function_bug_on_the_empty_list_is_found() {
    let set = tempfile::tempdir().expect("set");
    write_problem(
        &set.path().join("peak"),
        &[
            (
                "problem.toml",
                "title = \"Peak\"\nkind = \"function\"\nentry_point = \"peak\"\n",
            ),
            (
                "statement.md",
                "Return the largest number of `xs`, or 0 when `xs` is empty.\n",
            ),
            (
                "starter.py",
                "from typing import List\n\ndef peak(xs: List[int]) -> int:\n    pass\n",
            ),
            ("tests/public/1.in", "[3, 1, 2]\n"),
            ("tests/public/1.out", "3\n"),
            ("tests/public/2.in", "[7, 7, 9, 1]\n"),
            ("tests/public/2.out", "9\n"),
        ],
    );
    let minus = "def peak(xs):\n    return max(xs, default=-1)";
    let right = "def peak(xs):\n    return max(xs) if xs else 0";
    let loop_ = "def peak(xs):\n    best = 0\n    for i, x in enumerate(xs):\n        best = x if i == 0 else max(best, x)\n    return best";
    let (code, selection) = pick(set.path(), "peak", &[minus, right, loop_]);
    assert_found(&code, minus, &selection, Some("arg0-empty"));
    let counts = &selection["input_counts"];
    assert!(
        counts["run"].as_u64() <= counts["generated"].as_u64(),
        "{counts}"
    );
    assert!(
        counts["executions"].as_u64() <= counts["budget"].as_u64(),
        "{counts}"
    );
}

/// The sum problem under `time_limit_ms`, solved offline among `programs`: the set and run.
fn solve_sum(time_limit_ms: u64, programs: &[&str]) -> (tempfile::TempDir, tempfile::TempDir) {
    let set = tempfile::tempdir().expect("set");
    let dir = set.path().join("sum");
    stdio_sum_problem(&dir);
    std::fs::write(
        dir.join("problem.toml"),
        format!("title = \"Sum\"\nkind = \"stdio\"\ntime_limit_ms = {time_limit_ms}\n"),
    )
    .expect("limits");
    let candidates = set.path().join("candidates.jsonl");
    let lines: Vec<(&str, &str)> = programs.iter().map(|p| ("sum", *p)).collect();
    write_candidates(&candidates, &lines);
    let out = tempfile::tempdir().expect("out");
    let output = solve_offline(set.path(), out.path(), &candidates, &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (set, out)
}

#[test]
fn a_program_that_hangs_where_the_others_answer_stops_being_run() {
    // Answers the public tests (n = 3 and n = 5) and spins on every other input.
    let hangs = "import sys\nd = sys.stdin.read().split()\nif d[0] not in ('3', '5'):\n    while True:\n        pass\nprint(sum(map(int, d[1:])))";
    let right = "import sys\nd = sys.stdin.read().split()\nprint(sum(map(int, d[1:])))";
    let also = "n = int(input())\nprint(sum(int(x) for x in input().split()))";
    let (_set, out) = solve_sum(500, &[hangs, right, also]);
    let problem = out.path().join("problems/sum");
    let pick = std::fs::read_to_string(problem.join("solution.py")).expect("pick");
    assert!([right, also].contains(&pick.trim()), "{pick}");
    let selection = read_json(&problem.join("selection.json"));
    let inputs = selection["inputs"].as_array().expect("inputs");
    // Every run that hit the time limit is in the execution cache: only the first few inputs
    // the others answered (a batch at most), not all of them.
    let log = std::fs::read_to_string(out.path().join("cache/exec.log")).expect("exec.log");
    let timed_out = log.matches("\"kind\":\"time_limit\"").count();
    assert!(inputs.len() > 12, "{} inputs", inputs.len());
    assert!(
        timed_out <= 6,
        "{timed_out} runs hit the time limit of {} inputs",
        inputs.len()
    );
    // It answers no kept input: left out of the groups, as a program that always fails.
    assert_eq!(
        selection["always_failing"],
        serde_json::json!([0]),
        "{selection:#}"
    );
}

#[test]
fn a_program_far_slower_than_the_others_times_out_at_a_limit_derived_from_theirs() {
    // Right, and within the problem's 3 s, but it spins 1.6 s of CPU on every input: where
    // the others answer in milliseconds, the limit it runs under is the 1 s floor.
    let slow = "import sys, time\nt = time.process_time()\nwhile time.process_time() - t < 1.6:\n    pass\nd = sys.stdin.read().split()\nprint(sum(map(int, d[1:])))";
    let right = "import sys\nd = sys.stdin.read().split()\nprint(sum(map(int, d[1:])))";
    let also = "n = int(input())\nprint(sum(int(x) for x in input().split()))";
    let third = "input()\nprint(sum(map(int, input().split())))";
    let (_set, out) = solve_sum(3000, &[right, also, third, slow]);
    let pick = std::fs::read_to_string(out.path().join("problems/sum/solution.py")).expect("pick");
    assert_ne!(pick.trim(), slow);
    // Its public runs finish (1.6 s < 3 s); on synthesized inputs it times out near 1 s, a
    // few times at most, and never costs the problem's full limit. So it stands apart from
    // the programs it agrees with.
    let selection = read_json(&out.path().join("problems/sum/selection.json"));
    let groups = selection["groups"].as_array().expect("groups");
    let with_others = groups.iter().any(|g| {
        g["samples"]
            .as_array()
            .is_some_and(|s| s.contains(&json!(3)) && s.len() > 1)
    });
    assert!(!with_others, "{selection:#}");
    let log = std::fs::read_to_string(out.path().join("cache/exec.log")).expect("exec.log");
    let runs: Vec<Value> = log
        .lines()
        .filter_map(|line| serde_json::from_str(line.split_once(' ')?.1).ok())
        .collect();
    let cpu = |run: &Value| {
        run["cpu"]["secs"].as_f64().unwrap_or(0.0)
            + run["cpu"]["nanos"].as_f64().unwrap_or(0.0) / 1e9
    };
    // The cache keeps CPU time limits only (a wall-clock one depends on the machine's load).
    let timed_out: Vec<f64> = runs
        .iter()
        .filter(|r| r["termination"]["kind"] == "time_limit")
        .map(cpu)
        .collect();
    assert!(timed_out.len() <= 6, "{timed_out:?}");
    assert!(
        timed_out.iter().all(|&s| s < 1.5),
        "time limits on synthesized inputs are derived from the others' times: {timed_out:?}"
    );
}
