//! Channels that namespaces alone leave open, each tried as an attacker who knows the design:
//! a run raising the next run's memory limit through the page cache, watching or locking the
//! read-only files every run shares, writing through a writable mount below a read-only bind,
//! reaching a VM's host over vsock, and a returned value built to cost the host gigabytes.
//! Process backend only: the wasm guest has no page cache, locks, watches, mounts or sockets.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use sstar_sandbox::{
    Execution, Interpreter, Limits, ProgramKind, Sandbox, SandboxConfig, Termination,
};

use crate::common::{is_root, sstar, write_problem};

/// One worker, so every run below follows the previous one in the same slot.
fn one_worker(cgroups: bool) -> Sandbox {
    let mut config = SandboxConfig::new(Interpreter::from_env().expect("python3"));
    config.workers = 1;
    config.cgroups = cgroups;
    Sandbox::start(config).expect("sandbox")
}

fn run(sandbox: &Sandbox, code: &str, stdin: &[u8], limits: Limits) -> sstar_sandbox::Outcome {
    sandbox
        .run(&Execution::new(ProgramKind::Stdio, code, stdin, limits))
        .expect("sandbox run")
}

fn printed(outcome: &sstar_sandbox::Outcome) -> String {
    String::from_utf8_lossy(&outcome.stdout).trim().to_owned()
}

/// Pulls about 100 MB of files under /usr/share and /usr/include into the page cache, charged
/// to whoever reads them (evicted first, so they are read again): the `k`-th 100 MB, so each
/// run charges new pages. Not /usr/lib or /usr/bin: evicting what other tests' interpreters
/// load would disturb them.
const FILLER: &str = r#"
import os
k = int(input())
seen = pulled = 0
for top, dirs, files in (step for root in ("/usr/share", "/usr/include") for step in os.walk(root)):
    dirs.sort()
    for name in sorted(files):
        try:
            fd = os.open(os.path.join(top, name), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            size = os.fstat(fd).st_size
            seen += size
            if seen > k * 100_000_000:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
                pulled += size
        finally:
            os.close(fd)
        if pulled > 100_000_000:
            raise SystemExit(print("filled"))
print("filled")
"#;

/// Holds about 150 MB over three processes, each under its own address-space limit: only the
/// run's memory limit as a whole can stop it.
const HOG: &str = r#"
import os, time
children = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        block = bytearray(50 << 20)
        for i in range(0, len(block), 4096):
            block[i] = 1
        time.sleep(1)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
print("done")
"#;

fn small_memory() -> Limits {
    Limits {
        wall: Duration::from_secs(30),
        ..Limits::new(Duration::from_secs(10), 64, 4)
    }
}

#[test]
fn page_cache_an_earlier_run_pulled_in_never_raises_a_later_runs_memory_limit() {
    for cgroups in [true, false] {
        let sandbox = one_worker(cgroups);
        let alone = run(&sandbox, HOG, b"", small_memory());
        assert_eq!(
            alone.termination,
            Termination::MemoryLimit,
            "cgroups {cgroups}: {alone:?}"
        );
        for k in 0..4 {
            let filler = run(
                &sandbox,
                FILLER,
                format!("{k}\n").as_bytes(),
                small_memory(),
            );
            assert_eq!(printed(&filler), "filled", "{filler:?}");
        }
        let after = run(&sandbox, HOG, b"", small_memory());
        assert_eq!(
            after.termination,
            Termination::MemoryLimit,
            "cgroups {cgroups}: a hog is a memory-limit verdict alone, and after fillers: {after:?}"
        );
    }
}

/// Tries each way to watch the shared interpreter's files, printing those that worked.
const WATCHER: &str = r#"
import ctypes, fcntl, os, sys
libc = ctypes.CDLL(None, use_errno=True)
worked = []
fd = libc.inotify_init1(0)
if fd >= 0 and libc.inotify_add_watch(fd, os.path.dirname(os.__file__).encode(), 0x20 | 0x1) >= 0:
    worked.append("inotify")
d = os.open(os.path.dirname(os.__file__), os.O_RDONLY)
try:
    fcntl.fcntl(d, fcntl.F_NOTIFY, fcntl.DN_ACCESS | fcntl.DN_MULTISHOT)
    worked.append("dnotify")
except OSError:
    pass
print(" ".join(worked) or "none")
"#;

#[test]
fn runs_cannot_watch_the_files_other_runs_open() {
    let sandbox = one_worker(true);
    let outcome = run(&sandbox, WATCHER, b"", small_memory());
    assert_eq!(printed(&outcome), "none", "{outcome:?}");
}

/// Tries each kind of lock on the interpreter, a file every run of every sstar process
/// shares: a lock held there is a signal to all of them.
const LOCKER: &str = r#"
import fcntl, os, struct, sys
worked = []
with open(sys.executable, "rb") as f:
    for name, take in [
        ("flock", lambda: fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)),
        ("lockf", lambda: fcntl.lockf(f, fcntl.LOCK_SH | fcntl.LOCK_NB)),
        ("ofd", lambda: fcntl.fcntl(f, 37, struct.pack("hhqqi", fcntl.F_RDLCK, 0, 0, 0, 0))),
        ("getlk", lambda: fcntl.fcntl(f, fcntl.F_GETLK, struct.pack("hhqqi", fcntl.F_RDLCK, 0, 0, 0, 0))),
    ]:
        try:
            take()
            worked.append(name)
        except OSError:
            pass
