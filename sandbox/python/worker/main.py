"""sstar sandbox worker, its start and main loop: a supervisor and a pristine zygote that run
one untrusted program per request.

Started once per slot by the Rust host (`sstar-sandbox`), the process isolates itself
(private mount, network, IPC and UTS namespaces; a read-only chroot holding only the
interpreter and system libraries), pre-imports the standard library and then splits in two:

- the **zygote** (a child forked before any request arrives) only forks. It never reads a
  request, a program, an input or a result, so nothing of one run can be found in the memory
  of the next, however a program searches it (frames, `gc`, freed heap). Each run is cloned
  into fresh PID and IPC namespaces, as a child of the supervisor (`CLONE_PARENT`), and
  receives its own request on a private socket only after the fork;
- the **supervisor** (this process) talks to the host, prepares the scratch directory, hands
  each run its request, watches its limits and collects its output. Between requests it has
  the next run cloned, to wait for its request (see clone_ahead); a Python program it sees a
  few times is compiled once, in a run that executes none of it (see _compiled).

A second zygote, the compiler's, exists where the host found a C++ toolchain: it lives in a
root of its own holding only the toolchain's directories (see _build_compiler_root), and its
runs compile C++ source. A native program (a compiled binary) runs in an ordinary run as the
child of its first process (see run_native).

A run inherits the zygote's seccomp filter (the host compiles it; the zygote installs it
once), applies its limits, drops to the slot's unprivileged uid and runs the program. When it
(PID 1 of its namespace) exits, the kernel kills every process it left behind, `setsid()`
daemons included. CPU time, memory and tasks are counted
for the run as a whole in the slot's cgroup, where the zygote lives (so every run and its
children are born there); without a writable cgroup the supervisor sums over the processes
of the run's PID namespace instead.

The worker is one program, joined by the host from `calls.py` (entry points, return-value
encoding), `program_io.py` (std streams, exit, stdin), `runner.py` (a program's run and its
report, shared with the wasm driver) and the parts in this folder, in the order
`WORKER_PARTS` in `sandbox/src/worker.rs` lists them, this part last. The other parts only
define (functions, classes, constants), so they can be loaded without starting anything (the
unit tests in tests/python do); everything the worker does at start happens here, in order:
read its config, move the protocol off stdin and stdout (framing.py says the wire format),
isolate itself, choose its accounting, open its scratch base, build the seccomp filter, then
`main()`.
"""

import ctypes
import json
import os
import signal
import sys

CONFIG = json.loads(sys.argv[1])
# Where the pinned packages are installed, one directory each, and where runs find it: in the
# private root, a read-only bind at a fixed place (the host's path could lie under /tmp, which
# the root's own tmpfs hides). A run imports from the directories its request names, given
# relative to it (see prepare_program).
PACKAGES_ROOT = CONFIG.get("packages_root")
PACKAGES_AT = PACKAGES_ROOT
os.environ.clear()  # started with an empty environment; drop what locale coercion added
if sys.version_info < (3, 9):
    raise SystemExit(f"sstar needs Python 3.9 or later; {sys.executable} is {sys.version.split()[0]}")

_STDLIB_PATHS = frozenset(p for p in sys.path if p)  # a start without site (`-S`) has only these
sys.path[:], _skipped = _module_path()
# What the interpreter's site directories added: sstar's own helpers import from there (pytest
# for `fix`), judged programs do not (see prepare_program).
SITE_PATHS = frozenset(sys.path) - _STDLIB_PATHS

# Move the protocol off fds 0/1 so a run's dup2 onto stdio can never touch it.
PROTO_IN = os.dup(0)
PROTO_OUT = os.dup(1)
_null = os.open(os.devnull, os.O_RDWR)
os.dup2(_null, 0)
os.dup2(_null, 1)
os.close(_null)
sys.stdin = sys.stdout = None

WARNINGS = [
    f"not mounting {p} (outside the interpreter's standard library and site directories): "
    "candidates cannot import from it"
    for p in _skipped
]
# The C++ compiler to build a root for (see _build_compiler_root), where the host found one.
COMPILER = CONFIG.get("compiler")

