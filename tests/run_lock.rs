//! One writer per run directory, through the real binary: while `<RUN>/.lock` is held (here by
//! the test itself, so nothing depends on timing), `solve`, `eval` and `merge` writing that
//! directory exit 2 at once naming it, and write nothing; once released, they run.

use std::fs::File;
use std::path::Path;
use std::process::Output;

use crate::common::{echo_problem, run_sstar};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

/// Holds `<dir>/.lock` the way another sstar would.
fn hold(dir: &Path) -> File {
    std::fs::create_dir_all(dir).expect("mkdir");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".lock"))
        .expect("open lock");
    file.try_lock().expect("the test takes the lock first");
    file
}

fn assert_refused(output: &Output, dir: &Path) {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: in use by another sstar", dir.display())),
        "{stderr}"
    );
}

#[test]
fn a_held_run_directory_refuses_every_writer_and_frees_on_release() {
    let dir = tempfile::tempdir().expect("tempdir");
    let set = dir.path().join("set");
    echo_problem(&set.join("echo"));
    let candidates = dir.path().join("candidates.jsonl");
    std::fs::write(
        &candidates,
        "{\"id\": \"echo\", \"code\": \"print(input())\"}\n",
    )
    .expect("write");
    let run = dir.path().join("run");
    let solve = || {
        run_sstar(&[
            "solve",
            path(&set),
            "--out",
            path(&run),
            "--candidates",
            path(&candidates),
        ])
    };

    // A second solve on a held directory stops before writing anything.
    let held = hold(&run);
    assert_refused(&solve(), &run);
    assert!(!run.join("run.json").exists());
    assert!(!run.join("results.jsonl").exists());
    drop(held);

    let first = solve();
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let results = std::fs::read_to_string(run.join("results.jsonl")).expect("results");
    assert_eq!(results.lines().count(), 1);

    let held = hold(&run);
    assert_refused(&solve(), &run);
    assert_refused(&run_sstar(&["eval", path(&run)]), &run);
    assert!(!run.join("eval.json").exists());
    // merge: a held output, and an input still being written.
    let merged = dir.path().join("merged");
    assert_refused(
        &run_sstar(&["merge", path(&run), "--out", path(&merged)]),
        &run,
    );
    assert!(!merged.join("results.jsonl").exists());
    drop(held);
    let held = hold(&merged);
    assert_refused(
        &run_sstar(&["merge", path(&run), "--out", path(&merged)]),
        &merged,
    );
    drop(held);

    // Released: everything runs, and the resumed solve adds no second result.
    let again = solve();
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(
        std::fs::read_to_string(run.join("results.jsonl"))
            .expect("results")
            .lines()
            .count(),
        1
    );
    let eval = run_sstar(&["eval", path(&run)]);
    assert_eq!(eval.status.code(), Some(0), "{}", text(&eval.stderr));
    assert!(run.join("eval.json").exists());
    let merge = run_sstar(&["merge", path(&run), "--out", path(&merged)]);
    assert_eq!(merge.status.code(), Some(0), "{}", text(&merge.stderr));
    assert!(merged.join("results.jsonl").exists());
}
