//! Without namespaces a worker keeps its runs' scratch on the host: it must never empty the host's /tmp.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Run as root, the wrapper gives sstar a private mount namespace whose /tmp is `argv[1]`
/// (so even a regression cannot reach the real /tmp), denies the namespaces of the clone
/// flags `argv[2]` with a seccomp filter (unshare and clone with any of them: EPERM; clone3:
/// ENOSYS, so libc falls back to clone), then executes `argv[3:]`.
const WRAPPER: &str = r#"
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
def check(ret, what):
    if ret != 0:
        raise OSError(ctypes.get_errno(), what)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
check(libc.unshare(0x00020000), "unshare(CLONE_NEWNS)")
check(libc.mount(None, b"/", None, (1 << 18) | 16384, None), "make / private")
check(libc.mount(sys.argv[1].encode(), b"/tmp", None, 4096, None), "bind /tmp")
arch, unshare, clone, clone3 = {"x86_64": (0xC000003E, 272, 56, 435), "aarch64": (0xC00000B7, 97, 220, 435)}[os.uname().machine]
LD, JEQ, JSET, RET = 0x20, 0x15, 0x45, 0x06
ALLOW, EPERM, ENOSYS = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
prog = [
    (LD, 0, 0, 4), (JEQ, 1, 0, arch), (RET, 0, 0, ALLOW),
    (LD, 0, 0, 0), (JEQ, 0, 1, clone3), (RET, 0, 0, ENOSYS),
    (JEQ, 1, 0, unshare), (JEQ, 0, 3, clone),
    (LD, 0, 0, 16), (JSET, 0, 1, int(sys.argv[2], 0)), (RET, 0, 0, EPERM),
    (RET, 0, 0, ALLOW),
]
raw = b"".join(struct.pack("<HBBI", *i) for i in prog)
buf = ctypes.create_string_buffer(raw)
class Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
fprog = Fprog(len(prog), ctypes.addressof(buf))
check(libc.prctl(38, 1, 0, 0, 0), "no_new_privs")
check(libc.prctl(22, 2, ctypes.byref(fprog), 0, 0), "seccomp")
os.execv(sys.argv[3], sys.argv[3:])
"#;

const CANDIDATE: &str = r#"import os, tempfile
with open('note.txt', 'w') as f:
    f.write('scratch ok')
assert open('note.txt').read() == 'scratch ok'
here = os.getcwd()
assert os.path.basename(os.path.dirname(here)).startswith('sstar-scratch-'), here
fd, path = tempfile.mkstemp()
os.close(fd)
assert os.path.dirname(path) == here, (path, here)
print(input())
"#;

const CLONE_NEWUSER: &str = "0x10000000";
/// Every CLONE_NEW* flag: NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME.
const CLONE_NEW_ANY: &str = "0x7E020080";

/// The fallback for real: sstar as nobody with user namespaces denied, so no namespace at all
/// and no chroot; runs share nobody's uid. Canaries in /tmp that nobody may delete must
/// outlive the runs, which still get a writable scratch directory (and TMPDIR) of their own,
/// removed afterwards.
#[test]
#[ignore = "needs root (to become nobody), /usr/bin/setpriv and /usr/bin/python3"]
fn without_user_namespaces_runs_never_empty_the_hosts_tmp() {
    judge_in_fallback(CLONE_NEWUSER, true, "no user namespace");
}

/// Root where namespaces are denied (a container's default seccomp profile): no mount
/// namespace, no chroot, runs drop to a uid of their own; the buggy code emptied /tmp as root.
#[test]
#[ignore = "needs root (to become nobody), /usr/bin/setpriv and /usr/bin/python3"]
fn as_root_without_namespaces_runs_never_empty_the_hosts_tmp() {
    judge_in_fallback(CLONE_NEW_ANY, false, "no mount namespace");
}

fn judge_in_fallback(denied_clone_flags: &str, as_nobody: bool, expected_warning: &str) {
    let python = Path::new("/usr/bin/python3");
    let setpriv = Path::new("/usr/bin/setpriv");
    crate::common::require(
        crate::common::is_root() && python.exists() && setpriv.exists(),
        "root (to become nobody), /usr/bin/setpriv and /usr/bin/python3",
    );
    // The private mount namespace's /tmp: world-writable and sticky, like the real one.
    let fake_tmp = tempfile::tempdir().expect("tempdir");
    let tmp = fake_tmp.path();
    std::fs::set_permissions(tmp, PermissionsExt::from_mode(0o1777)).expect("chmod");
    crate::common::echo_problem(&tmp.join("problem"));
    std::fs::write(tmp.join("problem/solution.py"), CANDIDATE).expect("write");
    std::fs::write(tmp.join("canary"), "still here").expect("write");
    std::fs::create_dir(tmp.join("canary-dir")).expect("mkdir");
    std::fs::write(tmp.join("canary-dir/inner"), "still here").expect("write");
    // The binary runs from inside the fake /tmp: the real one (and a checkout under it, as in
    // a CI clone in /tmp) is hidden by the bind.
    std::fs::create_dir(tmp.join("bin")).expect("mkdir");
    std::fs::copy(env!("CARGO_BIN_EXE_sstar"), tmp.join("bin/sstar")).expect("copy sstar");
    // Everything nobody's, so nothing but the code under test stops nobody deleting it.
    let chown = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(tmp)
        .status()
        .expect("chown");
    assert!(chown.success());
    std::fs::set_permissions(tmp, PermissionsExt::from_mode(0o1777)).expect("chmod");

    let mut command = std::process::Command::new(python);
    command
        .args(["-c", WRAPPER])
        .arg(tmp)
        .arg(denied_clone_flags);
    if as_nobody {
        command
            .arg(setpriv)
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
    }
    let output = command
        .args(["/tmp/bin/sstar", "--no-progress", "judge"])
        .args(["/tmp/problem", "/tmp/problem/solution.py", "--json"])
        .env("SSTAR_PYTHON", python)
        .env("HOME", "/tmp")
        .env_remove("TMPDIR")
        .output()
        .expect("run the wrapper");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Otherwise this tested the namespaced path, not the fallback.
    assert!(
        stderr.contains(expected_warning),
        "the fallback was not exercised:\n{stdout}\n{stderr}"
    );
    for canary in ["canary", "canary-dir/inner"] {
        assert!(
            tmp.join(canary).exists(),
            "a run deleted /tmp/{canary} on the host:\n{stdout}\n{stderr}"
        );
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("bad json ({e}):\n{stdout}\n{stderr}"));
    assert_eq!(report["verdict"], "accepted", "{report}\n{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(tmp)
        .expect("read fake /tmp")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("sstar-scratch-"))
        .collect();
    assert!(left.is_empty(), "scratch bases left behind: {left:?}");
}
