//! A `program` checker failing on one candidate's output, attacked through `sstar judge`: a
//! 60 MB answer or an answer that makes checker.py run out of memory or crash is that
//! candidate's wrong answer; only a checker failing on the expected output too breaks the
//! problem (exit 2).

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::common::{run_sstar, write_problem};

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

/// Checks the answer's numbers: it starts with how many follow, which it trusts to size a
/// table (a huge count runs it out of memory) and reads with `int` (a word crashes it).
const CHECKER: &str = "\
import sys

with open(sys.argv[3]) as f:
    actual = f.read().split()
with open(sys.argv[2]) as f:
    expected = f.read().split()
count = int(actual[0])
seen = [False] * count
if actual != expected:
    print('not the expected numbers')
    sys.exit(1)
";

/// A stdio problem judged by `checker`: print `3`, then `1 2 3`.
fn problem(root: &Path, name: &str, checker: &str) -> PathBuf {
    let dir = root.join(name);
    write_problem(
        &dir,
        &[
            (
                "problem.toml",
                "title = \"Count\"\nkind = \"stdio\"\nchecker = \"program\"\ntime_limit_ms = 5000\nmemory_limit_mb = 128\n",
            ),
            ("statement.md", "Print 3, then 1 2 3."),
            ("checker.py", checker),
            ("tests/public/1.in", "3\n"),
            ("tests/public/1.out", "3\n1 2 3\n"),
        ],
    );
    dir
}

fn judge(root: &Path, problem: &Path, code: &str) -> Output {
    let program = root.join("program.py");
    std::fs::write(&program, code).expect("write program");
    run_sstar(&["judge", path(problem), path(&program), "--json"])
}

/// The one test's verdict and detail, from a judge that must have exited 0 or 1.
fn verdict(output: &Output) -> (String, String) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "judge failed ({:?}): {stderr}",
        output.status.code()
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("a json report");
    let test = &report["tests"][0];
    (
        test["verdict"].as_str().unwrap_or_default().to_owned(),
        test["detail"].as_str().unwrap_or_default().to_owned(),
    )
}

#[test]
fn a_checker_failing_on_one_output_is_that_outputs_wrong_answer() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = problem(root.path(), "count", CHECKER);

    let right = judge(root.path(), &dir, "print(3)\nprint(1, 2, 3)\n");
    assert_eq!(verdict(&right), ("accepted".into(), String::new()));

    // 60 MB, under the output limit: read whole, these tokens take a checker past 1 GB.
    let flood = judge(
        root.path(),
        &dir,
        "import sys\nfor _ in range(200):\n    sys.stdout.write('12 ' * 100_000)\n",
    );
    let (shown, detail) = verdict(&flood);
    assert_eq!(shown, "wrong_answer", "{detail}");
    assert!(detail.contains("far longer than expected"), "{detail}");

    let huge_count = judge(root.path(), &dir, "print(10 ** 10)\nprint(1, 2, 3)\n");
    let (shown, detail) = verdict(&huge_count);
    assert_eq!(shown, "wrong_answer", "{detail}");
    assert_eq!(
        detail,
        "checker.py failed on this output (memory limit exceeded)"
    );

    let word = judge(root.path(), &dir, "print('three')\nprint(1, 2, 3)\n");
    let (shown, detail) = verdict(&word);
    assert_eq!(shown, "wrong_answer", "{detail}");
    assert!(
        detail.starts_with("checker.py failed on this output (ValueError: invalid literal"),
        "{detail}"
    );

    // Exit 1 is the checker's own verdict, its message the reason.
    let wrong = judge(root.path(), &dir, "print(3)\nprint(1, 2, 4)\n");
    assert_eq!(
        verdict(&wrong),
        ("wrong_answer".into(), "not the expected numbers".into())
    );
}

#[test]
fn a_checker_failing_on_the_expected_output_too_breaks_the_problem() {
    let root = tempfile::tempdir().expect("tempdir");
    let raises = problem(
        root.path(),
        "raises",
        "raise RuntimeError('this checker is broken')\n",
    );
    let starved = problem(root.path(), "starved", "table = [0] * 10 ** 10\n");
    for (dir, why) in [
        (&raises, "RuntimeError: this checker is broken"),
        (&starved, "memory limit"),
    ] {
        let output = judge(root.path(), dir, "print(3)\nprint(1, 2, 3)\n");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("checker.py failed on test `1`")
                && stderr.contains(&format!("on the expected output too: {why}")),
            "{stderr}"
        );
    }
}
