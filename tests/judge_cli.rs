//! `sstar judge` and `sstar verify` through the real binary: bundled solutions, JSON shape,
//! exit codes, malformed input.

use serde_json::Value;

use crate::common::{bundled_problems, run_sstar, sstar, write_problem};

#[test]
fn every_bundled_solution_gets_the_verdict_its_name_promises() {
    let set = bundled_problems();
    let mut checked = 0;
    let mut problems: Vec<_> = std::fs::read_dir(&set)
        .expect("problems/")
        .flatten()
        .map(|e| e.path())
        .collect();
    problems.sort();
    for problem in problems.iter().filter(|p| p.join("problem.toml").exists()) {
        let mut solutions: Vec<_> = std::fs::read_dir(problem.join("solutions"))
            .expect("solutions/")
            .flatten()
            .map(|e| e.path())
            .collect();
        solutions.sort();
        for solution in solutions {
            let output = run_sstar(&[
                "judge",
                problem.to_str().expect("utf-8"),
                solution.to_str().expect("utf-8"),
                "--json",
            ]);
            let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
                panic!(
                    "{}: bad json ({e}): {}",
                    solution.display(),
                    String::from_utf8_lossy(&output.stderr)
                )
            });
            let wrong = solution
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("wrong_"));
            let accepted = report["verdict"] == "accepted";
            assert_eq!(accepted, !wrong, "{}: {report}", solution.display());
            assert_eq!(
                output.status.code(),
                Some(if wrong { 1 } else { 0 }),
                "{}",
                solution.display()
            );
            for key in ["problem", "passed", "total", "tests"] {
                assert!(report.get(key).is_some(), "missing {key}");
            }
            for test in report["tests"].as_array().expect("tests") {
                for key in ["name", "verdict", "cpu_ms", "wall_ms", "memory_kb"] {
                    assert!(test.get(key).is_some(), "test missing {key}: {test}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 24, "only {checked} bundled solutions found");
}

#[test]
fn verify_passes_on_the_bundled_set() {
    let output = run_sstar(&["verify", bundled_problems().to_str().expect("utf-8")]);
    let table = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{table}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(table.contains(" 0 not;"), "{table}");
}

fn echo_problem(dir: &std::path::Path) {
    write_problem(
        dir,
        &[
            (
                "problem.toml",
                "title = \"echo\"\nkind = \"stdio\"\ntime_limit_ms = 1000\n",
            ),
            ("statement.md", "Print the input."),
            ("tests/public/1.in", "hello\n"),
            ("tests/public/1.out", "hello\n"),
            ("tests/hidden/2.in", "world\n"),
            ("tests/hidden/2.out", "world\n"),
            ("tests/hidden/10.in", "again\n"),
            ("tests/hidden/10.out", "again\n"),
        ],
    );
}

#[test]
fn judge_json_reports_tests_in_natural_order_and_stops_at_first_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    echo_problem(dir.path());
    let good = dir.path().join("good.py");
    std::fs::write(&good, "print(input())").expect("write");
    let output = run_sstar(&[
        "judge",
        dir.path().to_str().expect("utf-8"),
        good.to_str().expect("utf-8"),
        "--json",
    ]);
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    let names: Vec<_> = report["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| t["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["public/1", "hidden/2", "hidden/10"]);
    assert_eq!(
        (report["passed"].as_u64(), report["total"].as_u64()),
        (Some(3), Some(3))
    );

    let bad = dir.path().join("bad.py");
    std::fs::write(&bad, "s = input()\nprint(s if s != 'world' else 'nope')").expect("write");
    let path = |p: &std::path::Path| p.to_str().expect("utf-8").to_owned();
    let output = run_sstar(&["judge", &path(dir.path()), &path(&bad), "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["verdict"], "wrong_answer");
    assert_eq!(
        report["tests"].as_array().map(Vec::len),
        Some(2),
        "stops after the first failure"
    );
    let output = run_sstar(&[
        "judge",
        &path(dir.path()),
        &path(&bad),
        "--json",
        "--all-tests",
        "--tests",
        "hidden",
    ]);
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["tests"].as_array().map(Vec::len), Some(2));
    assert_eq!(report["passed"], 1);
}

#[test]
fn the_api_key_never_reaches_a_candidate() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_problem(
        dir.path(),
        &[
            ("problem.toml", "title = \"key\"\nkind = \"stdio\"\n"),
            ("statement.md", "Print nothing useful."),
            ("tests/public/1.in", ""),
            ("tests/public/1.out", "None\n"),
        ],
    );
    let program = dir.path().join("steal.py");
    std::fs::write(
        &program,
        "import os\nprint(os.environ.get('OPENAI_API_KEY'))",
    )
    .expect("write");
    let output = sstar()
        .args([
            "judge",
            dir.path().to_str().expect("utf-8"),
            program.to_str().expect("utf-8"),
        ])
        .env("OPENAI_API_KEY", "sk-test-do-not-leak")
        .output()
        .expect("run");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn global_flags_work_after_the_subcommand_and_errors_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    echo_problem(dir.path());
    let program = dir.path().join("p.py");
    std::fs::write(&program, "print(input())").expect("write");
    let output = sstar()
        .args([
            "judge",
            dir.path().to_str().expect("utf-8"),
            program.to_str().expect("utf-8"),
            "-q",
        ])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));

    let missing = run_sstar(&[
        "judge",
        "/nonexistent/problem",
        program.to_str().expect("utf-8"),
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/problem"));

    let no_python = sstar()
        .args([
            "judge",
            dir.path().to_str().expect("utf-8"),
            program.to_str().expect("utf-8"),
        ])
        .env("SSTAR_PYTHON", "/nonexistent/python3")
        .output()
        .expect("run");
    assert_eq!(no_python.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_python.stderr).contains("/nonexistent/python3"));

    assert_eq!(run_sstar(&["judge"]).status.code(), Some(2), "usage error");
}

