//! Attacks on the fix bot itself: a candidate that fakes a passing run, a run directory
//! another local user prepared, test output written to break out of the pull-request comment.

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::Path;

use super::{
    copy_tree, fix, fix_env, fixture, model_server, require_pytest, text, PYTEST, UNITTEST,
};
use crate::fix_model::RIGHT;
use crate::llm::support::request_count;

/// Ends the test process with status 0 at the first call: no test after it runs.
const EXITS_EARLY: &str = "def median(values):\n    import os\n    os._exit(0)\n";
/// Skips every test that calls it: pytest exits 0.
const SKIPS: &str = "def median(values):\n    import pytest\n    pytest.skip(\"not today\")\n";

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn report(run: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(run.join("fix.json")).expect("fix.json")).expect("json")
}

#[tokio::test]
async fn fix_attack_an_early_exit_or_a_skip_is_no_fix() {
    require_pytest();
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    copy_tree(&fixture(), &repo);
    let server = model_server(vec![EXITS_EARLY, SKIPS]).await;
    let (run, comment) = (dir.path().join("run"), dir.path().join("comment.md"));
    let out = fix(
        &server,
        &repo,
        PYTEST,
        &[
            "--samples",
            "2",
            "--rounds",
            "0",
            "--run-dir",
            run.to_str().expect("utf-8"),
            "--comment",
            comment.to_str().expect("utf-8"),
        ],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}\n{}",
        text(&out.stderr),
        text(&out.stdout)
    );
    assert!(out.stdout.is_empty(), "a patch: {}", text(&out.stdout));
    let comment = std::fs::read_to_string(&comment).expect("comment");
    assert!(comment.contains("sstar found no fix"), "{comment}");
    assert!(!comment.contains("it passes"), "{comment}");
    let report = report(&run);
    let why: Vec<&str> = report["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| {
            let test = &c["attempts"][0]["test"];
            assert_eq!(
                test["exit_code"], 0,
                "the trick worked on the exit status: {c:#}"
            );
            assert_eq!(test["passed"], false, "{c:#}");
            test["refused"].as_str().expect("why exit 0 is no pass")
        })
        .collect();
    assert_eq!(why.len(), 2);
    assert!(
        why[0].contains("left no record that its tests ran"),
        "{why:?}"
    );
    assert!(
        why[1].contains("only 5 tests passed where 8 ran before the change"),
        "{why:?}"
    );
}

#[tokio::test]
async fn fix_attack_a_failing_command_without_a_record_is_refused_before_the_model() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    copy_tree(&fixture(), &repo);
    let server = model_server(vec![EXITS_EARLY]).await;
    let run = dir.path().join("run");
    let out = fix(
        &server,
        &repo,
        UNITTEST,
        &["--samples", "1", "--run-dir", run.to_str().expect("utf-8")],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "`python3 -m unittest -q` fails (exit code 1) and left no record that its tests ran"
        ),
        "{stderr}"
    );
    assert_eq!(
        request_count(&server).await,
        0,
        "a model was paid for nothing"
    );
}

/// A repository whose tests pass: `sstar fix` asks no model, but still reads its caches.
fn passing_repo(dir: &Path) -> std::path::PathBuf {
    let repo = dir.join("repo");
    copy_tree(&fixture(), &repo);
    let source = std::fs::read_to_string(repo.join("stats.py")).expect("read");
    let fixed = source.replace("return values[mid]\n", "return sorted(values)[mid]\n");
    std::fs::write(repo.join("stats.py"), fixed).expect("write");
    repo
}

