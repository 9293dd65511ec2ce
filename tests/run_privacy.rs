//! A run directory another user can write to, through the real binary: its caches are
//! replayed as model answers and verdicts, so `solve` and `eval` refuse a run or `cache/`
//! that is group- or world-writable (or someone else's) with exit 2 naming it, and what sstar
//! creates itself is private whatever the umask.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use crate::common::{echo_problem, is_root, sstar};

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("stat").permissions().mode() & 0o7777
}

fn assert_refused(output: &Output, dir: &Path, why: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: {why}", dir.display())),
        "{stderr}"
    );
}

#[test]
fn a_run_directory_others_can_write_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let set = dir.path().join("set");
    echo_problem(&set.join("echo"));
    let candidates = dir.path().join("candidates.jsonl");
    std::fs::write(
        &candidates,
        "{\"id\": \"echo\", \"code\": \"print(input())\"}\n",
    )
    .expect("write");
    // Under `umask 0`, so a directory sstar makes with the default mode would be 0777.
    let solve = |run: &Path| -> Output {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg("umask 0 && exec \"$@\"")
            .arg("sh")
            .arg(sstar().get_program())
            .args(sstar().get_args())
            .args(["solve", path(&set), "--out", path(run), "--candidates"])
            .arg(&candidates)
            .env_remove("OPENAI_API_KEY")
            .env_remove("OPENAI_BASE_URL")
            .env_remove("SSTAR_MODEL");
        command.output().expect("run sstar solve")
    };

    let planted = dir.path().join("planted");
    std::fs::create_dir(&planted).expect("mkdir");
    chmod(&planted, 0o777);
    assert_refused(&solve(&planted), &planted, "mode 777 lets every user write");
    assert!(!planted.join("run.json").exists(), "nothing written");

    chmod(&planted, 0o755);
    std::fs::create_dir(planted.join("cache")).expect("mkdir");
    chmod(&planted.join("cache"), 0o777);
    assert_refused(
        &solve(&planted),
        &planted.join("cache"),
        "mode 777 lets every user write",
    );
    chmod(&planted.join("cache"), 0o775);
    assert_refused(
        &crate::common::run_sstar(&["eval", path(&planted)]),
        &planted.join("cache"),
        "mode 775 lets its group write",
    );

    if is_root() {
        // Root can hand the directory to someone else: owned by nobody, it is refused too.
        chmod(&planted.join("cache"), 0o755);
        std::os::unix::fs::chown(&planted, Some(65534), None).expect("chown");
        assert_refused(&solve(&planted), &planted, "owned by uid 65534, not you");
    }

    // A run sstar creates is private under any umask, and a second session accepts it.
    let fresh = dir.path().join("runs/fresh");
    let first = solve(&fresh);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    for made in [&fresh, &fresh.join("cache")] {
        assert_eq!(
            mode(made) & 0o022,
            0,
            "{} is {:o}",
            made.display(),
            mode(made)
        );
    }
    let again = solve(&fresh);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}
