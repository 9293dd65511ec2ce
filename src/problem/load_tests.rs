//! Tests of loading problems and sets from temporary directories.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;
use tempfile::TempDir;

use super::*;

const STDIO: &str = "title = \"Echo\"\nkind = \"stdio\"\n";
const FUNCTION: &str = "title = \"Add\"\nkind = \"function\"\nentry_point = \"Solution.add\"\n";

/// Writes `files` (relative path, contents) under `root/id`.
fn write_problem(root: &Path, id: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = root.join(id);
    for (rel, contents) in files {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        fs::write(path, contents).expect("write");
    }
    dir
}

fn minimal(root: &Path, id: &str, manifest: &str) -> PathBuf {
    write_problem(
        root,
        id,
        &[
            ("problem.toml", manifest.as_bytes()),
            ("statement.md", b"Echo it."),
        ],
    )
}

fn load_err(dir: &Path) -> LoadError {
    load_problem(dir).expect_err("malformed problem")
}

#[test]
fn loads_a_full_stdio_problem() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = write_problem(
        tmp.path(),
        "echo",
        &[
            (
                "problem.toml",
                b"title = \"Echo\"\nkind = \"stdio\"\nsource = \"x\"\n",
            ),
            ("statement.md", b"# Echo\nPrint the input."),
            ("tests/public/1.in", b"hello\n"),
            ("tests/public/1.out", b"hello\n"),
            ("tests/hidden/h.in", b"\xff\xfe raw"),
            ("tests/hidden/h.out", b"\xff\xfe raw"),
            ("tests/hidden/notes.txt", b"ignored"),
            ("solutions/reference.py", b"print(input())"),
            ("solutions/wrong_empty.py", b"pass"),
            ("solutions/README.md", b"ignored"),
            ("extra/whatever.bin", b"ignored"),
        ],
    );
    let p = load_problem(&dir).expect("valid");
    assert_eq!(p.id, "echo");
    assert_eq!(p.dir, dir);
    assert_eq!(p.title, "Echo");
    assert_eq!(p.kind, Kind::Stdio);
    assert_eq!(p.entry_point, None);
    assert_eq!(p.limits, Limits::default());
    assert_eq!(p.checker, Checker::Lines);
    assert_eq!(p.float_tolerance, 1e-6);
    assert_eq!(p.statement, "# Echo\nPrint the input.");
    assert_eq!(p.starter, None);
    assert_eq!(p.checker_program, None);
    assert_eq!(p.metadata.source.as_deref(), Some("x"));
    assert_eq!(p.public.len(), 1);
    assert_eq!(p.public[0].name, "1");
    assert_eq!(p.public[0].visibility, Visibility::Public);
    assert_eq!(&*p.public[0].input, b"hello\n");
    assert_eq!(&*p.hidden[0].expected, b"\xff\xfe raw");
    assert_eq!(p.hidden[0].visibility, Visibility::Hidden);
    let names: Vec<&str> = p.solutions.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["reference", "wrong_empty"]);
    assert!(!p.solutions[0].is_wrong());
    assert!(p.solutions[1].is_wrong());
    assert_eq!(p.solutions[0].code, "print(input())");
    assert_eq!(p.solutions[0].path, dir.join("solutions/reference.py"));
}

#[test]
fn missing_tests_and_solutions_are_empty() {
    let tmp = TempDir::new().expect("tempdir");
    let p = load_problem(&minimal(tmp.path(), "bare", STDIO)).expect("valid");
    assert!(p.public.is_empty() && p.hidden.is_empty() && p.solutions.is_empty());
}

#[test]
fn tests_are_in_natural_order_and_selectable() {
    let tmp = TempDir::new().expect("tempdir");
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("problem.toml".into(), STDIO.into()),
        ("statement.md".into(), b"s".to_vec()),
    ];
    for name in ["10", "2", "1", "a10", "a2"] {
        files.push((format!("tests/public/{name}.in"), name.into()));
        files.push((format!("tests/public/{name}.out"), name.into()));
    }
    files.push(("tests/hidden/h1.in".into(), b"h".to_vec()));
    files.push(("tests/hidden/h1.out".into(), b"h".to_vec()));
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    let p = load_problem(&write_problem(tmp.path(), "order", &refs)).expect("valid");

    let names = |which| -> Vec<&str> { p.tests(which).map(|t| t.name.as_str()).collect() };
    assert_eq!(names(TestSelection::Public), ["1", "2", "10", "a2", "a10"]);
    assert_eq!(names(TestSelection::Hidden), ["h1"]);
    assert_eq!(
        names(TestSelection::All),
        ["1", "2", "10", "a2", "a10", "h1"]
    );
    assert_eq!(TestSelection::default(), TestSelection::All);
}