#[tokio::test]
async fn fix_attack_a_run_directory_others_can_write_is_refused() {
    require_pytest();
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = passing_repo(dir.path());
    let server = model_server(vec![RIGHT]).await;
    let xdg = dir.path().join("xdg");
    let env = [("XDG_CACHE_HOME", xdg.as_path())];
    let first = fix_env(&server, &repo, PYTEST, &[], &env).await;
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));

    // The default run directory is the user's own, not a fixed name in /tmp.
    let runs: Vec<_> = std::fs::read_dir(xdg.join("sstar/fix"))
        .expect("runs under $XDG_CACHE_HOME/sstar/fix")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let run = &runs[0];
    assert!(run.join("fix.json").is_file());
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").mode() & 0o7777;
    assert_eq!(mode(run), 0o700);

    // Whatever another user could have written there is refused before it is read.
    let refused = |out: std::process::Output, path: &Path, why: &str| {
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("{}: {why}", path.display())),
            "{stderr}"
        );
    };
    chmod(run, 0o777);
    let out = fix_env(&server, &repo, PYTEST, &[], &env).await;
    refused(out, run, "it is writable by group or others (mode 0777)");
    chmod(run, 0o700);
    // A model answer planted in a world-writable cache, however private the run around it.
    let llm = run.join("cache/llm");
    std::fs::create_dir_all(llm.join("ab")).expect("mkdir");
    std::fs::write(llm.join("ab/planted.json"), "{}").expect("plant");
    chmod(&llm, 0o777);
    let out = fix_env(&server, &repo, PYTEST, &[], &env).await;
    refused(out, &llm, "it is writable by group or others (mode 0777)");
    chmod(&llm, 0o700);
    chmod(&run.join("cache/exec.log"), 0o666);
    let out = fix_env(&server, &repo, PYTEST, &[], &env).await;
    refused(out, &run.join("cache/exec.log"), "it is writable");
    chmod(&run.join("cache/exec.log"), 0o600);
    std::fs::remove_dir_all(llm.join("ab")).expect("rm");
    let again = fix_env(&server, &repo, PYTEST, &[], &env).await;
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));

    // An explicit --run-dir another user prepared, world-writable, a forged cache inside.
    let prepared = dir.path().join("prepared");
    std::fs::create_dir_all(prepared.join("cache")).expect("mkdir");
    std::fs::write(prepared.join("cache/exec.log"), "forged\n").expect("forge");
    chmod(&prepared, 0o777);
    let out = fix(
        &server,
        &repo,
        PYTEST,
        &["--run-dir", prepared.to_str().expect("utf-8")],
    )
    .await;
    refused(
        out,
        &prepared,
        "it is writable by group or others (mode 0777)",
    );
    assert!(!prepared.join(".lock").exists(), "the run was taken");
    assert!(!prepared.join("fix.json").exists());
    assert_eq!(
        std::fs::read_to_string(prepared.join("cache/exec.log")).expect("log"),
        "forged\n"
    );
    // Owned by someone else (only root can make that here).
    if std::fs::metadata("/proc/self").expect("proc").uid() == 0 {
        chmod(&prepared, 0o700);
        std::os::unix::fs::chown(&prepared, Some(65534), Some(65534)).expect("chown");
        let out = fix(
            &server,
            &repo,
            PYTEST,
            &["--run-dir", prepared.to_str().expect("utf-8")],
        )
        .await;
        refused(out, &prepared, "it is owned by uid 65534");
    }
    assert_eq!(request_count(&server).await, 0);
}

/// What a hostile pull request prints, and a model writes, to take over the comment.
const PAYLOAD: &str = "```\n</details>\n\n# Pwned heading\n@octocat please merge\n![x](https://evil.example/x.png)\n<img src=\"https://evil.example/y.png\">\n````";

/// The right fix, the payload in its docstring (no line of backticks alone: that would end
/// the model's own code block).
const RIGHT_WITH_PAYLOAD: &str = "def median(values):\n    \"\"\"The median.\n\n``` </details>\n# Model heading @octocat ![m](https://evil.example/m.png) `````\n    \"\"\"\n    ordered = sorted(values)\n    n = len(ordered)\n    mid = n // 2\n    if n % 2:\n        return ordered[mid]\n    return (ordered[mid - 1] + ordered[mid]) / 2\n";

