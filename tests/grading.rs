//! Grading through the real binary: Python's JSON numbers (`NaN`, `Infinity`) in tests and
//! return values, grouping by the problem's checker, and the `program` checker of function
//! problems.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{run_sstar, solve_offline, write_problem};

/// `sstar judge PROBLEM PROGRAM --json`: exit code and report.
fn judge(problem: &Path, program: &str) -> (Option<i32>, Value) {
    let file = problem.with_extension("py");
    std::fs::write(&file, program).expect("write program");
    let output = run_sstar(&[
        "judge",
        problem.to_str().expect("utf-8"),
        file.to_str().expect("utf-8"),
        "--json",
    ]);
    (output.status.code(), report(&output))
}

fn report(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "bad json ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// A function problem `f` whose tests are `(input, expected)` texts, all hidden.
fn function_problem(dir: &Path, checker: &str, tests: &[(&str, &str)]) {
    let manifest = format!(
        "title = \"F\"\nkind = \"function\"\nentry_point = \"f\"\nchecker = \"{checker}\"\n"
    );
    let mut files = vec![
        ("problem.toml".to_owned(), manifest),
        ("statement.md".to_owned(), "Return f(x).".to_owned()),
    ];
    for (n, (input, expected)) in tests.iter().enumerate() {
        files.push((format!("tests/hidden/{n}.in"), (*input).to_owned()));
        files.push((format!("tests/hidden/{n}.out"), (*expected).to_owned()));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_problem(dir, &refs);
}

#[test]
fn infinities_in_expected_and_returned_values_compare_exactly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for checker in ["lines", "float"] {
        let problem = tmp.path().join(checker);
        function_problem(
            &problem,
            checker,
            &[
                ("1\n", "Infinity\n"),
                ("2\n", "[1.5, -Infinity]\n"),
                ("3\n", "[NaN, \"inf\"]\n"),
                ("Infinity\n", "-Infinity\n"),
            ],
        );
        let right = "def f(x):\n    inf = float('inf')\n    return {1: inf, 2: (1.5, -inf), 3: [float('nan'), 'inf']}.get(x, -x)\n";
        let (code, report) = judge(&problem, right);
        assert_eq!(report["verdict"], "accepted", "{checker}: {report}");
        assert_eq!((code, report["passed"].as_u64()), (Some(0), Some(4)));

        // 1e308 is large, not infinite: wrong even within the float tolerance.
        let large = "def f(x):\n    big = 1e308\n    return {1: big, 2: (1.5, -big), 3: [float('nan'), 'inf']}.get(x, -x)\n";
        let (code, report) = judge(&problem, large);
        assert_eq!(code, Some(1), "{checker}: {report}");
        assert_eq!(report["verdict"], "wrong_answer");
        assert_eq!(report["tests"][0]["verdict"], "wrong_answer");

        // The string 'inf' is not the number.
        let text = "def f(x):\n    return 'inf'\n";
        let (_, report) = judge(&problem, text);
        assert_eq!(report["tests"][0]["verdict"], "wrong_answer", "{report}");
    }
}

#[test]
fn a_large_negative_number_is_not_minus_infinity() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let problem = tmp.path().join("p");
    function_problem(
        &problem,
        "float",
        &[("1\n", "Infinity"), ("2\n", "[1.5, -Infinity]")],
    );
    let (_, report) = judge(
        &problem,
        "def f(x):\n    return float('inf') if x == 1 else [1.5, -1e308]\n",
    );
    let verdicts: Vec<&str> = report["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| t["verdict"].as_str().expect("verdict"))
        .collect();
    assert_eq!(verdicts, ["accepted", "wrong_answer"], "{report}");
}

#[test]
fn float_answers_in_different_spellings_form_one_behaviour_group() {
    // x·π·1e-6: printed with ten decimals (0.0000031416) or as Python's repr
    // (3.141592653589793e-06), equal within the float checker's 1e-6. A third program is
    // right only for small x.
    let set = tempfile::tempdir().expect("set");
    write_problem(
        &set.path().join("tiny"),
        &[
            (
                "problem.toml",
                "title = \"Tiny\"\nkind = \"stdio\"\nchecker = \"float\"\n",
            ),
            ("statement.md", "Print x times pi times 1e-6."),
            ("tests/public/1.in", "1\n"),
            ("tests/public/1.out", "0.0000031416\n"),
        ],
    );
    let fixed = "import math\nx = float(input())\nprint(f'{x * math.pi * 1e-6:.10f}')";
    let repr = "import math\nx = float(input())\nprint(x * math.pi * 1e-6)";
    let small = "import math\nx = float(input())\nprint(x * math.pi * 1e-6 if x < 5 else 1)";
    let candidates = set.path().join("candidates.jsonl");
    let lines: Vec<String> = [fixed, repr, small]
        .iter()
        .map(|code| serde_json::json!({"id": "tiny", "code": code}).to_string())
        .collect();
    std::fs::write(&candidates, lines.join("\n")).expect("write candidates");
    let inputs = set.path().join("inputs.jsonl");
    std::fs::write(
        &inputs,
        "{\"id\": \"tiny\", \"input\": \"2\\n\", \"output\": \"6.283185307179586e-06\"}\n\
         {\"id\": \"tiny\", \"input\": \"10\\n\", \"output\": \"0.0000314159\"}\n",
    )
    .expect("write inputs");
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
    let selection: Value = serde_json::from_slice(
        &std::fs::read(out.path().join("problems/tiny/selection.json")).expect("selection"),
    )
    .expect("json");
    let groups = selection["groups"].as_array().expect("groups");
    let sizes: Vec<usize> = groups
        .iter()
        .map(|g| g["samples"].as_array().expect("samples").len())
        .collect();
    assert_eq!(sizes, [2, 1], "{selection}");
    // Both given expected outputs agree with the pair, spelled either way.
    assert_eq!(groups[0]["agreements"], 2, "{selection}");
    assert_eq!(groups[1]["agreements"], 1, "{selection}");
    let pick = std::fs::read_to_string(out.path().join("problems/tiny/solution.py")).expect("pick");
    assert_eq!(pick.trim(), fixed);
}
