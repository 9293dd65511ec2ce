//! The model-written input generators end to end: the seeded generator's inputs tell apart
//! candidates no other source separates, the stress input decides by the time-limit rule, and
//! generators that crash, loop or print garbage leave the run whole.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use super::scripted::{Script, ScriptedModel};
use super::{read_json, results, run, run_ok, solve, start, stdio_problem};

/// `n`, then `n` integers: print their sum. The statement states no bounds, so the model-free
/// sources stay near the public sizes (a handful of one- and two-digit numbers).
fn sum_problem(set: &Path) {
    stdio_problem(
        &set.join("sum"),
        "Sum",
        &[("3\n1 2 3", "6"), ("2\n10 20", "30")],
        &[("4\n1 2 3 4", "10")],
    );
}

fn sum_of(input: &str) -> String {
    let numbers: Vec<i64> = input
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    let n = numbers.first().map_or(0, |&n| n as usize);
    numbers.iter().skip(1).take(n).sum::<i64>().to_string()
}

/// Right on any input.
const SUM: &str = "import sys\ndata = sys.stdin.read().split()\nn = int(data[0])\nxs = list(map(int, data[1:n + 1]))\nprint(sum(xs))";
/// Reads one 256-byte buffer: the same answers as [`SUM`] on every input shorter than that
/// (parsing alike, so malformed inputs fail alike too).
const SUM_BUFFERED: &str = "import sys\ndata = sys.stdin.read(256).split()\nn = int(data[0])\nxs = list(map(int, data[1:n + 1]))\nprint(sum(xs))";
/// Right, but quadratic: fine on small inputs, far over the time limit on the stress input.
const SUM_QUADRATIC: &str = "import sys\ndata = sys.stdin.read().split()\nn = int(data[0])\nxs = list(map(int, data[1:n + 1]))\ntotal = 0\nfor i in range(len(xs)):\n    total += sum(xs[:i + 1]) - sum(xs[:i])\nprint(total)";

/// 300 one-digit numbers (~600 bytes): past the buffer, within what a judge prompt quotes whole.
const MEDIUM_GENERATOR: &str = "import random, sys\nrandom.seed(int(sys.argv[1]))\nn = 300\nprint(n)\nprint(' '.join(str(random.randint(1, 9)) for _ in range(n)))";
/// 200 000 numbers: instant for a linear program, hopeless for a quadratic one.
const STRESS_GENERATOR: &str = "import random, sys\nrandom.seed(int(sys.argv[1]))\nn = 200000\nprint(n)\nprint(' '.join(str(random.randint(1, 9)) for _ in range(n)))";

fn inputs(selection: &Value) -> &Vec<Value> {
    selection["inputs"].as_array().expect("inputs")
}

fn from(selection: &Value, source: &str) -> Vec<usize> {
    inputs(selection)
        .iter()
        .enumerate()
        .filter(|(_, i)| i["source"] == source)
        .map(|(k, _)| k)
        .collect()
}

fn solution(out: &Path, id: &str) -> String {
    std::fs::read_to_string(out.join("problems").join(id).join("solution.py"))
        .expect("solution")
        .trim()
        .to_owned()
}

fn judge_requests(requests: &[wiremock::Request]) -> usize {
    requests
        .iter()
        .filter(|r| String::from_utf8_lossy(&r.body).contains("Two programs disagree"))
        .count()
}

/// Model calls of `stage` recorded in the run's ledger.
fn ledger_calls(out: &Path, stage: &str) -> u64 {
    let ledger = read_json(&out.join("ledger.json"));
    let found = ledger["by_stage"][stage]["calls"].as_u64();
    found.unwrap_or_else(|| panic!("no {stage} calls in {ledger:#}"))
}

