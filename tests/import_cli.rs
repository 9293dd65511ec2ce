//! `sstar import` through the real binary: team-written LiveCodeBench, CodeContests and APPS
//! fixtures (tests/fixtures/import), skips with row numbers, exit codes, and round trips of the
//! real HumanEval and MBPP+ files in ../shared/data (ignored unless asked for, since they need
//! it): every imported reference solution must be accepted by `sstar verify`.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::run_sstar;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn shared_data(relative: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(relative);
    crate::common::require(path.is_file(), &path.display().to_string());
    path
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn import(format: &str, input: &Path, set: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "import",
        format,
        input.to_str().expect("utf-8"),
        set.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(extra);
    run_sstar(&args)
}

/// `imported N, skipped M` from the summary's first line.
fn counts(output: &Output) -> (usize, usize) {
    let stdout = text(&output.stdout);
    let first = stdout.lines().next().unwrap_or_default().to_owned();
    let numbers: Vec<usize> = first
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        first.starts_with("imported ") && numbers.len() >= 2,
        "summary: {stdout}\nstderr: {}",
        text(&output.stderr)
    );
    (numbers[0], numbers[1])
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `NAME.in`/`NAME.out` of a tests directory, in name order.
fn tests_in(dir: &Path) -> Vec<(String, String)> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".in")
                .map(str::to_owned)
        })
        .collect();
    names.sort_by_key(|n| n.parse::<usize>().unwrap_or(usize::MAX));
    names
        .iter()
        .map(|n| {
            (
                read(&dir.join(format!("{n}.in"))),
                read(&dir.join(format!("{n}.out"))),
            )
        })
        .collect()
}

fn pairs(tests: &[(&str, &str)]) -> Vec<(String, String)> {
    tests
        .iter()
        .map(|(i, o)| (i.to_string(), o.to_string()))
        .collect()
}

