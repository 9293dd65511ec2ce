//! `sstar fix` end to end through the CLI: a fixture repository with a buggy function, its
//! tests run by pytest or unittest inside the sandbox, a scripted model server on 127.0.0.1.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::common::sstar;
use crate::fix_model::{FixModel, BREAKS_ANOTHER_TEST, RIGHT, WRONG_ON_UNTESTED};
use crate::llm::support::request_count;

/// What an attacker tries against the bot itself.
#[path = "fix_attacks.rs"]
mod attacks;

const PYTEST: &str = "python3 -m pytest -q";
const UNITTEST: &str = "python3 -m unittest -q";
/// A key in sstar's environment that the fixture's tests must never see.
const SECRET: &str = "sk-fix-test-secret";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fix/repo")
}

/// Copies the fixture repository into `dir`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A hash of every path, mode and content under `dir`.
fn tree_hash(dir: &Path) -> String {
    fn walk(dir: &Path, root: &Path, hash: &mut Sha256) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).expect("read").flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            use std::os::unix::fs::PermissionsExt as _;
            let meta = entry.metadata().expect("metadata");
            let relative = entry.path().strip_prefix(root).expect("inside").to_owned();
            hash.update(relative.to_string_lossy().as_bytes());
            hash.update(meta.permissions().mode().to_le_bytes());
            if meta.is_dir() {
                walk(&entry.path(), root, hash);
            } else {
                hash.update(std::fs::read(entry.path()).expect("read file"));
            }
        }
    }
    let mut hash = Sha256::new();
    walk(dir, dir, &mut hash);
    hex::encode(hash.finalize())
}

/// pytest must be importable by the sandbox's interpreter (scripts/test installs it).
fn require_pytest() {
    let found = Command::new("python3")
        .args(["-c", "import pytest"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "pytest is missing: scripts/test installs it (python3 -m pip install pytest)"
    );
}

async fn model_server(definitions: Vec<&'static str>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(FixModel { definitions })
        .mount(&server)
        .await;
    server
}

/// `sstar fix REPO --test CMD --file stats.py --function median EXTRA...` against `server`.
async fn fix(server: &MockServer, repo: &Path, test: &str, extra: &[&str]) -> Output {
    fix_env(server, repo, test, extra, &[]).await
}

/// [`fix`] with more environment variables.
async fn fix_env(
    server: &MockServer,
    repo: &Path,
    test: &str,
    extra: &[&str],
    env: &[(&str, &Path)],
) -> Output {
    let mut command = sstar();
    command
        .arg("fix")
        .arg(repo)
        .args(["--test", test, "--file", "stats.py", "--function", "median"])
        .args([
            "--base-url",
            &format!("{}/v1", server.uri()),
            "--model",
            "scripted",
        ])
        .args(extra)
        .env("OPENAI_API_KEY", SECRET)
        .env_remove("OPENAI_BASE_URL")
        .env_remove("SSTAR_MODEL")
        .env("SSTAR_WORKERS", "2")
        .envs(env.iter().copied());
    tokio::task::spawn_blocking(move || command.output().expect("run sstar fix"))
        .await
        .expect("join")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn fix_proposes_the_right_candidate_as_a_patch_git_applies_and_a_rerun_resumes() {
    require_pytest();
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    copy_tree(&fixture(), &repo);
    // The fixture's network test dials this listener: a connection would reach it.
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    std::fs::write(repo.join("probe.json"), format!("{{\"port\": {port}}}")).expect("probe");
    let before = tree_hash(&repo);
    let server = model_server(vec![BREAKS_ANOTHER_TEST, WRONG_ON_UNTESTED, RIGHT]).await;
    let run_dir = dir.path().join("run");
    let (patch, comment) = (dir.path().join("fix.patch"), dir.path().join("comment.md"));
    let out = fix(
        &server,
        &repo,
        PYTEST,
        &[
            "--samples",
            "3",
            "--run-dir",
            run_dir.to_str().expect("utf-8"),
            "--out",
            patch.to_str().expect("utf-8"),
            "--comment",
            comment.to_str().expect("utf-8"),
        ],
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stderr}\n{}",
        text(&out.stdout)
    );
    let diff = text(&out.stdout);
    assert!(
        diff.starts_with("--- a/stats.py\n+++ b/stats.py\n"),
        "{diff}"
    );
    assert!(
        diff.contains("+    ordered = sorted(values)"),
        "the right fix: {diff}"
    );
    assert_eq!(std::fs::read_to_string(&patch).expect("--out"), diff);

    // Contained: the tests' attempts at the network never arrived; REPO is as it was.
    assert!(
        listener.accept().is_err(),
        "a test reached the host network"
    );
    assert_eq!(tree_hash(&repo), before, "REPO was written");

    // Selection happened the S* way and is on record.
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run_dir.join("fix.json")).expect("fix.json"))
            .expect("json");
    assert_eq!(report["outcome"], "proposed");
    let passed: Vec<bool> = report["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| c["passed"].as_bool().expect("passed"))
        .collect();
    assert_eq!(passed, [false, true, true], "{report:#}");
    assert_eq!(
        report["inputs"],
        serde_json::json!(["[[4,1,3,2]]", "[[5,3,1]]"])
    );
    assert_eq!(report["groups"].as_array().expect("groups").len(), 2);
    let judged = &report["comparisons"][0];
    assert_eq!(judged["decided_by"], "model", "{report:#}");
    let smaller = report["survivors"][0]["change_lines"]
        .as_u64()
        .expect("lines");
    let chosen = report["survivors"][1]["change_lines"]
        .as_u64()
        .expect("lines");
    assert!(
        smaller < chosen,
        "the judge, not the size, decided: {report:#}"
    );
    let comment = std::fs::read_to_string(&comment).expect("--comment");
    for part in [
        "```diff",
        "python3 -m pytest -q",
        "median(*[[4,1,3,2]])",
        "returned 2.5",
        "tokens",
    ] {
        assert!(comment.contains(part), "comment lacks {part}:\n{comment}");
    }
    assert!(!std::fs::read_to_string(run_dir.join("fix.json"))
        .expect("fix.json")
        .contains(SECRET));

    // The printed diff applies with `git apply` in a copy, and the suite then passes.
    let applied = dir.path().join("applied");
    copy_tree(&repo, &applied);
    let git = Command::new("git")
        .args(["apply", "--verbose"])
        .arg(&patch)
        .current_dir(&applied)
        .output()
        .expect("git apply");
    assert!(git.status.success(), "git apply: {}", text(&git.stderr));
    let pytest = Command::new("python3")
        .args(["-m", "pytest", "-q", "tests/test_stats.py"])
        .current_dir(&applied)
        .env_remove("OPENAI_API_KEY")
        .output()
        .expect("pytest");
    assert!(pytest.status.success(), "{}", text(&pytest.stdout));
    let requests = request_count(&server).await;
    let again = fix(
        &server,
        &applied,
        PYTEST,
        &[
            "--run-dir",
            dir.path().join("run2").to_str().expect("utf-8"),
        ],
    )
    .await;
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(
        text(&again.stdout),
        "nothing to fix: `python3 -m pytest -q` passes (8 tests passed, by its record)\n"
    );

    // A rerun with the same run directory resumes: every answer comes from the cache.
    let rerun = fix(
        &server,
        &repo,
        PYTEST,
        &[
            "--samples",
            "3",
            "--run-dir",
            run_dir.to_str().expect("utf-8"),
        ],
    )
    .await;
    assert_eq!(rerun.status.code(), Some(0), "{}", text(&rerun.stderr));
    assert_eq!(text(&rerun.stdout), diff);
    assert_eq!(
        request_count(&server).await,
        requests,
        "the rerun asked the model again"
    );
}

