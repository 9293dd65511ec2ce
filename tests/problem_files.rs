//! Hostile problem sets through the real binary: links to host files, named pipes, oversized
//! files and limits that would wrap are refused by name, and nothing of a linked file reaches
//! any output.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{run_sstar, sstar, write_problem};

const SECRET: &str = "SECRET-3b9f1c-never-leaves-the-host";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

/// An echo problem with a reference solution, as `files` override.
fn echo_problem(dir: &Path, overrides: &[(&str, &str)]) {
    let mut files = vec![
        (
            "problem.toml",
            "title = \"echo\"\nkind = \"stdio\"\ntime_limit_ms = 2000\n",
        ),
        ("statement.md", "Print the input."),
        ("tests/public/1.in", "hello\n"),
        ("tests/public/1.out", "hello\n"),
        ("tests/hidden/1.in", "world\n"),
        ("tests/hidden/1.out", "world\n"),
        ("solutions/reference.py", "print(input())"),
    ];
    files.retain(|(name, _)| !overrides.iter().any(|(o, _)| o == name));
    files.extend_from_slice(overrides);
    write_problem(dir, &files);
}

/// Runs `command`, killing it (and failing) if it has not ended after `limit`: a hang on a
/// named pipe must fail the test, not stall the suite. The poll is a watchdog only.
fn output_within(mut command: Command, limit: Duration) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sstar");
    let deadline = Instant::now() + limit;
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("sstar still running after {limit:?}: it blocked on a problem file");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

fn all_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            found.extend(all_files(&entry.path()));
        } else if kind.is_file() {
            found.push(entry.path());
        }
    }
    found
}

#[test]
fn linked_host_files_are_refused_by_name_and_never_reach_any_output() {
    let host = tempfile::tempdir().expect("tempdir");
    let secret = host.path().join("id_rsa");
    std::fs::write(&secret, format!("{SECRET}\n")).expect("write secret");
    let set = tempfile::tempdir().expect("tempdir");
    echo_problem(&set.path().join("good"), &[]);
    echo_problem(&set.path().join("leak-statement"), &[]);
    echo_problem(&set.path().join("leak-hidden"), &[]);
    for link in [
        "leak-statement/statement.md",
        "leak-hidden/tests/hidden/1.out",
    ] {
        let link = set.path().join(link);
        std::fs::remove_file(&link).expect("remove");
        std::os::unix::fs::symlink(&secret, &link).expect("symlink");
    }
    // A problem directory linked to one outside the set is refused as a whole.
    echo_problem(&host.path().join("outside"), &[]);
    std::os::unix::fs::symlink(host.path().join("outside"), set.path().join("linked"))
        .expect("symlink");

    let verify = run_sstar(&["verify", path(set.path())]);
    let stderr = text(&verify.stderr);
    for expected in [
        "leak-statement: statement.md is a symbolic link",
        "leak-hidden: tests/hidden/1.out is a symbolic link",
        "linked: the problem directory is a symbolic link",
    ] {
        assert!(stderr.contains(expected), "{expected:?} not in {stderr}");
    }
    let stdout = text(&verify.stdout);
    assert!(
        stdout.contains("good") && stdout.contains("3 malformed"),
        "{stdout}"
    );
    assert_eq!(verify.status.code(), Some(1), "{stdout}{stderr}");

    let program = host.path().join("echo.py");
    std::fs::write(&program, "print(input())").expect("write");
    let judge = run_sstar(&[
        "judge",
        path(&set.path().join("leak-hidden")),
        path(&program),
        "--tests",
        "hidden",
        "--json",
    ]);
    assert_eq!(judge.status.code(), Some(2), "{}", text(&judge.stderr));
    assert!(
        text(&judge.stderr).contains("tests/hidden/1.out is a symbolic link"),
        "{}",
        text(&judge.stderr)
    );

    // The whole pipeline: what a model would be shown, and every file of the run.
    let candidates = host.path().join("candidates.jsonl");
    let lines: String = ["good", "leak-statement", "leak-hidden", "linked"]
        .iter()
        .map(|id| {
            format!(
                "{}\n",
                serde_json::json!({"id": id, "code": "print(input())"})
            )
        })
        .collect();
    std::fs::write(&candidates, lines).expect("write");
    let run = host.path().join("run");
    let solve = run_sstar(&[
        "solve",
        path(set.path()),
        "--out",
        path(&run),
        "--candidates",
        path(&candidates),
    ]);
    // The refused problems are malformed: counted, named, and the run's answer is negative.
    assert_eq!(solve.status.code(), Some(1), "{}", text(&solve.stderr));
    assert!(
        text(&solve.stdout).contains("malformed (see above)"),
        "{}",
        text(&solve.stdout)
    );
    assert!(
        text(&solve.stdout).contains("good"),
        "{}",
        text(&solve.stdout)
    );
    for output in [&verify, &judge, &solve] {
        assert!(!text(&output.stdout).contains(SECRET));
        assert!(!text(&output.stderr).contains(SECRET));
    }
    let files = all_files(&run);
    assert!(files.len() > 3, "{files:?}");
    for file in files {
        let bytes = std::fs::read(&file).expect("read");
        assert!(
            !text(&bytes).contains(SECRET),
            "{} holds the secret",
            file.display()
        );
    }
}