/// Solves the sum problem against a scripted model whose samples are three copies of `wrong`
/// and one [`SUM`] (with `script` adding the generator under test); returns the model's server
/// (for its requests) and the run directory.
async fn solve_sum(
    wrong: &str,
    script: impl FnOnce(&mut Script),
) -> (wiremock::MockServer, tempfile::TempDir) {
    let mut sum = Script {
        programs: vec![wrong.into(), wrong.into(), wrong.into(), SUM.into()],
        inputs: vec!["4\n1 1 1 1".into(), "1\n7".into()],
        truth: Some(sum_of),
        ..Script::default()
    };
    script(&mut sum);
    let server = start(ScriptedModel::new(vec![("Sum", sum)])).await;
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    sum_problem(set.path());
    run_ok(solve(
        &server.uri(),
        set.path(),
        out.path(),
        &["--rounds", "0"],
    ))
    .await;
    (server, out)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_generators_inputs_split_candidates_nothing_else_tells_apart() {
    // Three samples read a 256-byte buffer, one reads everything: only the generator writes
    // inputs that long, so only its inputs can show the judge they differ.
    let (_server, out) = solve_sum(SUM_BUFFERED, |script| {
        script.generator = Some(MEDIUM_GENERATOR.into());
    })
    .await;
    let selection = read_json(&out.path().join("problems/sum/selection.json"));
    // The generator ran once per seed, each seed printing its own input, all of them kept.
    let generated = from(&selection, "generator");
    let seeds: BTreeSet<u64> = generated
        .iter()
        .map(|&k| inputs(&selection)[k]["seed"].as_u64().expect("seed"))
        .collect();
    assert_eq!(seeds, (1..=5).collect(), "{selection:#}");
    for &k in &generated {
        let record = &inputs(&selection)[k];
        assert_eq!(record["kept"], true, "{record}");
        let file = out
            .path()
            .join("problems/sum")
            .join(record["file"].as_str().expect("file"));
        let text = std::fs::read_to_string(file).expect("saved input");
        assert_eq!(text.split_whitespace().count(), 301, "{record}");
    }
    assert_eq!(ledger_calls(out.path(), "generator"), 1);
    // Other sources ran too, but only generated inputs split the candidates.
    assert!(inputs(&selection).len() > generated.len(), "{selection:#}");
    let splitting: Vec<usize> = (0..inputs(&selection).len())
        .filter(|&k| inputs(&selection)[k]["splits"].as_u64() > Some(0))
        .collect();
    assert!(!splitting.is_empty(), "{selection:#}");
    assert!(
        splitting.iter().all(|k| generated.contains(k)),
        "an input from another source split the groups: {selection:#}"
    );
    // The judge was shown a generated input and sided with the lone full reader.
    let groups = selection["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 2, "{selection:#}");
    let comparisons = selection["comparisons"].as_array().expect("comparisons");
    assert_eq!(comparisons.len(), 1, "{selection:#}");
    assert_eq!(comparisons[0]["decided_by"], "model", "{selection:#}");
    let shown = comparisons[0]["input"].as_u64().expect("input shown") as usize;
    assert!(generated.contains(&shown), "{selection:#}");
    assert_eq!(selection["pick"]["sample"], 3, "{selection:#}");
    assert_eq!(solution(out.path(), "sum"), SUM);
    assert_eq!(results(out.path())[0]["status"], "selected");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_time_limit_on_the_stress_input_loses_to_a_fast_program_without_a_judge() {
    // Three samples are quadratic, one linear: the same answer on every input but the stress
    // input, where the quadratic ones run out of time.
    let (server, out) = solve_sum(SUM_QUADRATIC, |script| {
        script.stress = Some(STRESS_GENERATOR.into());
    })
    .await;
    let selection = read_json(&out.path().join("problems/sum/selection.json"));
    // One stress input, from seed 1, kept although most candidates time out on it (a time
    // limit is not a crash).
    let stress = from(&selection, "stress");
    assert_eq!(stress.len(), 1, "{selection:#}");
    let record = &inputs(&selection)[stress[0]];
    assert_eq!(record["seed"], 1, "{record}");
    assert_eq!(record["kept"], true, "{record}");
    assert!(
        record["bytes"].as_u64().expect("bytes") > 200_000,
        "{record}"
    );
    assert!(from(&selection, "generator").is_empty(), "{selection:#}");
    assert_eq!(ledger_calls(out.path(), "stress_generator"), 1);
    // Only the stress input tells the two apart; the time limit decides, nobody is asked.
    let splitting: Vec<usize> = (0..inputs(&selection).len())
        .filter(|&k| inputs(&selection)[k]["splits"].as_u64() > Some(0))
        .collect();
    assert_eq!(splitting, stress, "{selection:#}");
    let comparisons = selection["comparisons"].as_array().expect("comparisons");
    assert_eq!(comparisons.len(), 1, "{selection:#}");
    assert_eq!(comparisons[0]["decided_by"], "time_limit", "{selection:#}");
    assert_eq!(comparisons[0]["input"], stress[0], "{selection:#}");
    assert_eq!(
        comparisons[0]["answers"],
        serde_json::json!([null, null]),
        "{selection:#}"
    );
    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(judge_requests(&requests), 0, "a judge was asked");
    let groups = selection["groups"].as_array().expect("groups");
    let slow = groups
        .iter()
        .find(|g| g["samples"] == serde_json::json!([0, 1, 2]))
        .unwrap_or_else(|| panic!("no group of the quadratic samples: {selection:#}"));
    assert_eq!(slow["wins"], 0, "{selection:#}");
    assert_eq!(
        slow["outputs"],
        serde_json::json!(["(time limit exceeded: CPU time)"]),
        "{selection:#}"
    );
    assert_eq!(selection["pick"]["sample"], 3, "{selection:#}");
    assert_eq!(solution(out.path(), "sum"), SUM);
}

#[tokio::test(flavor = "multi_thread")]
async fn generators_that_crash_loop_or_print_garbage_leave_the_run_whole() {
    // |x| again, twice: the model's inputs and the judge still find the right program.
    let abs = |generator: &str, stress: &str| Script {
        generator: Some(generator.into()),
        stress: Some(stress.into()),
        ..super::abs_script()
    };
    let crashing = "import sys\nraise SystemExit('no input for seed ' + sys.argv[1])";
    let silent = "import sys";
    let garbage =
        "import sys\nsys.stdout.buffer.write(b'\\xff\\x00 not an input ' + sys.argv[1].encode())";
    let looping = "while True:\n    pass";
    let server = start(ScriptedModel::new(vec![
        ("Absolute", abs(crashing, silent)),
        ("Absolute twice", abs(garbage, looping)),
    ]))
    .await;
    let (set, out) = (
        tempfile::tempdir().expect("set"),
        tempfile::tempdir().expect("out"),
    );
    super::abs_problem(set.path());
    stdio_problem(
        &set.path().join("abs2"),
        "Absolute twice",
        &[("3", "3"), ("10", "10")],
        &[("-4", "4"), ("7", "7")],
    );
    let mut command = solve(&server.uri(), set.path(), out.path(), &["--rounds", "0"]);
    command.env("SSTAR_LOG", "sstar=debug");
    let output = run(command).await;
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{log}");
    let finished = results(out.path());
    for id in ["abs", "abs2"] {
        let result = finished
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} did not finish: {finished:?}"));
        assert_eq!(result["status"], "selected", "{result}");
        assert_eq!(solution(out.path(), id), "print(abs(int(input())))");
    }
    assert_eq!(ledger_calls(out.path(), "generator"), 2);
    assert_eq!(ledger_calls(out.path(), "stress_generator"), 2);
    // A crash on every seed and an empty stress input: no input from either.
    let crashed = read_json(&out.path().join("problems/abs/selection.json"));
    assert!(from(&crashed, "generator").is_empty(), "{crashed:#}");
    assert!(from(&crashed, "stress").is_empty(), "{crashed:#}");
    for seed in 1..=5 {
        assert!(
            log.contains(&format!("abs: generator seed {seed}: RuntimeError")),
            "{log}"
        );
    }
    assert!(
        log.contains("abs: stress_generator seed 1: Finished"),
        "{log}"
    );
    // Garbage is recorded as run and dropped (no candidate answers it); the endless stress
    // generator is stopped at its time limit and gives nothing.
    let garbled = read_json(&out.path().join("problems/abs2/selection.json"));
    let generated = from(&garbled, "generator");
    assert_eq!(generated.len(), 5, "{garbled:#}");
    for &k in &generated {
        assert_eq!(inputs(&garbled)[k]["kept"], false, "{garbled:#}");
    }
    assert!(from(&garbled, "stress").is_empty(), "{garbled:#}");
    assert!(
        log.contains("abs2: stress_generator seed 1: TimeLimit"),
        "{log}"
    );
}
