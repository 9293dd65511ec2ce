"""sstar sandbox worker: a warm CPython "zygote" that runs one untrusted program per request.

Started once by the Rust host (`sstar-sandbox`), it isolates itself (private mount, network,
IPC and UTS namespaces; a read-only chroot holding only the interpreter and system libraries),
pre-imports the standard library, then loops: read a request, clone a child into a fresh PID
namespace, apply limits and drop to the slot's unprivileged uid in the child, run the program,
and report status, resource use and captured output. When the child (PID 1 of its namespace)
exits, the kernel kills every process it left behind, `setsid()` daemons included.

The host prepends `calls.py` (entry points, return-value encoding) to this file.

Wire format, both directions: u32 little-endian header length, a JSON header, then the raw
byte blobs whose lengths the header names, in the order the header lists them.
"""

import ctypes
import errno
import json
import os
import resource
import select
import signal
import struct
import sys
import time

CONFIG = json.loads(sys.argv[1])
sys.path[:] = CONFIG["sys_path"]
os.environ.clear()  # started with an empty environment; drop what locale coercion added

# --- Linux constants not exposed by the os module ---------------------------------------------

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 32, 4096, 16384
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS = 1, 24, 28, 38
# SECBIT_NOROOT, SECBIT_NO_SETUID_FIXUP, SECBIT_KEEP_CAPS_LOCKED... all with their locks.
SECURE_ALL_BITS_LOCKED = 0x2F
CAP_LAST_CAP = 63
SYS_CLONE = {"x86_64": 56, "aarch64": 220}.get(os.uname().machine)
SYS_CAPSET = {"x86_64": 126, "aarch64": 91}.get(os.uname().machine)

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None):
    enc = lambda s: None if s is None else os.fsencode(s)  # noqa: E731
    _check(libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


# --- protocol ---------------------------------------------------------------------------------

# Move the protocol off fds 0/1 so a child's dup2 onto stdio can never touch it.
PROTO_IN = os.dup(0)
PROTO_OUT = os.dup(1)
_null = os.open(os.devnull, os.O_RDWR)
os.dup2(_null, 0)
os.dup2(_null, 1)
os.close(_null)
sys.stdin = sys.stdout = None


def read_exact(n):
    chunks, got = [], 0
    while got < n:
        chunk = os.read(PROTO_IN, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame():
    (size,) = struct.unpack("<I", read_exact(4))
    header = json.loads(read_exact(size))
    blobs = [read_exact(n) for n in header.get("blobs", [])]
    return header, blobs


def write_frame(header, blobs=()):
    header = dict(header, blobs=[len(b) for b in blobs])
    raw = json.dumps(header).encode()
    view = memoryview(b"".join([struct.pack("<I", len(raw)), raw, *blobs]))
    while view:
        view = view[os.write(PROTO_OUT, view) :]


# --- isolation, once per worker ---------------------------------------------------------------

ISOLATION = {"mount_ns": False, "net_ns": False, "chroot": False, "uid": None}
WARNINGS = []
SCRATCH_BASE = "/tmp"


def _bind(source, root, read_only=True):
    target = root + source
    if os.path.islink(source):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.lexists(target):
            os.symlink(os.readlink(source), target)
        return
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND | MS_REC)
    if read_only:
        _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _build_root(mountpoint):
    """Mount a tmpfs at `mountpoint` holding read-only binds of what Python needs; chroot there."""
    _mount("tmpfs", mountpoint, "tmpfs", MS_NOSUID | MS_NODEV, "size=256m,nr_inodes=65536,mode=755")
    root = mountpoint.rstrip("/")
    bound = []
    wanted = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"]
    wanted += [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(CONFIG["executable"])]
    wanted += [p for p in sys.path if p]
    for path in sorted({os.path.realpath(p) if not os.path.islink(p) else p for p in wanted}, key=len):
        if not os.path.lexists(path) or any(path == b or path.startswith(b + "/") for b in bound):
            continue
        _bind(path, root)
        bound.append(path)
    for dev in ("null", "zero", "full", "random", "urandom"):
        if os.path.exists("/dev/" + dev):
            _bind("/dev/" + dev, root, read_only=False)
    os.makedirs(root + SCRATCH_BASE, mode=0o711, exist_ok=True)
    os.chmod(root + SCRATCH_BASE, 0o711)
    os.chdir(root)
    os.chroot(".")
    os.chdir("/")


def _enter_user_namespace():
    """Unprivileged fallback: become root of a private user namespace mapped to our own uid."""
    uid, gid = os.getuid(), os.getgid()
    _check(libc.unshare(CLONE_NEWUSER), "unshare user namespace")
    for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)