/// `sstar verify SET`: exit code and the summary line.
fn verify(set: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["verify", set.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    let output = run_sstar(&args);
    let stdout = text(&output.stdout);
    let summary = stdout.lines().last().unwrap_or_default().to_owned();
    (output.status.code(), summary)
}

#[test]
fn livecodebench_fixture_imports_to_exactly_the_tests_it_encodes() {
    let set = tempfile::tempdir().expect("temp dir");
    let output = import(
        "livecodebench",
        &fixture("livecodebench.jsonl"),
        set.path(),
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(counts(&output), (3, 0));
    // No id needed renaming, so no mapping file.
    assert!(!set.path().join("ids.json").exists());

    // The same tests make_livecodebench.py encodes (private ones pickled); LCB grades on
    // public + private, so hidden holds both.
    let expected = [
        (
            "abc999_a",
            vec![("3 5\n", "8\n")],
            vec![
                ("3 5\n", "8\n"),
                ("-1 1\n", "0\n"),
                ("1000000000 1000000000\n", "2000000000\n"),
            ],
        ),
        (
            "9001",
            vec![("[1, 2, 3, 4]\n0", "6")],
            vec![
                ("[1, 2, 3, 4]\n0", "6"),
                ("[]\n5", "0"),
                ("[2, 8, -4]\n3", "8"),
            ],
        ),
        (
            "1999_B",
            vec![("2\nab abc\n", "3\n")],
            vec![("2\nab abc\n", "3\n"), ("1\nz\n", "1\n")],
        ),
    ];
    for (id, public, hidden) in &expected {
        let dir = set.path().join(id);
        assert_eq!(
            tests_in(&dir.join("tests/public")),
            pairs(public),
            "{id} public"
        );
        assert_eq!(
            tests_in(&dir.join("tests/hidden")),
            pairs(hidden),
            "{id} hidden"
        );
    }

    let manifest = read(&set.path().join("9001/problem.toml"));
    for line in [
        "kind = \"function\"",
        "entry_point = \"Solution.sumOfEvens\"",
        "time_limit_ms = 6000",
        "source = \"leetcode\"",
        "difficulty = \"medium\"",
    ] {
        assert!(manifest.contains(line), "{line} not in\n{manifest}");
    }
    assert!(read(&set.path().join("9001/starter.py")).contains("def sumOfEvens(self"));
    let manifest = read(&set.path().join("abc999_a/problem.toml"));
    assert!(manifest.contains("kind = \"stdio\""), "{manifest}");
    assert!(
        manifest.contains("url = \"https://atcoder.jp/contests/abc999/tasks/abc999_a\""),
        "{manifest}"
    );
    assert!(!set.path().join("abc999_a/starter.py").exists());

    // Imported problems judge as LCB would: right programs are accepted.
    let solutions = [
        ("abc999_a", "a, b = map(int, input().split())\nprint(a + b)\n"),
        (
            "9001",
            "class Solution:\n    def sumOfEvens(self, nums: List[int], k: int) -> int:\n        return sum(x for x in nums if x % 2 == 0 and x >= k)\n",
        ),
        ("1999_B", "input()\nprint(max(map(len, input().split())))\n"),
    ];
    for (id, code) in solutions {
        let program = set.path().join(format!("{id}.py"));
        std::fs::write(&program, code).expect("write");
        let output = run_sstar(&[
            "judge",
            set.path().join(id).to_str().expect("utf-8"),
            program.to_str().expect("utf-8"),
        ]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{id}: {}{}",
            text(&output.stdout),
            text(&output.stderr)
        );
    }
}

#[test]
fn livecodebench_date_and_platform_filters() {
    let input = fixture("livecodebench.jsonl");
    let cases: [(&[&str], (usize, usize), &str); 4] = [
        (&["--since", "2024-05-01"], (2, 0), "filtered out 1"),
        (&["--until", "2024-05-11"], (2, 0), "filtered out 1"),
        (
            &["--since", "2024-04-01", "--until", "2024-06-30"],
            (1, 0),
            "filtered out 2",
        ),
        (
            &["--platform", "atcoder,codeforces"],
            (2, 0),
            "filtered out 1",
        ),
    ];
    for (flags, expected, filtered) in cases {
        let set = tempfile::tempdir().expect("temp dir");
        let output = import("livecodebench", &input, set.path(), flags);
        assert_eq!(counts(&output), expected, "{flags:?}");
        assert!(text(&output.stdout).contains(filtered), "{flags:?}");
    }
    let set = tempfile::tempdir().expect("temp dir");
    let output = import(
        "livecodebench",
        &input,
        set.path(),
        &["--since", "May 2024"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("--since must be a date"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn bad_rows_are_skipped_with_their_row_number_and_the_rest_imported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = read(&fixture("livecodebench.jsonl"))
        .lines()
        .next()
        .expect("a row")
        .to_owned();
    let unknown_testtype = good
        .replace("abc999_a", "abc999_b")
        .replace("\\\"stdin\\\"", "\\\"interactive\\\"");
    let bad_pickle = good.replace("abc999_a", "abc999_c").replace(
        "\"private_test_cases\": \"eJ",
        "\"private_test_cases\": \"!!",
    );
    let input = dir.path().join("rows.jsonl");
    std::fs::write(
        &input,
        format!("{good}\nnot json\n{unknown_testtype}\n\n{bad_pickle}\n{good}\n"),
    )
    .expect("write");
    let set = dir.path().join("set");
    let output = import("livecodebench", &input, &set, &[]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(counts(&output), (1, 4));
    let stderr = text(&output.stderr);
    for expected in [
        "row 2: skipped: bad row",
        "row 3 (abc999_b): skipped: unparsable tests: unknown testtype `interactive`",
        "row 5 (abc999_c): skipped: unparsable tests: private_test_cases",
        "row 6 (abc999_a): skipped: duplicate id `abc999_a`",
    ] {
        assert!(stderr.contains(expected), "{expected} not in\n{stderr}");
    }
    let stdout = text(&output.stdout);
    assert!(stdout.contains("skipped 2: unparsable tests"), "{stdout}");
    assert!(set.join("abc999_a/problem.toml").is_file());
}

#[test]
fn unreadable_input_and_unknown_format_exit_2() {
    let set = tempfile::tempdir().expect("temp dir");
    let output = import(
        "livecodebench",
        Path::new("/nonexistent/x.jsonl"),
        set.path(),
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("/nonexistent/x.jsonl"),
        "{}",
        text(&output.stderr)
    );
    let output = import("leetcode", &fixture("livecodebench.jsonl"), set.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("invalid value 'leetcode'"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn codecontests_fixture_imports_and_verifies() {
    let set = tempfile::tempdir().expect("temp dir");
    let output = import(
        "codecontests",
        &fixture("codecontests.jsonl"),
        set.path(),
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(counts(&output), (2, 0));
    // Names with spaces are sanitised; ids.json keeps the originals.
    let ids: serde_json::Value =
        serde_json::from_str(&read(&set.path().join("ids.json"))).expect("ids.json");
    assert_eq!(ids["1000_A._Add_Up"], "1000_A. Add Up");
    assert_eq!(ids["p99999_Reverse_Words"], "p99999 Reverse Words");

    let add = set.path().join("1000_A._Add_Up");
    assert_eq!(
        tests_in(&add.join("tests/public")),
        pairs(&[("3\n1 2 3\n", "6\n")])
    );
    // public + private + generated, the duplicate of a public test once.
    assert_eq!(
        tests_in(&add.join("tests/hidden")),
        pairs(&[
            ("3\n1 2 3\n", "6\n"),
            ("1\n-5\n", "-5\n"),
            ("2\n1000000000 1000000000\n", "2000000000\n"),
            ("4\n1 1 1 1\n", "4\n"),
        ])
    );
    // Python 3 (3 / "PYTHON3") and C++ (2 / "CPP") programs, not Python 2.
    let mut solutions: Vec<String> = std::fs::read_dir(add.join("solutions"))
        .expect("solutions")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    solutions.sort();
    assert_eq!(
        solutions,
        ["reference_1.py", "reference_cpp_1.cpp", "wrong_1.py"]
    );
    let manifest = read(&add.join("problem.toml"));
    for line in [
        "time_limit_ms = 2000",
        "memory_limit_mb = 256",
        "source = \"codeforces\"",
        "difficulty = \"800\"",
        "url = \"https://codeforces.com/problemset/problem/1000/A\"",
    ] {
        assert!(manifest.contains(line), "{line} not in\n{manifest}");
    }
    let manifest = read(&set.path().join("p99999_Reverse_Words/problem.toml"));
    assert!(manifest.contains("time_limit_ms = 1500"), "{manifest}");
    assert!(manifest.contains("memory_limit_mb = 128"), "{manifest}");

    let (code, summary) = verify(set.path(), &[]);
    assert_eq!(code, Some(0), "{summary}");
    assert_eq!(
        summary,
        "7 solutions: 7 as expected, 0 not; 0 malformed problems"
    );
}

#[test]
fn codecontests_skips_interactive_problems_and_rows_without_a_program_sstar_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("cc.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"name": "1_A. Guess", "description": "This is an interactive problem.", "public_tests": {"input": ["1\n"], "output": ["1\n"]}, "solutions": {"language": [3], "solution": ["print(1)"]}}"#,
            "\n",
            r#"{"name": "1_B. Java", "description": "Print 1.", "public_tests": {"input": ["\n"], "output": ["1\n"]}, "solutions": {"language": [4, 1], "solution": ["class A {}", "print 1"]}}"#,
            "\n",
        ),
    )
    .expect("write");
    let output = import("codecontests", &input, &dir.path().join("set"), &[]);
    assert_eq!(counts(&output), (0, 2));
    assert_eq!(
        output.status.code(),
        Some(1),
        "nothing imported is a negative answer"
    );
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("skipped 1: interactive problem"),
        "{stdout}"
    );
    assert!(
        stdout.contains("skipped 1: no python 3 or c++ solution"),
        "{stdout}"
    );
}

#[test]
fn apps_fixture_imports_and_verifies() {
    let set = tempfile::tempdir().expect("temp dir");
    let output = import("apps", &fixture("apps.jsonl"), set.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(counts(&output), (2, 0));
    // Stdio: the public tests are the leading ones the statement shows.
    let stdio = set.path().join("4001");
    assert_eq!(
        tests_in(&stdio.join("tests/public")),
        pairs(&[("2 3\n", "5\n")])
    );
    assert_eq!(tests_in(&stdio.join("tests/hidden")).len(), 3);
    // Call-based: `[[2, 4]]` is a wrapped `[2, 4]`, `[6]` is the value itself — the
    // reference solution tells which.
    let function = set.path().join("4002");
    assert_eq!(
        tests_in(&function.join("tests/hidden")),
        pairs(&[("[1, 2]\n", "[2, 4]"), ("[3]\n", "[6]"), ("[]\n", "[]")])
    );
    let manifest = read(&function.join("problem.toml"));
    assert!(
        manifest.contains("entry_point = \"double_all\""),
        "{manifest}"
    );
    assert!(manifest.contains("source = \"codewars\""), "{manifest}");
    assert_eq!(
        read(&function.join("starter.py")),
        "def double_all(xs):\n\t"
    );

    let (code, summary) = verify(set.path(), &[]);
    assert_eq!(code, Some(0), "{summary}");
    assert_eq!(
        summary,
        "3 solutions: 3 as expected, 0 not; 0 malformed problems"
    );
}

/// Text of every test of a problem: `(dir, in, out)` with `.in` lines joined by `|`.
fn listing(problem: &Path) -> Vec<(String, String, String)> {
    ["public", "hidden"]
        .iter()
        .flat_map(|dir| {
            tests_in(&problem.join("tests").join(dir))
                .into_iter()
                .map(|(i, o)| (dir.to_string(), i.trim_end().replace('\n', "|"), o))
        })
        .collect()
}

fn rows(expected: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    expected
        .iter()
        .map(|(d, i, o)| (d.to_string(), i.to_string(), o.to_string()))
        .collect()
}

#[test]
fn humaneval_fixture_records_check_calls_and_docstring_examples() {
    let set = tempfile::tempdir().expect("temp dir");
    let output = import("humaneval", &fixture("humaneval.jsonl"), set.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(counts(&output), (3, 0));
    // Tuples reach the judge as JSON lists; every call check() made is a hidden test,
    // the `>>>` examples are the public ones.
    assert_eq!(
        listing(&set.path().join("Team_0")),
        rows(&[
            ("public", "[[1, 2], [3, 4]]", "[3, 7]"),
            ("public", "[]", "[]"),
            ("hidden", "[[1, 2]]", "[3]"),
            ("hidden", "[[0, 0], [5, -5]]", "[0, 0]"),
            ("hidden", "[[0, 0]]", "[0]"),
            ("hidden", "[[1, 1]]", "[2]"),
            ("hidden", "[[2, 2]]", "[4]"),
        ])
    );
    // `mean([4]) ==> 5.0` disagrees with the reference and is dropped; floats mean the
    // float checker.
    let mean = set.path().join("Team_1");
    assert_eq!(
        listing(&mean),
        rows(&[
            ("public", "[1, 2]", "1.5"),
            ("hidden", "[1.0, 2.0, 4.0]", "2.3333333333333335"),
            ("hidden", "[0]", "0.0"),
        ])
    );
    // `abs(candidate(..) - 7 / 3) < 1e-9`: the float checker, with the asserted tolerance.
    let manifest = read(&mean.join("problem.toml"));
    assert!(manifest.contains("checker = \"float\""), "{manifest}");
    assert!(
        manifest.contains("float_tolerance = 0.000000001"),
        "{manifest}"
    );
    assert_eq!(
        read(&mean.join("starter.py")),
        read(&mean.join("statement.md"))
    );
    let (code, summary) = verify(set.path(), &[]);
    assert_eq!(code, Some(0), "{summary}");
}

/// `sstar judge PROBLEM PROGRAM`: exit code and stdout.
fn judge(problem: &Path, program: &str) -> (Option<i32>, String) {
    let file = problem.with_extension("py");
    std::fs::write(&file, program).expect("write program");
    let output = run_sstar(&[
        "judge",
        problem.to_str().expect("utf-8"),
        file.to_str().expect("utf-8"),
    ]);
    (
        output.status.code(),
        format!("{}{}", text(&output.stdout), text(&output.stderr)),
    )
}

#[test]
fn humaneval_property_asserts_become_a_checker_not_equality_with_the_reference() {
    // Team/2 (`some_root`, in the style of HumanEval/32's find_zero): check() asserts that
    // the answer is a root, `abs(value(b, c, root)) < 1e-9`; the reference returns the larger
    // root, and any root must pass.
    let set = tempfile::tempdir().expect("temp dir");
    let output = import(
        "humaneval",
        &fixture("humaneval.jsonl"),
        set.path(),
        &["-vv"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let problem = set.path().join("Team_2");
    let manifest = read(&problem.join("problem.toml"));
    assert!(manifest.contains("checker = \"program\""), "{manifest}");
    assert!(read(&problem.join("checker.py")).contains("def check(candidate):"));
    assert!(
        text(&output.stderr).contains("asserts a property of 4 results"),
        "{}",
        text(&output.stderr)
    );
    // Every call check() made is a test; the docstring example is no single call, so the
    // first hidden test is public.
    let hidden = tests_in(&problem.join("tests/hidden"));
    let inputs: Vec<&str> = hidden.iter().map(|(i, _)| i.as_str()).collect();
    assert_eq!(
        inputs,
        ["0\n-4\n", "-3\n2\n", "1\n-6\n", "2.5\n-1.5\n", "-2\n1\n"]
    );
    assert_eq!(tests_in(&problem.join("tests/public")), hidden[..1]);

    let value = "def value(b, c, x):\n    return x * x + b * x + c\n\n";
    // A bisection below the vertex finds the smaller root: right, though never the reference's.
    let bisection = format!(
        "{value}def some_root(b, c):\n    lo, hi = -1e3, -b / 2\n    for _ in range(200):\n        mid = (lo + hi) / 2\n        if value(b, c, mid) > 0:\n            lo = mid\n        else:\n            hi = mid\n    return hi\n"
    );
    let (code, said) = judge(&problem, &bisection);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("accepted"), "{said}");
    // Returning the vertex is no root.
    let vertex = format!("{value}def some_root(b, c):\n    return -b / 2\n");
    let (code, said) = judge(&problem, &vertex);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("wrong_answer"), "{said}");
    // A root of the wrong sign breaks the closeness assert on the double root only.
    let (code, said) = judge(
        &problem,
        &format!("{value}def some_root(b, c):\n    return b / 2 if b * b == 4 * c else (-b - (b * b - 4 * c) ** 0.5) / 2\n"),
    );
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("abs(candidate(-2, 1) - 1) < 1e-6"), "{said}");
    let (code, summary) = verify(set.path(), &[]);
    assert_eq!(code, Some(0), "{summary}");
}

#[test]
fn mbpp_fixture_plus_inputs_asserts_and_unstable_values() {
    let set = tempfile::tempdir().expect("temp dir");
    let output = import("mbpp", &fixture("mbpp.jsonl"), set.path(), &["-v"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(counts(&output), (3, 0));
    // MBPP+: base_input public, base + plus hidden; a big integer survives exactly, and an
    // `Infinity` argument and value are Python's JSON numbers, kept as such.
    assert_eq!(
        listing(&set.path().join("Team_10")),
        rows(&[
            ("public", "1|2", "3"),
            ("public", "3|4", "7"),
            ("hidden", "1|2", "3"),
            ("hidden", "3|4", "7"),
            (
                "hidden",
                "12345678901234567890123|1",
                "12345678901234567890124"
            ),
            ("hidden", "Infinity|1", "Infinity"),
        ])
    );
    // A list made from a set of strings changes order between interpreters: dropped.
    assert_eq!(
        listing(&set.path().join("Team_11")),
        rows(&[
            ("public", "[\"x\"]", "[\"x\"]"),
            ("hidden", "[\"x\"]", "[\"x\"]"),
            ("hidden", "[]", "[]"),
        ])
    );
    let stderr = text(&output.stderr);
    assert!(stderr.contains("set iteration order"), "{stderr}");
    assert!(
        text(&output.stdout).contains("dropped 1 tests"),
        "{}",
        text(&output.stdout)
    );
    // Original MBPP: the entry point comes from the asserts, test_list is public.
    let max = set.path().join("901");
    assert!(read(&max.join("problem.toml")).contains("entry_point = \"max_of_three\""));
    assert_eq!(
        listing(&max),
        rows(&[
            ("public", "1|2|3", "3"),
            ("public", "-1|-2|-3", "-1"),
            ("hidden", "1|2|3", "3"),
            ("hidden", "-1|-2|-3", "-1"),
            ("hidden", "5|5|5", "5"),
        ])
    );
    assert!(read(&max.join("statement.md")).contains("assert max_of_three(1, 2, 3) == 3"));
    let (code, summary) = verify(set.path(), &[]);
    assert_eq!(code, Some(0), "{summary}");
}

/// `N solutions: A as expected, ...` -> (N, A).
fn verified(summary: &str) -> (usize, usize) {
    let numbers: Vec<usize> = summary
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    (numbers[0], numbers[1])
}

#[test]
#[ignore = "needs ../shared/data"]
fn humaneval_round_trip_every_reference_accepted() {
    let input = shared_data("humaneval/HumanEval.jsonl.gz");
    let set = tempfile::tempdir().expect("temp dir");
    let output = import("humaneval", &input, set.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let (imported, skipped) = counts(&output);
    assert_eq!(imported + skipped, 164);
    assert!(imported >= 160, "{}", text(&output.stdout));
    let ids: serde_json::Value =
        serde_json::from_str(&read(&set.path().join("ids.json"))).expect("ids.json");
    assert_eq!(ids["HumanEval_0"], "HumanEval/0");
    // Docstring examples are the public tests of HumanEval/0.
    assert_eq!(
        tests_in(&set.path().join("HumanEval_0/tests/public")),
        pairs(&[
            ("[1.0, 2.0, 3.0]\n0.5\n", "false"),
            ("[1.0, 2.8, 3.0, 4.0, 5.0, 2.0]\n0.3\n", "true"),
        ])
    );
    // HumanEval/32 asserts `abs(poly(xs, candidate(xs))) < 1e-4`: a checker replaying check(),
    // so a bisection over another bracket, finding another root than the reference's, passes.
    let find_zero = set.path().join("HumanEval_32");
    assert!(read(&find_zero.join("problem.toml")).contains("checker = \"program\""));
    let bisection = format!(
        "{}    lo, hi = -1000.0, 1000.0\n    if poly(xs, lo) > 0:\n        lo, hi = hi, lo\n    for _ in range(300):\n        mid = (lo + hi) / 2\n        if poly(xs, mid) > 0:\n            hi = mid\n        else:\n            lo = mid\n    return lo\n",
        read(&find_zero.join("starter.py"))
    );
    let (code, said) = judge(&find_zero, &bisection);
    assert_eq!(code, Some(0), "{said}");
    let (code, summary) = verify(set.path(), &[]);
    let (solutions, accepted) = verified(&summary);
    println!("humaneval: imported {imported}, skipped {skipped}, accepted {accepted}/{solutions}");
    assert_eq!(code, Some(0), "{summary}");
    assert_eq!((solutions, accepted), (imported, imported));
    // A quarter of the references under the wasm backend, HumanEval/32's checker included
    // (all 164 take minutes there: a WASI CPython starts for every test).
    #[cfg(feature = "wasm")]
    {
        crate::common::require_wasm_python();
        let mut sample: std::collections::BTreeSet<String> = (0..164)
            .step_by(4)
            .map(|i| format!("HumanEval_{i}"))
            .collect();
        sample.insert("HumanEval_32".to_owned());
        sample.retain(|id| set.path().join(id).is_dir());
        let sample: Vec<String> = sample.into_iter().collect();
        let only = sample.join(",");
        let (code, summary) = verify(set.path(), &["--sandbox", "wasm", "--only", &only]);
        println!("humaneval under --sandbox wasm: {summary}");
        assert_eq!(code, Some(0), "{summary}");
        assert_eq!(verified(&summary), (sample.len(), sample.len()));
    }
}

#[test]
#[ignore = "needs ../shared/data"]
fn mbppplus_round_trip_every_reference_accepted() {
    let input = shared_data("mbppplus/MbppPlus.jsonl");
    // The first 60 of 399 rows keep the test under a minute; the full set's numbers are
    // in the importer's notes (a manual run: import, then `sstar verify`).
    let set = tempfile::tempdir().expect("temp dir");
    let output = import("mbpp", &input, set.path(), &["--limit", "60"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let (imported, skipped) = counts(&output);
    assert_eq!(imported + skipped, 60);
    assert!(imported >= 58, "{}", text(&output.stdout));
    let two = set.path().join("Mbpp_2");
    assert!(read(&two.join("statement.md")).contains("assert similar_elements("));
    // base_input are the public tests; hidden holds base_input + plus_input.
    let public = tests_in(&two.join("tests/public"));
    assert_eq!(public.len(), 3);
    assert_eq!(public[0].0, "[3, 4, 5, 6]\n[5, 7, 4, 10]\n");
    assert!(tests_in(&two.join("tests/hidden")).len() > 100);
    let (code, summary) = verify(set.path(), &[]);
    let (solutions, accepted) = verified(&summary);
    println!("mbpp+ (first 60 rows): imported {imported}, skipped {skipped}, accepted {accepted}/{solutions}");
    assert_eq!(code, Some(0), "{summary}");
    assert_eq!((solutions, accepted), (imported, imported));
}

#[test]
fn codecontests_cpp_solutions_are_imported_and_verified() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("cc.jsonl");
    let right = "#include <cstdio>\nint main(){ int a, b; scanf(\"%d %d\", &a, &b); printf(\"%d\\n\", a + b); }\n";
    let wrong = "#include <cstdio>\nint main(){ int a, b; scanf(\"%d %d\", &a, &b); printf(\"%d\\n\", a * b); }\n";
    let row = serde_json::json!({
        "name": "2_A. Sum",
        "description": "Print a + b.",
        "public_tests": {"input": ["1 2\n"], "output": ["3\n"]},
        "private_tests": {"input": ["2 2\n", "3 4\n"], "output": ["4\n", "7\n"]},
        "solutions": {"language": [2, 3], "solution": [right, "a, b = map(int, input().split())\nprint(a + b)\n"]},
        "incorrect_solutions": {"language": [2], "solution": [wrong]},
    });
    std::fs::write(&input, format!("{row}\n")).expect("write");
    let set = dir.path().join("set");
    let output = import("codecontests", &input, &set, &[]);
    assert_eq!(counts(&output), (1, 0), "{}", text(&output.stdout));
    let problem = std::fs::read_dir(&set)
        .expect("set")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .expect("a problem");
    let solutions = problem.join("solutions");
    assert_eq!(
        std::fs::read_to_string(solutions.join("reference_cpp_1.cpp")).expect("cpp"),
        right
    );
    assert!(solutions.join("reference_1.py").exists());
    assert!(solutions.join("wrong_cpp_1.cpp").exists());
    // Both references accepted, the wrong C++ program rejected: as their names promise.
    let (code, said) = verify(&set, &[]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains('3'), "{said}");
}