#[tokio::test]
async fn a_passing_suite_is_nothing_to_fix_without_a_model_call_under_unittest_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    copy_tree(&fixture(), &repo);
    let source = std::fs::read_to_string(repo.join("stats.py")).expect("read");
    let fixed = source.replace("return values[mid]\n", "return sorted(values)[mid]\n");
    assert_ne!(fixed, source);
    std::fs::write(repo.join("stats.py"), fixed).expect("write");
    let server = model_server(vec![RIGHT]).await;
    let run_dir = dir.path().join("run");
    let out = fix(
        &server,
        &repo,
        UNITTEST,
        &["--run-dir", run_dir.to_str().expect("utf-8")],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "nothing to fix: `python3 -m unittest -q` exits 0 (it left no record of its tests to check)\n"
    );
    assert_eq!(request_count(&server).await, 0);
    // unittest really ran the fixture's tests (containment ones included) and they passed.
    let report = std::fs::read_to_string(run_dir.join("fix.json")).expect("fix.json");
    assert!(report.contains("Ran 8 tests"), "{report}");
    // fix.json has one shape however the run ended.
    let report: serde_json::Value = serde_json::from_str(&report).expect("json");
    assert_eq!(report["outcome"], "nothing_to_fix");
    assert_eq!(report["candidates"], serde_json::json!([]));
    assert!(report["before"]["passed"].as_bool().expect("before"));
}

#[tokio::test]
async fn no_candidate_passing_is_exit_1_with_a_comment_saying_so() {
    require_pytest();
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    copy_tree(&fixture(), &repo);
    let server = model_server(vec![BREAKS_ANOTHER_TEST]).await;
    let comment = dir.path().join("comment.md");
    let out = fix(
        &server,
        &repo,
        PYTEST,
        &[
            "--samples",
            "1",
            "--rounds",
            "1",
            "--run-dir",
            dir.path().join("run").to_str().expect("utf-8"),
            "--comment",
            comment.to_str().expect("utf-8"),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "no patch: {}", text(&out.stdout));
    assert!(text(&out.stderr).contains("no candidate made"));
    let comment = std::fs::read_to_string(&comment).expect("comment");
    assert!(
        comment.contains("sstar found no fix for `median`"),
        "{comment}"
    );
    // One generation request, then one debug round (its answer holds no code: the end).
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn a_usage_error_is_exit_2_without_a_model_call() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    copy_tree(&fixture(), &repo);
    let server = model_server(vec![RIGHT]).await;
    let run = dir.path().join("run");
    let run = run.to_str().expect("utf-8");
    let mut command = sstar();
    command
        .arg("fix")
        .arg(&repo)
        .args(["--test", PYTEST, "--file", "stats.py", "--function", "mode"])
        .args([
            "--base-url",
            &format!("{}/v1", server.uri()),
            "--model",
            "scripted",
        ])
        .args(["--run-dir", run]);
    let out = tokio::task::spawn_blocking(move || command.output().expect("run"))
        .await
        .expect("join");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("function `mode` is not a top-level function of stats.py"),
        "{}",
        text(&out.stderr)
    );
    let missing = fix(
        &server,
        &dir.path().join("absent"),
        PYTEST,
        &["--run-dir", run],
    )
    .await;
    assert_eq!(missing.status.code(), Some(2));
    let outside = crate::common::run_sstar(&[
        "fix",
        repo.to_str().expect("utf-8"),
        "--test",
        PYTEST,
        "--file",
        "../x.py",
        "--function",
        "f",
        "--run-dir",
        run,
    ]);
    assert_eq!(outside.status.code(), Some(2), "{}", text(&outside.stderr));
    assert_eq!(request_count(&server).await, 0);
}