def isolate():
    if os.geteuid() == 0:
        ISOLATION["uid"] = CONFIG["uid"]
    else:
        try:
            _enter_user_namespace()
        except OSError as e:
            WARNINGS.append(f"no user namespace ({e}); running without namespaces, chroot or uid separation")
            return
        WARNINGS.append("not root: candidates share the caller's uid, so the process limit is not enforced")
    try:
        _check(libc.unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS), "unshare mount namespace")
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        ISOLATION["mount_ns"] = True
    except OSError as e:
        WARNINGS.append(f"no mount namespace ({e}): candidates can read the host filesystem")
    try:
        _check(libc.unshare(CLONE_NEWNET), "unshare network namespace")
        ISOLATION["net_ns"] = True
    except OSError as e:
        WARNINGS.append(f"no network namespace ({e}): candidates can reach the network")
    if ISOLATION["mount_ns"]:
        try:
            _build_root(CONFIG["root_mountpoint"])
            ISOLATION["chroot"] = True
        except OSError as e:
            WARNINGS.append(f"no private root ({e}): candidates can read the host filesystem")


# Keep handles on the host's /proc from before the chroot: our own status, so the child's
# address-space limit counts from our size, and the directory, to watch a child's CPU time.
STATUS_FD = os.open("/proc/self/status", os.O_RDONLY)
PROC_FD = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
isolate()

# --- warm standard library --------------------------------------------------------------------

# What contest programs and the function prelude use. Every module kept warm makes each fork
# (and each child's exit) slower, so heavier ones (hashlib, pprint, dataclasses, …) load on use.
PRELOAD = """array bisect collections copy datetime decimal enum fractions functools heapq itertools
math operator random re string typing""".split()
for _name in PRELOAD + CONFIG.get("preload", []):
    try:
        __import__(_name)
    except ImportError:
        pass

import atexit  # noqa: E402
import io  # noqa: E402
import site  # noqa: E402
import threading  # noqa: E402  (-S skips site.main(); we only want exit()/quit() as builtins)
import traceback  # noqa: E402
import types  # noqa: E402

site.setquit()
# Children skip CPython's at-fork reseeding (see _clone_child): one fixed `random` state for
# every run on every worker, so a program using it gets the same verdict wherever it runs.
import random  # noqa: E402

random.seed(0)
# The raw clone in _clone_child is sound only while this process has one thread (a preloaded
# module could start one): otherwise fork the ordinary way.
FAST_CLONE = SYS_CLONE is not None and threading.active_count() == 1
if SYS_CLONE is not None and not FAST_CLONE:
    WARNINGS.append("a preloaded module started a thread: forking with CPython's hooks (slower)")
# Our 1 GiB RLIMIT_STACK (room for deep recursion on the main thread) would also become
# glibc's default thread stack and break thread creation under the memory limit.
threading.stack_size(8 << 20)

PRELUDE = compile(CONFIG["prelude"], "<prelude>", "exec")  # FUNCTION_PRELUDE, from the host

# --- the child: limits, privileges, the program -----------------------------------------------


def _vm_size_bytes():
    os.lseek(STATUS_FD, 0, os.SEEK_SET)
    for line in os.read(STATUS_FD, 8192).split(b"\n"):
        if line.startswith(b"VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def _set_limit(which, soft, hard=None):
    _, cur_hard = resource.getrlimit(which)
    hard = soft if hard is None else hard
    if cur_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, cur_hard), min(hard, cur_hard)
    resource.setrlimit(which, (soft, hard))