#[test]
fn a_malformed_problem_is_reported_and_the_rest_of_the_set_runs() {
    let set = tempfile::tempdir().expect("tempdir");
    echo_problem(&set.path().join("good"));
    write_problem(
        &set.path().join("good"),
        &[("solutions/reference.py", "print(input())")],
    );
    write_problem(
        &set.path().join("broken"),
        &[
            ("problem.toml", "title = \"broken\"\nkind = \"stdio\"\n"),
            ("statement.md", "x"),
            ("tests/public/1.in", "x\n"),
        ],
    );
    let output = run_sstar(&["verify", set.path().to_str().expect("utf-8")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("broken") && stderr.contains("1.in"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("good") && stdout.contains("reference"),
        "{stdout}"
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "a malformed problem makes verify fail"
    );
}

/// `sstar judge PROBLEM FILE --json ARGS...` with its own compiled-binary cache; the report.
fn judge_cpp(
    problem: &std::path::Path,
    program: &std::path::Path,
    cache: &std::path::Path,
    args: &[&str],
) -> (Option<i32>, Value, String) {
    let output = sstar()
        .arg("judge")
        .arg(problem)
        .arg(program)
        .arg("--json")
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .env_remove("SSTAR_CXXFLAGS")
        .output()
        .expect("run sstar");
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (
        output.status.code(),
        report,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_cpp_program_is_judged_from_its_extension_and_compiled_once_across_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    echo_problem(&dir.path().join("echo"));
    let program = dir.path().join("echo.cpp");
    std::fs::write(
        &program,
        "#include <bits/stdc++.h>\nint main(){ std::string s; while (std::getline(std::cin, s)) std::cout << s << '\\n'; }\n",
    )
    .expect("write");
    let cache = dir.path().join("cache");
    let (code, first, stderr) = judge_cpp(&dir.path().join("echo"), &program, &cache, &[]);
    assert_eq!(code, Some(0), "{first} {stderr}");
    assert_eq!(first["language"], "cpp");
    assert_eq!(first["compile"]["compiled"], 1, "{first}");
    // A second command: the binary comes from the user's cache, nothing is compiled.
    let (code, second, stderr) = judge_cpp(&dir.path().join("echo"), &program, &cache, &[]);
    assert_eq!(code, Some(0), "{second} {stderr}");
    assert_eq!(second["compile"]["compiled"], 0, "{second}");
    assert_eq!(second["compile"]["disk_hits"], 1, "{second}");
}

#[test]
fn a_compile_error_shows_the_compiler_and_the_flags_are_the_users() {
    let dir = tempfile::tempdir().expect("tempdir");
    let problem = dir.path().join("echo");
    echo_problem(&problem);
    // Compiles only as C++20: an error under the default flags, fine under the user's.
    let program = dir.path().join("needs20.cc");
    std::fs::write(
        &program,
        "#include <cstdio>\n#if __cplusplus <= 201703L\n#error this program needs C++20\n#endif\nint main(){ char b[256]; while (fgets(b, sizeof b, stdin)) fputs(b, stdout); }\n",
    )
    .expect("write");
    let cache = dir.path().join("cache");
    let output = sstar()
        .arg("judge")
        .arg(&problem)
        .arg(&program)
        .arg("--all-tests")
        .env("XDG_CACHE_HOME", &cache)
        .env_remove("SSTAR_CXXFLAGS")
        .output()
        .expect("judge");
    let shown = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    assert!(shown.contains("compile_error"), "{shown}");
    assert!(
        shown.contains("solution.cpp:3:2: error: #error this program needs C++20"),
        "{shown}"
    );
    // Every test is a compile error; the compiler's message is shown once.
    assert_eq!(shown.matches("--- ").count(), 1, "{shown}");
    let (code, report, stderr) = judge_cpp(
        &problem,
        &program,
        &cache,
        &["--cxx-flags", "-std=gnu++20 -O2"],
    );
    assert_eq!(code, Some(0), "{report} {stderr}");
    // The language is the flag's, whatever the extension says.
    let (code, report, _) = judge_cpp(&problem, &program, &cache, &["--language", "python"]);
    assert_eq!(
        (code, &report["language"]),
        (Some(1), &Value::from("python")),
        "{report}"
    );
}

#[test]
fn the_wasm_sandbox_refuses_cpp_naming_the_process_sandbox() {
    let dir = tempfile::tempdir().expect("tempdir");
    echo_problem(&dir.path().join("echo"));
    let program = dir.path().join("p.cpp");
    std::fs::write(&program, "int main(){}\n").expect("write");
    let output = sstar()
        .arg("judge")
        .arg(dir.path().join("echo"))
        .arg(&program)
        .args(["--sandbox", "wasm"])
        .output()
        .expect("judge");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--sandbox process"), "{stderr}");
}

/// A `python3` on PATH that is a pyenv shim, counting how often it is asked: `sstar judge`
/// runs from `cwd` with it, and the shim's count afterwards.
fn judge_through_shim(
    shim_dir: &std::path::Path,
    cwd: &std::path::Path,
    envs: &[(&str, &str)],
) -> usize {
    let problem = cwd.join("echo");
    if !problem.exists() {
        echo_problem(&problem);
        std::fs::write(cwd.join("echo.py"), "print(input())\n").expect("write program");
    }
    let path = format!(
        "{}:{}",
        shim_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = sstar()
        .args(["judge", "echo", "echo.py"])
        .current_dir(cwd)
        .env_remove("SSTAR_PYTHON")
        .env_remove("PYENV_VERSION")
        .env("PATH", path)
        .env("XDG_CACHE_HOME", shim_dir.join("cache"))
        .envs(envs.iter().copied())
        .output()
        .expect("run sstar");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read_to_string(shim_dir.join("asked"))
        .unwrap_or_default()
        .lines()
        .count()
}

#[test]
fn a_pyenv_shims_answer_is_kept_until_a_version_is_chosen_again() {
    use std::os::unix::fs::PermissionsExt;
    let real = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3");
    let real = String::from_utf8_lossy(&real.stdout).trim().to_owned();
    let shims = tempfile::tempdir().expect("tempdir");
    let shim = shims.path().join("python3");
    let asked = shims.path().join("asked");
    std::fs::write(
        &shim,
        format!(
            "#!/bin/sh\n# a pyenv shim, as far as sstar can tell\necho asked >> '{}'\nexec '{real}' \"$@\"\n",
            asked.display()
        ),
    )
    .expect("write shim");
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let project = tempfile::tempdir().expect("tempdir");
    let cwd = project.path();
    assert_eq!(judge_through_shim(shims.path(), cwd, &[]), 1);
    assert_eq!(
        judge_through_shim(shims.path(), cwd, &[]),
        1,
        "the answer is kept"
    );
    std::fs::write(cwd.join(".python-version"), "3.11\n").expect("pyenv local");
    assert_eq!(
        judge_through_shim(shims.path(), cwd, &[]),
        2,
        "a local version asks again"
    );
    assert_eq!(judge_through_shim(shims.path(), cwd, &[]), 2);
    let shell = [("PYENV_VERSION", "system")];
    assert_eq!(
        judge_through_shim(shims.path(), cwd, &shell),
        3,
        "a shell version asks again"
    );
    assert_eq!(judge_through_shim(shims.path(), cwd, &shell), 3);
}