# Handles on the host's /proc, kept from before the chroot: the zygote's size (a run's
# address-space limit counts from it) and, without a cgroup, the processes of a run.
PROC_FD = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)
if CONFIG.get("cgroup"):
    try:
        ACCOUNTING = CgroupAccounting(CONFIG["cgroup"])
    except OSError as e:
        ACCOUNTING = ScanAccounting()
        _cgroup_error = str(e)
else:
    ACCOUNTING = ScanAccounting()
    _cgroup_error = CONFIG.get("cgroup_error") or "disabled"
if isinstance(ACCOUNTING, ScanAccounting):
    WARNINGS.append(
        f"no cgroup ({_cgroup_error}): CPU time and memory of a run's processes are summed by "
        "polling /proc every 50 ms, so short-lived children may escape the count"
    )
isolate()
_make_scratch_base()

if SYS_CLONE is None:
    raise SystemExit(f"sstar worker: no clone syscall number for {os.uname().machine}")

PRELUDE = compile(CONFIG["prelude"], "<prelude>", "exec")  # sstar_sandbox::PRELUDE, from the host

# The host's seccomp filters (compiled in Rust), ready to install: built once, here.
SECCOMP = []
for _hex in CONFIG.get("seccomp", []):
    _raw = bytes.fromhex(_hex)
    _insns = (_SockFilter * (len(_raw) // 8)).from_buffer_copy(_raw)
    SECCOMP.append((_insns, _SockFprog(len(_insns), ctypes.cast(_insns, ctypes.POINTER(_SockFilter)))))
ISOLATION["seccomp"] = bool(SECCOMP)
ISOLATION["accounting"] = ACCOUNTING.name


def main():
    global ZYGOTE, CC_ZYGOTE, ALLOWANCE
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the host owns Ctrl-C and tells us by closing the pipe
    ZYGOTE = _fork_zygote(compiler=False)
    if ISOLATION["compiler_root"]:
        CC_ZYGOTE = _fork_zygote(compiler=True)
    ACCOUNTING.release_join()
    hello = _hello(ZYGOTE)
    if CC_ZYGOTE is not None:
        said = json.loads(CC_ZYGOTE.recv(4096) or b'{"error": "the compiler zygote is gone"}')
        if said.get("error") or said.get("seccomp_error"):
            why = said.get("error") or said.get("seccomp_error")
            WARNINGS.append(f"no compiler zygote ({why}): C++ programs cannot be compiled")
            CC_ZYGOTE.close()
            CC_ZYGOTE = None
            ISOLATION["compiler_root"] = False
    # Pages a run may copy from the warm interpreter on top of its own allowance.
    ALLOWANCE = hello.get("rss_bytes", 0)
    ISOLATION["fresh_namespaces_per_run"] = OWN_PID_NS
    write_frame(
        PROTO_OUT,
        {
            "ready": True,
            "isolation": ISOLATION,
            "warnings": WARNINGS,
            "python": sys.version.split()[0],
            # Ours on the host, for the host to remove once it has reaped us (a SIGKILL).
            "scratch_base": None if ISOLATION["chroot"] else SCRATCH_BASE,
        },
    )
    while True:
        try:
            req, blobs = read_frame(PROTO_IN)
        except EOFError:
            drop_waiting()
            return
        try:
            result, out = execute(req, blobs)
            write_frame(PROTO_OUT, result, out)
        except Exception as e:  # noqa: BLE001  report and stay alive; the host decides
            write_frame(PROTO_OUT, {"internal_error": f"{type(e).__name__}: {e}"})
        clone_ahead()


# Runs get their own PID and IPC namespaces where the kernel lets us make them.
OWN_PID_NS = (ISOLATION["uid"] is not None or ISOLATION["mount_ns"]) and _probe_namespaces()
if not OWN_PID_NS:
    WARNINGS.append("no PID namespace per run: leftover processes may survive a run")
try:
    main()
finally:
    _remove_scratch_base()  # also when the host died: its end of the protocol pipe closed
