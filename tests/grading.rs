//! Grading through the real binary: Python's JSON numbers (`NaN`, `Infinity`) in tests and
//! return values, grouping by the problem's checker, and the `program` checker of function
//! problems.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{run_sstar, write_problem};

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