#[test]
fn loads_a_function_problem_with_class_entry_point() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = write_problem(
        tmp.path(),
        "add",
        &[
            ("problem.toml", FUNCTION.as_bytes()),
            ("statement.md", b"Add."),
            ("starter.py", b"class Solution:\n    def add(self, a, b):\n"),
            ("tests/public/1.in", b"1\n[2, 3]\n"),
            ("tests/public/1.out", b"[3, 4]\n"),
            ("tests/hidden/1.in", b"\"s\"\n\n{\"a\": 1}"),
            ("tests/hidden/1.out", b"null"),
        ],
    );
    let p = load_problem(&dir).expect("valid");
    assert_eq!(p.kind, Kind::Function);
    assert_eq!(p.entry_point.as_deref(), Some("Solution.add"));
    assert_eq!(
        p.starter.as_deref(),
        Some("class Solution:\n    def add(self, a, b):\n")
    );
    let t = &p.public[0];
    assert_eq!(t.arguments().expect("json"), vec![json!(1), json!([2, 3])]);
    assert_eq!(t.expected_value().expect("json"), json!([3, 4]));
    assert_eq!(
        p.hidden[0].arguments().expect("json"),
        vec![json!("s"), json!({"a": 1})]
    );
}

#[test]
fn program_checker_loads_checker_py() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = write_problem(
        tmp.path(),
        "special",
        &[
            (
                "problem.toml",
                b"title = \"S\"\nkind = \"stdio\"\nchecker = \"program\"\n",
            ),
            ("statement.md", b"s"),
            ("checker.py", b"import sys\n"),
        ],
    );
    let p = load_problem(&dir).expect("valid");
    assert_eq!(p.checker, Checker::Program);
    assert_eq!(p.checker_program.as_deref(), Some("import sys\n"));
}

#[test]
fn program_checker_without_checker_py_is_an_error() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = minimal(
        tmp.path(),
        "special",
        "title = \"S\"\nkind = \"stdio\"\nchecker = \"program\"\n",
    );
    let err = load_err(&dir);
    assert!(
        matches!(err.reason, LoadErrorReason::MissingCheckerProgram),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "problem {}: checker = \"program\" needs checker.py",
            dir.display()
        )
    );
}

#[test]
fn missing_statement_is_an_error() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = write_problem(tmp.path(), "p", &[("problem.toml", STDIO.as_bytes())]);
    let err = load_err(&dir);
    assert_eq!(err.path, dir);
    assert_eq!(
        err.to_string(),
        format!("problem {}: missing statement.md", dir.display())
    );
}

#[test]
fn non_utf8_statement_is_an_error() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = write_problem(
        tmp.path(),
        "p",
        &[
            ("problem.toml", STDIO.as_bytes()),
            ("statement.md", b"\xff"),
        ],
    );
    let err = load_err(&dir);
    assert!(
        err.to_string().ends_with("statement.md is not valid utf-8"),
        "{err}"
    );
}

#[test]
fn missing_directory_is_an_error() {
    let tmp = TempDir::new().expect("tempdir");
    let err = load_err(&tmp.path().join("nope"));
    assert!(
        matches!(err.reason, LoadErrorReason::NotADirectory),
        "{err}"
    );
}