def _apply_limits(req, vm_base):
    cpu_s = req["cpu_ms"] // 1000 + 1
    _set_limit(resource.RLIMIT_CPU, cpu_s)  # soft == hard: SIGKILL, which even a PID-1 obeys
    _set_limit(resource.RLIMIT_AS, vm_base + req["memory_bytes"])
    _set_limit(resource.RLIMIT_FSIZE, req["output_bytes"])
    _set_limit(resource.RLIMIT_CORE, 0)
    _set_limit(resource.RLIMIT_NOFILE, 256)
    if ISOLATION["uid"] is not None:
        _set_limit(resource.RLIMIT_NPROC, req.get("max_processes", 32))


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _drop_capabilities():
    """Without a uid to drop to (a user namespace), the child is root there: take every
    capability away for good, or it could chroot its way out or remount the binds."""
    for cap in range(CAP_LAST_CAP + 1):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # EINVAL past the kernel's last cap: fine
    _check(libc.prctl(PR_SET_SECUREBITS, SECURE_ALL_BITS_LOCKED, 0, 0, 0), "securebits")
    if SYS_CAPSET is None:
        raise OSError(errno.ENOSYS, f"capset: syscall number unknown on {os.uname().machine}")
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    _check(libc.syscall(SYS_CAPSET, ctypes.byref(header), ctypes.byref(data)), "capset")


def _drop_privileges():
    uid = ISOLATION["uid"]
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    else:
        _drop_capabilities()
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    # Set after the uid change, which clears it: die with the worker, whatever happens.
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _report(record):
    data = json.dumps(record).encode()
    view = memoryview(data)
    while view:
        view = view[os.write(3, view) :]


# Python >= 3.11 (and late 3.9/3.10 patches) cap int <-> str conversion at 4300 digits.
_int_digits = getattr(sys, "set_int_max_str_digits", lambda _digits: None)


def _std_streams():
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(
        io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8", errors="surrogateescape"
    )
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8", errors="surrogateescape"
    )
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )


def _finish():
    """What a normal interpreter does at exit: join threads, run atexit hooks, flush stdio."""
    if "threading" in sys.modules:
        sys.modules["threading"]._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001  a closed or broken stdout is the program's own business
            pass


def run_program(req, code_src, stdin_data):
    """Runs in the child. Never returns: exits with the program's status."""
    _std_streams()
    try:
        code = compile(code_src, "solution.py", "exec")
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError) as e:
        _report({"outcome": "compile_error", "message": "".join(traceback.format_exception_only(e)).strip()})
        os._exit(1)
    module = types.ModuleType("__main__")
    module.__file__ = "solution.py"
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    sys.argv = ["solution.py", *req.get("argv", [])]
    sys.path[0:0] = [os.getcwd()]
    status = 0
    try:
        if req["kind"] == "function":
            exec(PRELUDE, module.__dict__)
            prelude = dict(module.__dict__)
            exec(code, module.__dict__)
            fn = entry_point(module.__dict__, req["entry_point"], prelude)
            if not callable(fn):
                _report({"outcome": "compile_error", "message": f"entry point `{req['entry_point']}` not found"})
                os._exit(1)
            _int_digits(0)  # JSON arguments may hold huge integers
            args = [json.loads(line) for line in stdin_data.decode().splitlines() if line.strip()]
            _int_digits(4300)
            value = to_json(fn(*args))
            _int_digits(0)
            _finish()
            _report({"outcome": "returned", "value": value})
        else:
            exec(code, module.__dict__)
            _finish()
            _report({"outcome": "ok"})
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            status = e.code or 0
        else:
            print(e.code, file=sys.stderr)
            status = 1
        _finish()
        _report({"outcome": "exit", "code": status})
    except BaseException as e:  # noqa: BLE001  the program's failure is a result, not ours
        try:
            traceback.print_exception(e)
        except BaseException:  # noqa: BLE001
            pass
        _report({"outcome": "exception", "type": type(e).__name__, "errno": getattr(e, "errno", None)})
        try:
            _finish()
        except BaseException:  # noqa: BLE001
            pass
        status = 1
    os._exit(status & 0xFF)


def _die_of_signal(signum, _frame):
    _report({"outcome": "exception", "type": f"killed by {signal.Signals(signum).name}"})
    os._exit(128 + signum)