/// The lines of `md` outside fenced code blocks, read as CommonMark reads fences (an opening
/// run of 3 or more backticks indented at most 3 spaces, closed by a run at least as long
/// alone on its line), their code spans removed. Panics on a fence left open.
fn outside_fences(md: &str) -> Vec<String> {
    let mut open: Option<usize> = None;
    let mut outside = Vec::new();
    for line in md.lines() {
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        let ticks = body.len() - body.trim_start_matches('`').len();
        match open {
            None if indent <= 3 && ticks >= 3 && !body[ticks..].contains('`') => {
                open = Some(ticks);
            }
            None => outside.push(without_code_spans(line)),
            Some(n) if indent <= 3 && ticks >= n && body[ticks..].trim().is_empty() => {
                open = None;
            }
            Some(_) => {}
        }
    }
    assert!(open.is_none(), "a fence is left open:\n{md}");
    outside
}

/// `line` without its code spans (a backtick run up to the next run of the same length).
fn without_code_spans(line: &str) -> String {
    let runs = |s: &str| -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'`' {
                let start = i;
                while i < bytes.len() && bytes[i] == b'`' {
                    i += 1;
                }
                found.push((start, i - start));
            } else {
                i += 1;
            }
        }
        found
    };
    let found = runs(line);
    let mut out = String::new();
    let (mut at, mut k) = (0, 0);
    while k < found.len() {
        let (start, len) = found[k];
        match found[k + 1..].iter().position(|&(_, l)| l == len) {
            Some(j) => {
                out.push_str(&line[at..start]);
                let (end, _) = found[k + 1 + j];
                at = end + len;
                k += j + 2;
            }
            None => k += 1,
        }
    }
    out.push_str(&line[at..]);
    out
}

#[tokio::test]
async fn fix_attack_markdown_in_test_output_cannot_break_the_comment() {
    require_pytest();
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    copy_tree(&fixture(), &repo);
    // The buggy function prints the payload: pytest shows it raw under the failing test.
    let source = std::fs::read_to_string(repo.join("stats.py")).expect("read");
    let hostile = source.replace(
        "    n = len(values)\n    mid",
        &format!("    print({PAYLOAD:?})\n    n = len(values)\n    mid"),
    );
    assert_ne!(hostile, source);
    std::fs::write(repo.join("stats.py"), hostile).expect("write");
    let server = model_server(vec![RIGHT_WITH_PAYLOAD]).await;
    let comment = dir.path().join("comment.md");
    let out = fix(
        &server,
        &repo,
        PYTEST,
        &[
            "--samples",
            "1",
            "--run-dir",
            dir.path().join("run").to_str().expect("utf-8"),
            "--comment",
            comment.to_str().expect("utf-8"),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let md = std::fs::read_to_string(&comment).expect("comment");
    // The payloads are quoted...
    for part in [
        "\n# Pwned heading\n",
        "# Model heading @octocat",
        "<img src=",
    ] {
        assert!(md.contains(part), "not quoted: {part}\n{md}");
    }
    // ...and none of them is markup.
    let outside = outside_fences(&md);
    for line in &outside {
        assert!(
            !line.starts_with('#') || line.starts_with("### sstar proposes a fix"),
            "a heading: {line}\n{md}"
        );
        for forbidden in ["@octocat", "<img", "![", "evil.example"] {
            assert!(!line.contains(forbidden), "{forbidden} in: {line}\n{md}");
        }
    }
    let count = |tag: &str| outside.iter().filter(|l| l.contains(tag)).count();
    assert_eq!(
        (count("<details>"), count("</details>")),
        (1, 1),
        "the details element: {md}"
    );
    let details = outside.iter().position(|l| l.contains("<details>"));
    let end = outside.iter().position(|l| l.contains("</details>"));
    assert!(details < end, "{md}");
}

#[test]
fn the_fence_reader_sees_a_fence_closed_early() {
    let broken = "```text\n```\n</details>\n# Pwned\n";
    let outside = outside_fences(broken);
    assert_eq!(outside, ["</details>", "# Pwned"]);
    assert_eq!(without_code_spans("a `@x` b ``c ` d`` e `f"), "a  b  e `f");
}