#[test]
fn named_pipes_in_a_problem_are_refused_without_blocking() {
    let set = tempfile::tempdir().expect("tempdir");
    let pipes = [
        ("pipe-input", "tests/public/1.in"),
        ("pipe-statement", "statement.md"),
        ("pipe-manifest", "problem.toml"),
        ("pipe-solution", "solutions/reference.py"),
    ];
    for (id, file) in pipes {
        let problem = set.path().join(id);
        echo_problem(&problem, &[]);
        std::fs::remove_file(problem.join(file)).expect("remove");
        let made = Command::new("mkfifo")
            .arg(problem.join(file))
            .status()
            .expect("mkfifo");
        assert!(made.success());
    }
    echo_problem(&set.path().join("good"), &[]);
    let mut verify = sstar();
    verify.args(["verify", path(set.path())]);
    let output = output_within(verify, Duration::from_secs(60));
    let stderr = text(&output.stderr);
    for (id, file) in pipes {
        let expected = format!("{id}: {file} is a named pipe");
        assert!(stderr.contains(&expected), "{expected:?} not in {stderr}");
    }
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("good") && stdout.contains("4 malformed"),
        "{stdout}"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn oversized_problem_files_are_refused_without_being_read_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = dir.path().join("echo.py");
    std::fs::write(&program, "print(input())").expect("write");

    let big_statement = dir.path().join("big-statement");
    echo_problem(&big_statement, &[]);
    std::fs::write(
        big_statement.join("statement.md"),
        vec![b'a'; (1 << 20) + 1],
    )
    .expect("write");
    let output = run_sstar(&["judge", path(&big_statement), path(&program)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("statement.md is larger than the 1 MiB cap"),
        "{}",
        text(&output.stderr)
    );

    // 257 MiB of hidden input that costs no disk: a sparse file.
    let big_test = dir.path().join("big-test");
    echo_problem(&big_test, &[]);
    std::fs::File::options()
        .write(true)
        .open(big_test.join("tests/hidden/1.in"))
        .expect("open")
        .set_len(257 << 20)
        .expect("grow");
    let output = run_sstar(&["judge", path(&big_test), path(&program)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("tests/hidden/1.in is larger than the 256 MiB cap"),
        "{}",
        text(&output.stderr)
    );

    // At the cap is fine.
    std::fs::write(big_statement.join("statement.md"), vec![b'a'; 1 << 20]).expect("write");
    let output = run_sstar(&["judge", path(&big_statement), path(&program)]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

#[test]
fn limits_that_would_wrap_or_never_end_are_refused_naming_the_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = dir.path().join("echo.py");
    std::fs::write(&program, "print(input())").expect("write");
    // 2^44 MiB is 2^64 bytes: shifted into bytes, it used to wrap to a limit of 0.
    let cases = [
        (
            "memory_limit_mb = 17592186044416",
            "memory_limit_mb = 17592186044416 is out of range 1..=65536",
        ),
        (
            "output_limit_mb = 17592186044416",
            "output_limit_mb = 17592186044416 is out of range 1..=4096",
        ),
        (
            "time_limit_ms = 9223372036854775807",
            "time_limit_ms = 9223372036854775807 is out of range 1..=600000",
        ),
        ("memory_limit_mb = 0", "memory_limit_mb = 0 is out of range"),
        // Past what TOML integers hold: refused by the parser, on the field's line.
        (
            "memory_limit_mb = 18446744073709551615",
            "problem.toml line 3: memory_limit_mb: ",
        ),
    ];
    for (n, (line, expected)) in cases.iter().enumerate() {
        // One set per case, so each verify names only its own problem.
        let set = dir.path().join(format!("case{n}"));
        let problem = set.join("p");
        let manifest = format!("title = \"echo\"\nkind = \"stdio\"\n{line}\n");
        echo_problem(&problem, &[("problem.toml", &manifest)]);
        let judge = run_sstar(&["judge", path(&problem), path(&program)]);
        let verify = run_sstar(&["verify", path(&set)]);
        for (output, code) in [(&judge, 2), (&verify, 1)] {
            let stderr = text(&output.stderr);
            assert!(
                stderr.contains(expected),
                "{line}: {expected:?} not in {stderr}"
            );
            assert_eq!(output.status.code(), Some(code), "{line}: {stderr}");
        }
        assert!(text(&verify.stdout).contains("1 malformed"), "{line}");
    }

    let set = dir.path().join("set");
    let input = dir.path().join("rows.jsonl");
    std::fs::write(&input, "").expect("write");
    let output = run_sstar(&[
        "import",
        "livecodebench",
        path(&input),
        path(&set),
        "--time-limit-ms",
        "18446744073709551615",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("--time-limit-ms must be in 1..=600000"),
        "{}",
        text(&output.stderr)
    );
}