def _clone_child():
    """fork() into a new PID namespace, via the raw syscall.

    CPython's fork hooks (PyOS_AfterFork_Child and the at-fork callbacks of `threading` and
    `random`) cost about 1 ms per child, over half of a trivial run, and change nothing here:
    this worker has one thread, which keeps its identity in the child (pthread_self survives
    fork), ctypes drops the GIL around the syscall so no lock is held at the fork, and the
    `random` state is seeded once at start so every run starts from the same one.
    """
    if not FAST_CLONE or not (ISOLATION["uid"] is not None or ISOLATION["mount_ns"]):
        return _plain_fork(), False
    pid = libc.syscall(SYS_CLONE, CLONE_NEWPID | signal.SIGCHLD, 0, 0, 0, 0)
    if pid == 0:
        return 0, True
    err = ctypes.get_errno()
    if pid < 0:
        if err in (errno.EPERM, errno.EINVAL, errno.ENOSPC, errno.EUSERS):
            return _plain_fork(), False
        raise OSError(err, "clone: " + os.strerror(err))
    return pid, True


def _plain_fork():
    """os.fork(), with `random` put back to the state every run starts from."""
    pid = os.fork()
    if pid == 0:
        random.seed(0)
    return pid


# --- the parent: supervise one execution ------------------------------------------------------

COUNTER = 0


