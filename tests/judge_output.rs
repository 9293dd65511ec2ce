//! What `sstar judge` shows a user about a failing program (snapshots of the real binary's
//! stdout, timings redacted), and `sstar verify` counting every test.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{run_sstar, write_problem};

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

/// The judge table's cpu, wall and memory columns replaced by placeholders of the same
/// width: they differ run to run, the rest of the output must not.
fn redact(stdout: &[u8]) -> String {
    let text = String::from_utf8(stdout.to_vec()).expect("utf-8 output");
    assert!(!text.contains('\x1b'), "colour on a pipe: {text:?}");
    let mut lines = text.lines();
    let header = lines.next().expect("header line");
    let numbers = header.find("verdict").expect("verdict column") + 22;
    // ` {cpu:>8} {wall:>8} {mem:>9}` after the 22-wide verdict column.
    let width = 1 + 8 + 1 + 8 + 1 + 9;
    let mut out = vec![header.to_owned()];
    let mut in_table = true;
    for line in lines {
        if line.is_empty() {
            in_table = false;
        }
        if in_table && line.len() >= numbers + width {
            let placeholder = format!(" {:>8} {:>8} {:>9}", "[cpu]", "[wall]", "[mem]");
            out.push(format!(
                "{}{placeholder}{}",
                &line[..numbers],
                &line[numbers + width..]
            ));
        } else {
            out.push(line.to_owned());
        }
    }
    out.join("\n") + "\n"
}

/// A stdio problem named `squares` (the id is the directory name, so it must not be random):
/// print `i*i` for `i` in `1..=n`.
fn squares(root: &Path) -> PathBuf {
    let dir = root.join("squares");
    let out = |n: u64| (1..=n).map(|i| format!("{}\n", i * i)).collect::<String>();
    write_problem(
        &dir,
        &[
            (
                "problem.toml",
                "title = \"Squares\"\nkind = \"stdio\"\ntime_limit_ms = 2000\n",
            ),
            ("statement.md", "# Squares\n\nPrint i*i for i = 1..n."),
            ("tests/public/1.in", "3\n"),
            ("tests/public/1.out", &out(3)),
            ("tests/public/2.in", "12\n"),
            ("tests/public/2.out", &out(12)),
            ("tests/hidden/1.in", "0\n"),
            ("tests/hidden/1.out", ""),
            ("tests/hidden/2.in", "20\n"),
            ("tests/hidden/2.out", &out(20)),
            ("tests/hidden/10.in", "2\n"),
            ("tests/hidden/10.out", &out(2)),
        ],
    );
    dir
}

fn program(root: &Path, code: &str) -> PathBuf {
    let file = root.join("program.py");
    std::fs::write(&file, code).expect("write program");
    file
}

#[test]
fn a_wrong_answer_shows_a_diff_marking_the_first_differing_line() {
    let root = tempfile::tempdir().expect("tempdir");
    let problem = squares(root.path());
    let code = "n = int(input())\nfor i in range(1, n + 1):\n    print(i * i if i != 7 else 50)\n";
    let output = run_sstar(&["judge", path(&problem), path(&program(root.path(), code))]);
    assert_eq!(output.status.code(), Some(1));
    let shown = redact(&output.stdout);
    assert!(shown.contains("first difference at line 7"), "{shown}");
    insta::assert_snapshot!(shown);
}

#[test]
fn a_runtime_error_shows_the_programs_traceback_tail() {
    let root = tempfile::tempdir().expect("tempdir");
    let problem = squares(root.path());
    let code = "\
def square(values, i):
    return values[i] ** 2


def main():
    n = int(input())
    values = list(range(1, n + 1))
    for i in range(n + 1):
        print(square(values, i))


main()
";
    let output = run_sstar(&["judge", path(&problem), path(&program(root.path(), code))]);
    assert_eq!(output.status.code(), Some(1));
    let shown = redact(&output.stdout);
    assert!(
        !shown.contains("worker.py"),
        "the sandbox's frames: {shown}"
    );
    assert!(
        shown.contains("File \"solution.py\", line 2, in square\n    return values[i] ** 2\n"),
        "{shown}"
    );
    assert!(
        shown.contains("IndexError: list index out of range"),
        "{shown}"
    );
    insta::assert_snapshot!(shown);
}