#[test]
fn bad_toml_is_an_error_with_the_parser_message() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = minimal(tmp.path(), "p", "title = \"T\"\nkind = stdio\n");
    let err = load_err(&dir);
    assert!(
        matches!(err.reason, LoadErrorReason::Manifest { line: Some(2), .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("problem.toml line 2: "), "{err}");
}

#[test]
fn unknown_kind_is_an_error() {
    let tmp = TempDir::new().expect("tempdir");
    let err = load_err(&minimal(tmp.path(), "p", "title = \"T\"\nkind = \"foo\"\n"));
    let text = err.to_string();
    assert!(
        text.contains("problem.toml line 2: kind: unknown variant `foo`"),
        "{text}"
    );
}

#[test]
fn unknown_key_is_an_error() {
    let tmp = TempDir::new().expect("tempdir");
    let err = load_err(&minimal(
        tmp.path(),
        "p",
        "title = \"T\"\nkind = \"stdio\"\nlimit = 1\n",
    ));
    assert!(err.to_string().contains("unknown field `limit`"), "{err}");
}

#[test]
fn zero_limit_is_an_error() {
    let tmp = TempDir::new().expect("tempdir");
    let err = load_err(&minimal(
        tmp.path(),
        "p",
        "title = \"T\"\nkind = \"stdio\"\nmemory_limit_mb = 0\n",
    ));
    assert!(
        matches!(
            err.reason,
            LoadErrorReason::LimitOutOfRange {
                key: "memory_limit_mb",
                value: 0,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn function_without_entry_point_is_an_error() {
    let tmp = TempDir::new().expect("tempdir");
    let err = load_err(&minimal(
        tmp.path(),
        "p",
        "title = \"T\"\nkind = \"function\"\n",
    ));
    assert!(
        matches!(err.reason, LoadErrorReason::MissingEntryPoint),
        "{err}"
    );
}

fn with_tests(manifest: &str, tests: &[(&str, &[u8])]) -> (TempDir, PathBuf) {
    let tmp = TempDir::new().expect("tempdir");
    let mut files: Vec<(&str, &[u8])> = vec![
        ("problem.toml", manifest.as_bytes()),
        ("statement.md", b"s"),
    ];
    files.extend_from_slice(tests);
    let dir = write_problem(tmp.path(), "p", &files);
    (tmp, dir)
}

#[test]
fn in_without_out_is_an_error() {
    let (_tmp, dir) = with_tests(
        STDIO,
        &[
            ("tests/public/1.in", b"1"),
            ("tests/public/1.out", b"1"),
            ("tests/public/2.in", b"2"),
        ],
    );
    let err = load_err(&dir);
    assert_eq!(
        err.reason.to_string(),
        "tests/public/2.in has no matching tests/public/2.out"
    );
}

#[test]
fn out_without_in_is_an_error() {
    let (_tmp, dir) = with_tests(STDIO, &[("tests/hidden/x.y.out", b"1")]);
    let err = load_err(&dir);
    assert_eq!(
        err.reason.to_string(),
        "tests/hidden/x.y.out has no matching tests/hidden/x.y.in"
    );
}

#[test]
fn first_unpaired_test_in_natural_order_is_reported() {
    let (_tmp, dir) = with_tests(
        STDIO,
        &[("tests/public/10.in", b"1"), ("tests/public/9.out", b"1")],
    );
    let err = load_err(&dir);
    assert_eq!(
        err.reason.to_string(),
        "tests/public/9.out has no matching tests/public/9.in"
    );
}

#[test]
fn bad_json_argument_names_file_and_line() {
    let (_tmp, dir) = with_tests(
        FUNCTION,
        &[
            ("tests/public/1.in", b"[1, 2]\n\n{oops}\n"),
            ("tests/public/1.out", b"3"),
        ],
    );
    let err = load_err(&dir);
    assert!(
        matches!(err.reason, LoadErrorReason::BadArgument { line: 3, .. }),
        "{err:?}"
    );
    let text = err.reason.to_string();
    assert!(
        text.starts_with("tests/public/1.in line 3: bad json argument: "),
        "{text}"
    );
}

#[test]
fn python_json_numbers_load_in_function_tests() {
    let (_tmp, dir) = with_tests(
        FUNCTION,
        &[
            ("tests/public/1.in", b"[1.5, -Infinity]\nNaN\n"),
            ("tests/public/1.out", b"[1.5, -Infinity]\n"),
            ("tests/hidden/1.in", b"\"Infinity\"\n"),
            ("tests/hidden/1.out", b"Infinity"),
        ],
    );
    let p = load_problem(&dir).expect("valid");
    let args = p.public[0].arguments().expect("json");
    assert_eq!(args[0].to_string(), "[1.5,-Infinity]");
    assert_eq!(args[1].to_string(), "NaN");
    assert_eq!(
        p.hidden[0].arguments().expect("json"),
        vec![json!("Infinity")]
    );
    assert_eq!(
        p.hidden[0].expected_value().expect("json").to_string(),
        "Infinity"
    );
}

#[test]
fn an_unreadable_number_names_the_test_file_and_line() {
    // `inf` is Python's repr, not its JSON: still an error that says where.
    let (_tmp, dir) = with_tests(
        FUNCTION,
        &[
            ("tests/public/1.in", b"1\n"),
            ("tests/public/1.out", b"1"),
            ("tests/hidden/7.in", b"Infinity\n[1, inf]\n"),
            ("tests/hidden/7.out", b"1"),
        ],
    );
    let err = load_err(&dir);
    assert!(
        matches!(err.reason, LoadErrorReason::BadArgument { line: 2, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("tests/hidden/7.in line 2: bad json argument: "),
        "{text}"
    );
    let (_tmp, dir) = with_tests(
        FUNCTION,
        &[
            ("tests/public/1.in", b"1\n"),
            ("tests/public/1.out", b"[NaN, -inf]"),
        ],
    );
    let text = load_err(&dir).reason.to_string();
    assert!(
        text.starts_with("tests/public/1.out: bad json value: "),
        "{text}"
    );
}

#[test]
fn bad_json_expected_names_the_file() {
    let (_tmp, dir) = with_tests(
        FUNCTION,
        &[
            ("tests/hidden/2.in", b"1"),
            ("tests/hidden/2.out", b"[1, 2"),
        ],
    );
    let err = load_err(&dir);
    let text = err.reason.to_string();
    assert!(
        text.starts_with("tests/hidden/2.out: bad json value: "),
        "{text}"
    );
}

#[test]
fn two_json_values_in_out_is_an_error() {
    let (_tmp, dir) = with_tests(
        FUNCTION,
        &[
            ("tests/public/1.in", b"1"),
            ("tests/public/1.out", b"1\n2\n"),
        ],
    );
    assert!(matches!(
        load_err(&dir).reason,
        LoadErrorReason::BadExpected { .. }
    ));
}

#[test]
fn stdio_tests_are_not_parsed_as_json() {
    let (_tmp, dir) = with_tests(
        STDIO,
        &[
            ("tests/public/1.in", b"{oops"),
            ("tests/public/1.out", b"["),
        ],
    );
    assert!(load_problem(&dir).is_ok());
}

#[test]
fn id_of_dot_is_the_directory_name() {
    let tmp = TempDir::new().expect("tempdir");
    let dir = minimal(tmp.path(), "named", STDIO);
    fs::create_dir(dir.join("sub")).expect("mkdir");
    let p = load_problem(&dir.join("sub/..")).expect("valid");
    assert_eq!(p.id, "named");
}

#[test]
fn set_loads_valid_problems_and_reports_malformed_ones() {
    let tmp = TempDir::new().expect("tempdir");
    minimal(tmp.path(), "p10", STDIO);
    minimal(tmp.path(), "p2", STDIO);
    minimal(tmp.path(), "p1", STDIO);
    minimal(tmp.path(), "bad-kind", "title = \"T\"\nkind = \"foo\"\n");
    write_problem(
        tmp.path(),
        "a-no-statement",
        &[("problem.toml", STDIO.as_bytes())],
    );
    write_problem(tmp.path(), "not-a-problem", &[("statement.md", b"s")]);
    fs::write(tmp.path().join("README.md"), "a file").expect("write");

    let set = load_set(tmp.path()).expect("readable");
    assert_eq!(set.dir, tmp.path());
    let ids: Vec<&str> = set.problems.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["p1", "p2", "p10"]);
    let bad: Vec<PathBuf> = set.errors.iter().map(|e| e.path.clone()).collect();
    assert_eq!(
        bad,
        [
            tmp.path().join("a-no-statement"),
            tmp.path().join("bad-kind")
        ]
    );
    assert!(set.get("p2").is_some());
    assert!(set.get("not-a-problem").is_none());
}

#[test]
fn a_set_with_no_problem_is_an_error_that_spots_a_problem_directory() {
    let tmp = TempDir::new().expect("tempdir");
    let err = load_set(tmp.path()).expect_err("empty");
    assert!(err.to_string().contains("no problem in it"), "{err}");
    std::fs::write(tmp.path().join("problem.toml"), "").expect("write");
    let err = load_set(tmp.path()).expect_err("a problem, not a set");
    assert!(
        err.to_string().contains("this is a problem directory"),
        "{err}"
    );
}

#[test]
fn set_that_is_not_a_directory_is_an_error() {
    let tmp = TempDir::new().expect("tempdir");
    let file = tmp.path().join("file");
    fs::write(&file, "x").expect("write");
    for path in [file, tmp.path().join("missing")] {
        let err = load_set(&path).expect_err("not a dir");
        assert!(matches!(err, SetError::NotADirectory { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!("problem set {}: not a directory", path.display())
        );
    }
}

#[test]
fn a_linked_problem_directory_is_reported_and_the_rest_load() {
    let tmp = TempDir::new().expect("tempdir");
    let elsewhere = TempDir::new().expect("tempdir");
    minimal(tmp.path(), "good", STDIO);
    let outside = minimal(elsewhere.path(), "outside", STDIO);
    std::os::unix::fs::symlink(&outside, tmp.path().join("linked")).expect("symlink");
    let set = load_set(tmp.path()).expect("set");
    assert_eq!(set.problems.len(), 1);
    assert_eq!(set.problems[0].id, "good");
    assert_eq!(set.errors.len(), 1);
    assert!(
        matches!(set.errors[0].reason, LoadErrorReason::LinkedProblem),
        "{}",
        set.errors[0]
    );
    // A trailing slash makes lstat follow the link; it is still refused.
    let err = load_err(&tmp.path().join("linked/"));
    assert!(
        matches!(err.reason, LoadErrorReason::LinkedProblem),
        "{err}"
    );
}