def _prepare_scratch(files):
    global COUNTER
    COUNTER += 1
    scratch = os.path.join(SCRATCH_BASE, f"run{COUNTER}")
    os.mkdir(scratch, 0o700)
    for name, data in files:
        if "/" in name or name in ("", ".", ".."):
            raise ValueError(f"bad scratch file name {name!r}")
        fd = os.open(os.path.join(scratch, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    uid = ISOLATION["uid"]
    if uid is not None:
        for name in [".", *(n for n, _ in files)]:
            os.chown(os.path.join(scratch, name), uid, uid)
    return scratch


def _remove_tree(root):
    """rm -rf without following symlinks or recursing (a candidate may nest directories
    thousands deep); as root, so the candidate's modes cannot stop it."""
    stack = [root]
    while stack:
        path = stack[-1]
        try:
            entries = list(os.scandir(path))
        except FileNotFoundError:
            stack.pop()
            continue
        subdirs = [e.path for e in entries if e.is_dir(follow_symlinks=False)]
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
        if subdirs:
            stack.extend(subdirs)
        else:
            os.rmdir(path)
            stack.pop()


def execute(req, blobs):
    code_src, stdin_data = blobs[0], blobs[1]
    files = list(zip(req.get("files", []), blobs[2:]))
    scratch = _prepare_scratch(files)
    stdin_fd = os.memfd_create("stdin", 0)
    view = memoryview(stdin_data)
    while view:
        view = view[os.write(stdin_fd, view) :]
    os.lseek(stdin_fd, 0, os.SEEK_SET)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    rep_r, rep_w = os.pipe()
    vm_base = _vm_size_bytes()
    started = time.monotonic()
    pid, own_pid_ns = _clone_child()
    if pid == 0:
        try:
            os.setsid()
            for fd, target in ((stdin_fd, 0), (out_w, 1), (err_w, 2), (rep_w, 3)):
                os.dup2(fd, target)
            os.closerange(4, 1 << 16)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            # As PID 1 of its namespace the program would ignore default-action signals it
            # sends itself (or an alarm): end it as the signal would have.
            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGALRM, signal.SIGUSR1, signal.SIGUSR2, signal.SIGQUIT):
                signal.signal(sig, _die_of_signal)
            os.chdir(scratch)
            _apply_limits(req, vm_base)
            _drop_privileges()
        except BaseException as e:  # noqa: BLE001  the host reports this as a sandbox failure
            _report({"outcome": "setup_error", "message": f"{type(e).__name__}: {e}"})
            os._exit(121)
        try:
            run_program(req, code_src, stdin_data)
        finally:
            os._exit(121)
    for fd in (stdin_fd, out_w, err_w, rep_w):
        os.close(fd)
    try:
        result, blobs_out = _supervise(req, pid, started, out_r, err_r, rep_r)
    finally:
        for fd in (out_r, err_r, rep_r):
            os.close(fd)
        _remove_tree(scratch)
    if not own_pid_ns:
        result["warning"] = "no PID namespace: leftover processes may survive"
    return result, blobs_out


def _cpu_seconds(pid):
    """User + system time of a live process, from /proc/PID/stat (10 ms resolution)."""
    try:
        fd = os.open(f"{pid}/stat", os.O_RDONLY, dir_fd=PROC_FD)
        try:
            fields = os.read(fd, 4096).rsplit(b")", 1)[1].split()
        finally:
            os.close(fd)
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


CPU_CHECK_S = 0.05


def _supervise(req, pid, started, out_r, err_r, rep_r):
    limit = req["output_bytes"]
    pidfd = os.pidfd_open(pid)
    poller = select.poll()
    streams = {out_r: [], err_r: [], rep_r: []}
    sizes = {out_r: 0, err_r: 0, rep_r: 0}
    for fd in (*streams, pidfd):
        poller.register(fd, select.POLLIN)
    open_fds = set(streams)
    deadline = started + req["wall_ms"] / 1000
    cpu_limit = req["cpu_ms"] / 1000
    next_cpu_check = started + CPU_CHECK_S
    killed_for = None
    wait_status = rusage = None
    stderr_truncated = False
    drain_deadline = None
    while True:
        if wait_status is None:
            now = time.monotonic()
            if killed_for is None and now >= deadline:
                killed_for = "wall_time"
                os.kill(pid, signal.SIGKILL)
            if killed_for is None and now >= next_cpu_check:
                # RLIMIT_CPU has whole-second steps and a namespace's init ignores SIGXCPU:
                # watch the clock ourselves and keep the rlimit as the backstop.
                next_cpu_check = now + CPU_CHECK_S
                if _cpu_seconds(pid) > cpu_limit:
                    killed_for = "cpu_time"
                    os.kill(pid, signal.SIGKILL)
            timeout = 100 if killed_for else max(1, (min(deadline, next_cpu_check) - now) * 1000)
        elif open_fds:
            # The child is gone and, with its PID namespace, everything it started: pipes reach
            # EOF promptly. Without a PID namespace a leftover may hold them: stop waiting soon.
            drain_deadline = drain_deadline or time.monotonic() + 1.0
            timeout = (drain_deadline - time.monotonic()) * 1000
            if timeout <= 0:
                break
        else:
            break
        events = poller.poll(timeout)
        for fd, _ in events:
            if fd == pidfd:
                _, wait_status, rusage = os.wait4(pid, 0)
                poller.unregister(pidfd)
                os.close(pidfd)
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                poller.unregister(fd)
                open_fds.discard(fd)
                continue
            if fd == err_r and sizes[fd] + len(chunk) > limit:
                chunk = chunk[: max(0, limit - sizes[fd])]
                stderr_truncated = True
            sizes[fd] += len(chunk)
            streams[fd].append(chunk)
            # stdout, and the private report channel (a program could write to it), are capped.
            if fd != err_r and sizes[fd] > limit and killed_for is None:
                killed_for = "output_limit"
                streams[rep_r] = []
                if wait_status is None:
                    os.kill(pid, signal.SIGKILL)  # never signal a pid after reaping it
            if fd == rep_r and killed_for == "output_limit":
                streams[rep_r] = []
    wall_ms = (time.monotonic() - started) * 1000
    stdout = b"".join(streams[out_r])[:limit]
    result = {
        "killed_for": killed_for,
        "exit_code": os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else None,
        "signal": os.WTERMSIG(wait_status) if os.WIFSIGNALED(wait_status) else None,
        "cpu_ms": (rusage.ru_utime + rusage.ru_stime) * 1000,
        "wall_ms": wall_ms,
        "memory_kb": rusage.ru_maxrss,
        "stderr_truncated": stderr_truncated,
    }
    return result, [stdout, b"".join(streams[err_r]), b"".join(streams[rep_r])]


def main():
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the host owns Ctrl-C and tells us by closing the pipe
    import gc

    # Build one set of std streams here so codec lookups and caches are warm in every child.
    _std_streams()
    sys.stdin = sys.stdout = None
    gc.collect()
    gc.freeze()  # keep the warm heap's pages shared with every child
    write_frame({"ready": True, "isolation": ISOLATION, "warnings": WARNINGS, "python": sys.version.split()[0]})
    while True:
        try:
            req, blobs = read_frame()
        except EOFError:
            return
        try:
            result, out = execute(req, blobs)
            write_frame(result, out)
        except Exception as e:  # noqa: BLE001  report and stay alive; the host decides
            write_frame({"internal_error": f"{type(e).__name__}: {e}"})


main()