#[test]
fn all_tests_explains_every_failing_test() {
    let root = tempfile::tempdir().expect("tempdir");
    let problem = squares(root.path());
    // Right on public/1 and hidden/10 (n <= 3), wrong from 4 on, a crash on n = 0.
    let code = "\
n = int(input())
assert n > 0, 'n must be positive'
for i in range(1, n + 1):
    print(i * i if i < 4 else i * 4)
";
    let output = run_sstar(&[
        "judge",
        path(&problem),
        path(&program(root.path(), code)),
        "--all-tests",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let shown = redact(&output.stdout);
    for failing in ["--- public/2:", "--- hidden/1:", "--- hidden/2:"] {
        assert!(shown.contains(failing), "{failing} missing: {shown}");
    }
    assert!(!shown.contains("--- public/1:") && !shown.contains("--- hidden/10:"));
    assert!(
        shown.ends_with("squares: wrong_answer (2/5 passed)\n"),
        "{shown}"
    );
    insta::assert_snapshot!(shown);
}

#[test]
fn a_function_problem_diffs_return_values_element_by_element() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("evens");
    write_problem(
        &dir,
        &[
            (
                "problem.toml",
                "title = \"Evens\"\nkind = \"function\"\nentry_point = \"evens\"\n",
            ),
            ("statement.md", "Return the even numbers of `xs`, in order."),
            ("tests/public/1.in", "[1, 2, 3, 4, 6, 7, 8]\n"),
            ("tests/public/1.out", "[2, 4, 6, 8]\n"),
        ],
    );
    let code = "def evens(xs):\n    return [x for x in xs if x % 2 == 0 and x != 6]\n";
    let output = run_sstar(&["judge", path(&dir), path(&program(root.path(), code))]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(redact(&output.stdout));
}

#[test]
fn json_names_say_public_or_hidden() {
    let root = tempfile::tempdir().expect("tempdir");
    let problem = squares(root.path());
    let code = "n = int(input())\nfor i in range(1, n + 1):\n    print(i * i if i < 15 else 0)\n";
    let output = run_sstar(&[
        "judge",
        path(&problem),
        path(&program(root.path(), code)),
        "--json",
        "--all-tests",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let mut report: Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
    for test in report["tests"].as_array_mut().expect("tests") {
        for key in ["cpu_ms", "wall_ms", "memory_kb"] {
            assert!(test[key].is_u64(), "{key} in {test}");
            test[key] = Value::from(0);
        }
    }
    insta::assert_snapshot!(serde_json::to_string_pretty(&report).expect("json"));
}

#[test]
fn verify_counts_every_test_of_a_wrong_solution() {
    let set = tempfile::tempdir().expect("tempdir");
    let problem = squares(set.path());
    // Fails only public/2 and hidden/2 (n > 10): the first failure is the second test.
    write_problem(
        &problem,
        &[
            (
                "solutions/reference.py",
                "for i in range(1, int(input()) + 1):\n    print(i * i)\n",
            ),
            (
                "solutions/wrong_big.py",
                "for i in range(1, int(input()) + 1):\n    print(i * i if i <= 10 else -1)\n",
            ),
        ],
    );
    let output = run_sstar(&["verify", path(set.path())]);
    let table = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{table}");
    let wrong = table
        .lines()
        .find(|l| l.contains("wrong_big"))
        .expect("a line for wrong_big");
    assert!(
        wrong.contains("wrong_answer") && wrong.contains(" 3/5 "),
        "{table}"
    );

    let output = run_sstar(&["verify", path(set.path()), "--json"]);
    let rows: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let wrong = rows
        .iter()
        .find(|r| r["solution"] == "wrong_big")
        .expect("wrong_big row");
    assert_eq!(
        (&wrong["passed"], &wrong["total"]),
        (&Value::from(3), &Value::from(5))
    );
}