print(" ".join(worked) or "none")
"#;

#[test]
fn runs_cannot_lock_files_other_runs_share() {
    let sandbox = one_worker(true);
    let outcome = run(&sandbox, LOCKER, b"", small_memory());
    assert_eq!(printed(&outcome), "none", "{outcome:?}");
    // Ordinary file work on a run's own scratch files still works.
    let own = run(
        &sandbox,
        "import fcntl, os\nfd = os.open('x', os.O_CREAT | os.O_RDWR)\nprint(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_RDWR)",
        b"",
        small_memory(),
    );
    assert_eq!(printed(&own), "2", "{own:?}");
}

#[test]
fn sockets_of_any_family_but_unix_cannot_be_made() {
    let sandbox = one_worker(true);
    let program = r#"
import socket
made = []
for family, kind in [("AF_VSOCK", socket.SOCK_STREAM), ("AF_INET", socket.SOCK_DGRAM),
                     ("AF_INET6", socket.SOCK_DGRAM), ("AF_NETLINK", socket.SOCK_RAW),
                     ("AF_PACKET", socket.SOCK_DGRAM)]:
    try:
        socket.socket(getattr(socket, family), kind).close()
        made.append(family)
    except OSError:
        pass
a, b = socket.socketpair()
a.sendall(b"unix")
print(" ".join(made) or "none", b.recv(4).decode())
"#;
    let outcome = run(&sandbox, program, b"", small_memory());
    assert_eq!(printed(&outcome), "none unix", "{outcome:?}");
}

/// Run as root, gives `argv[2:]` a private mount namespace with a writable tmpfs mounted at
/// `argv[1]`, as a container's volume would be, then executes it.
const WITH_VOLUME: &str = r#"
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
def check(ret, what):
    if ret != 0:
        raise OSError(ctypes.get_errno(), what)
check(libc.unshare(0x00020000), "unshare(CLONE_NEWNS)")
check(libc.mount(None, b"/", None, (1 << 18) | 16384, None), "make / private")
check(libc.mount(b"tmpfs", sys.argv[1].encode(), b"tmpfs", 0, b"size=1m,mode=1777"), "tmpfs")
os.execv(sys.argv[2], sys.argv[2:])
"#;

#[test]
#[ignore = "needs root (to mount a volume in a private mount namespace) and /usr/games"]
fn a_writable_mount_below_a_read_only_bind_is_read_only_too() {
    let volume = Path::new("/usr/games");
    crate::common::require(
        is_root() && volume.is_dir(),
        "root (to mount a volume in a private mount namespace) and /usr/games to mount it on",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    write_problem(
        dir.path(),
        &[
            ("problem.toml", "title = \"V\"\nkind = \"stdio\"\n"),
            ("statement.md", "Leave nothing behind.\n"),
            ("tests/public/1.in", "\n"),
            ("tests/public/1.out", "read-only\n"),
        ],
    );
    let program = dir.path().join("plant.py");
    std::fs::write(
        &program,
        "try:\n    open('/usr/games/planted', 'w').write('for the next run')\n    print('wrote')\nexcept OSError:\n    print('read-only')\n",
    )
    .expect("write program");
    let sstar_binary = sstar().get_program().to_owned();
    let output = Command::new("python3")
        .args(["-c", WITH_VOLUME, "/usr/games"])
        .arg(sstar_binary)
        .args(["--no-progress", "judge"])
        .arg(dir.path())
        .arg(&program)
        .arg("--json")
        .output()
        .expect("run sstar in a namespace with a volume");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(report["verdict"], "accepted", "{report:#}");
}

/// A function program that writes its own report: a 50 MB array of zeros, under the output
/// limit, which parsed naively costs the host gigabytes for a run of a few megabytes.
const AMPLIFIER: &str = r#"
def f(x):
    import os
    body = b'{"outcome": "returned", "value": [' + b"0," * 25_000_000 + b'0]}'
    view = memoryview(body)
    while view:
        view = view[os.write(3, view):]
    os._exit(0)
"#;

/// Runs `sstar ARGS` under a parent that prints the largest resident size of its children.
const PEAK_OF_CHILD: &str = r#"
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True)
sys.stderr.buffer.write(done.stderr)
sys.stdout.buffer.write(done.stdout)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
"#;

#[test]
fn a_returned_value_cannot_cost_the_host_more_than_its_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_problem(
        dir.path(),
        &[
            (
                "problem.toml",
                "title = \"A\"\nkind = \"function\"\nentry_point = \"f\"\noutput_limit_mb = 64\ntime_limit_ms = 10000\n",
            ),
            ("statement.md", "Return x.\n"),
            ("tests/public/1.in", "1\n"),
            ("tests/public/1.out", "1\n"),
        ],
    );
    let program = dir.path().join("amplify.py");
    std::fs::write(&program, AMPLIFIER).expect("write program");
    let output = Command::new("python3")
        .args(["-c", PEAK_OF_CHILD])
        .arg(sstar().get_program())
        .args(["--no-progress", "judge"])
        .arg(dir.path())
        .arg(&program)
        .arg("--json")
        .env("SSTAR_WORKERS", "1")
        .output()
        .expect("run sstar");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(report["verdict"], "output_limit_exceeded", "{report:#}");
    let peak_kb: u64 = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("peak size");
    // The worker buffers the 50 MB it was sent; the host must not multiply it.
    assert!(
        peak_kb < 600 << 10,
        "sstar or its worker peaked at {peak_kb} kB"
    );
}
