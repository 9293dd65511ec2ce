"""sstar sandbox worker: a supervisor and a pristine zygote that run one untrusted program
per request.

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

The host prepends `calls.py` (entry points, return-value encoding) and `program_io.py` (std
streams, exit, stdin) to this file.

Wire format, both directions: u32 little-endian header length, a JSON header, then the raw
byte blobs whose lengths the header names, in the order the header lists them.
"""

import ctypes
import errno
import json
import marshal
import os
import resource
import select
import signal
import struct
import sys
import time
from _socket import AF_UNIX, CMSG_SPACE, SCM_RIGHTS, SOCK_SEQPACKET, SOCK_STREAM, SOL_SOCKET, socketpair
from _socket import socket as RawSocket

CONFIG = json.loads(sys.argv[1])
# Where the pinned packages are installed, one directory each, and where runs find it: in the
# private root, a read-only bind at a fixed place (the host's path could lie under /tmp, which
# the root's own tmpfs hides). A run imports from the directories its request names, given
# relative to it (see run_program).
PACKAGES_ROOT = CONFIG.get("packages_root")
PACKAGES_AT = PACKAGES_ROOT
os.environ.clear()  # started with an empty environment; drop what locale coercion added
if sys.version_info < (3, 9):
    raise SystemExit(f"sstar needs Python 3.9 or later; {sys.executable} is {sys.version.split()[0]}")


def _module_path():
    """The path a normal start would give (`site` not run: a `.pth` file may import anything;
    its path entries are read the way `site.addpackage` reads them), split into what the
    sandbox mounts, under the standard library's or a site directory, and what it leaves out
    (anything else could expose host files to candidates)."""
    import site
    import sysconfig

    path = [p for p in sys.path if p]  # -c put the working directory first: never that
    for sitedir in site.getsitepackages():
        if not os.path.isdir(sitedir):
            continue
        path.append(sitedir)
        for pth in sorted(n for n in os.listdir(sitedir) if n.endswith(".pth")):
            try:
                with open(os.path.join(sitedir, pth), encoding="utf-8") as f:
                    lines = f.read().splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for line in lines:
                if line.startswith(("#", "import ", "import\t")) or not line.strip():
                    continue
                entry = os.path.join(sitedir, line.rstrip())
                if os.path.exists(entry) and entry not in path:
                    path.append(entry)
    roots = {sysconfig.get_path(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    roots = {os.path.realpath(r) for r in roots | set(site.getsitepackages()) if r}
    zips = {os.path.dirname(os.path.realpath(sysconfig.get_path("stdlib")))}

    def allowed(p):
        real = os.path.realpath(p)
        if any(real == r or real.startswith(r + os.sep) for r in roots):
            return True
        return real.endswith(".zip") and os.path.dirname(real) in zips

    return [p for p in path if allowed(p)], [p for p in path if not allowed(p)]


_STDLIB_PATHS = frozenset(p for p in sys.path if p)  # a start without site (`-S`) has only these
sys.path[:], _skipped = _module_path()
# What the interpreter's site directories added: sstar's own helpers import from there (pytest
# for `fix`), judged programs do not (see run_program).
SITE_PATHS = frozenset(sys.path) - _STDLIB_PATHS

# --- Linux constants not exposed by the os module ---------------------------------------------

CLONE_PARENT = 0x00008000
CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 8, 32, 4096, 16384
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS = 1, 24, 28, 38
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
# SECBIT_NOROOT, SECBIT_NO_SETUID_FIXUP, SECBIT_KEEP_CAPS_LOCKED... all with their locks.
SECURE_ALL_BITS_LOCKED = 0x2F
CAP_LAST_CAP = 63
SYS_CLONE = {"x86_64": 56, "aarch64": 220}.get(os.uname().machine)
SYS_CAPGET = {"x86_64": 125, "aarch64": 90}.get(os.uname().machine)
SYS_CAPSET = {"x86_64": 126, "aarch64": 91}.get(os.uname().machine)
SYS_MOUNT_SETATTR = 442  # the same number on every architecture
AT_FDCWD, AT_RECURSIVE = -100, 0x8000
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV = 1, 2, 4

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None):
    enc = lambda s: None if s is None else os.fsencode(s)  # noqa: E731
    _check(libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


# --- framing ----------------------------------------------------------------------------------

# Move the protocol off fds 0/1 so a run's dup2 onto stdio can never touch it.
PROTO_IN = os.dup(0)
PROTO_OUT = os.dup(1)
_null = os.open(os.devnull, os.O_RDWR)
os.dup2(_null, 0)
os.dup2(_null, 1)
os.close(_null)
sys.stdin = sys.stdout = None


def read_exact(fd, n):
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(fd):
    (size,) = struct.unpack("<I", read_exact(fd, 4))
    header = json.loads(read_exact(fd, size))
    blobs = [read_exact(fd, n) for n in header.get("blobs", [])]
    return header, blobs


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_frame(fd, header, blobs=()):
    header = dict(header, blobs=[len(b) for b in blobs])
    raw = json.dumps(header).encode()
    write_all(fd, b"".join([struct.pack("<I", len(raw)), raw, *blobs]))


def send_fds(sock, data, fds):
    """One message carrying descriptors (the `socket` module's own helper imports `enum` and
    more, which the supervisor otherwise does without)."""
    sock.sendmsg([data], [(SOL_SOCKET, SCM_RIGHTS, struct.pack(f"{len(fds)}i", *fds))])


def recv_fds(sock, size, max_fds):
    """(data, descriptors) of one message."""
    data, ancillary, _, _ = sock.recvmsg(size, CMSG_SPACE(max_fds * struct.calcsize("i")))
    fds = []
    for level, kind, payload in ancillary:
        if level == SOL_SOCKET and kind == SCM_RIGHTS:
            usable = len(payload) - len(payload) % 4
            fds.extend(struct.unpack(f"{usable // 4}i", payload[:usable]))
    return data, fds


# --- isolation, once per worker ---------------------------------------------------------------

ISOLATION = {"mount_ns": False, "net_ns": False, "chroot": False, "uid": None, "compiler_root": False}
WARNINGS = [
    f"not mounting {p} (outside the interpreter's standard library and site directories): "
    "candidates cannot import from it"
    for p in _skipped
]
# Where runs' scratch directories are made: the private root's own tmpfs at /tmp, or, without
# a private root, a fresh directory of this worker's on the host (see _make_scratch_base).
SCRATCH_BASE = "/tmp"
SCRATCH_FD = None  # a handle on SCRATCH_BASE: every removal goes through it, never a path


def _bind(source, root, read_only=True, at=None):
    target = root + (at or source)
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
        _make_read_only(target)


def _make_read_only(target):
    """Make the bind at `target` read-only with every mount below it: a remount changes one
    mount, and a writable volume mounted under a bound directory (common in containers) would
    stay writable to every run, and hold what one run leaves for the next."""
    attr = struct.pack("<QQQQ", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0, 0, 0)
    long = ctypes.c_long
    done = libc.syscall(
        long(SYS_MOUNT_SETATTR), long(AT_FDCWD), os.fsencode(target), long(AT_RECURSIVE), attr, long(len(attr))
    )
    if done == 0:
        return
    # Before Linux 5.12 (ENOSYS), or where it is refused: remount each mount of the tree,
    # found in our own mount table; a mount that cannot be made read-only is an error.
    with open("/proc/self/mountinfo", "rb") as table:
        points = [os.fsdecode(_unescape(line.split()[4])) for line in table]
    prefix = target.rstrip("/") + "/"
    for point in [target] + sorted(p for p in points if p.startswith(prefix)):
        _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _unescape(field):
    """A mount table path: the kernel writes space, tab, newline and backslash in octal."""
    for code, char in ((b"\\040", b" "), (b"\\011", b"\t"), (b"\\012", b"\n"), (b"\\134", b"\\")):
        field = field.replace(code, char)
    return field


def _build_root(mountpoint):
    """Mount a tmpfs at `mountpoint` holding read-only binds of what Python needs and a
    separate scratch tmpfs at /tmp; make the root itself read-only; chroot there."""
    _mount("tmpfs", mountpoint, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,nr_inodes=65536,mode=755")
    root = mountpoint.rstrip("/")
    bound = []
    wanted = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"]
    wanted += [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(CONFIG["executable"])]
    wanted += sys.path  # only the standard library and site directories (see _module_path)
    for path in sorted({os.path.realpath(p) if not os.path.islink(p) else p for p in wanted}, key=len):
        if not os.path.lexists(path) or any(path == b or path.startswith(b + "/") for b in bound):
            continue
        _bind(path, root)
        bound.append(path)
    global PACKAGES_AT
    if PACKAGES_ROOT and os.path.isdir(PACKAGES_ROOT):
        _bind(PACKAGES_ROOT, root, at="/.sstar-packages")
        PACKAGES_AT = "/.sstar-packages"
    for dev in ("null", "zero", "full", "random", "urandom"):
        if os.path.exists("/dev/" + dev):
            _bind("/dev/" + dev, root, read_only=False)
    os.makedirs(root + "/tmp", exist_ok=True)
    _mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=256m,nr_inodes=65536,mode=711")
    if COMPILER:
        try:
            _build_compiler_root(root)
            compiler_root = True
        except OSError as e:
            WARNINGS.append(f"no compiler root ({e}): C++ programs cannot be compiled")
            compiler_root = False
    # Nothing a run writes outside its scratch directory can outlast it, even where it runs
    # as the (capability-less) owner of the root, in an unprivileged user namespace.
    _mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(root)
    os.chroot(".")
    os.chdir("/")
    ISOLATION["compiler_root"] = bool(COMPILER) and compiler_root


# The C++ compiler's own root, inside the private root: the toolchain's directories the host
# found (see sstar_sandbox's toolchain discovery), /dev/null and the scratch tmpfs, nothing
# else: no /etc, no /proc, no interpreter, no other device. The compiler zygote chroots here.
COMPILER = CONFIG.get("compiler")
COMPILER_ROOT = "/.sstar-cc"


def _build_compiler_root(root):
    at = root + COMPILER_ROOT
    os.makedirs(at)
    bound = []
    for path in COMPILER["binds"]:  # parents before children; symlinks are recreated as such
        if any(path.startswith(b + "/") for b in bound) or not os.path.lexists(path):
            continue
        _bind(path, at)
        if not os.path.islink(path):
            bound.append(path)
    _bind("/dev/null", at, read_only=False)
    # The scratch tmpfs, where the source and the binary are: the same paths in both roots.
    os.makedirs(at + "/tmp")
    _mount(root + "/tmp", at + "/tmp", None, MS_BIND)
    _mount(None, at + "/tmp", None, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC)


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


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


def _make_scratch_base():
    """Open the scratch base. In the private root it is the root's own tmpfs at /tmp. Without
    one, /tmp is the host's, which _clear_scratch_base would empty after every run: make a
    fresh directory of our own instead (mkdir fails on anything already there, a symlink
    included), removed when the worker exits (see main; the host removes it too)."""
    global SCRATCH_BASE, SCRATCH_FD
    if not ISOLATION["chroot"]:
        parent = CONFIG.get("temp_dir") or "/tmp"
        for _ in range(100):
            base = os.path.join(parent, f"sstar-scratch-{os.getpid()}-{os.urandom(6).hex()}")
            try:
                os.mkdir(base, 0o700)
                break
            except FileExistsError:
                continue
        else:
            raise SystemExit(f"sstar worker: cannot make a scratch directory under {parent}")
        if ISOLATION["uid"] is not None:
            os.chmod(base, 0o711)  # runs (another uid) reach their own directory, list nothing
        SCRATCH_BASE = base
        WARNINGS.append(
            f"no private root: runs' scratch directories are made on the host, in {parent}/sstar-scratch-*"
        )
    SCRATCH_FD = os.open(SCRATCH_BASE, _DIR_FLAGS)


# --- accounting: CPU, memory and tasks of a run as a whole ------------------------------------


def _pread_int(fd):
    return int(os.pread(fd, 64, 0).split()[0])


class CgroupAccounting:
    """The slot's cgroup (v1), opened before the chroot. The zygote is moved into it, so every
    run and everything a run starts is counted; the counters are reset before each run."""

    name = "cgroup"

    def __init__(self, paths):
        def at(controller, name, flags):
            return os.open(os.path.join(paths[controller], name), flags)

        self.cpu = at("cpuacct", "cpuacct.usage", os.O_RDWR)
        self.usage = at("memory", "memory.usage_in_bytes", os.O_RDONLY)
        self.peak = at("memory", "memory.max_usage_in_bytes", os.O_RDWR)
        self.limit = at("memory", "memory.limit_in_bytes", os.O_WRONLY)
        self.oom = at("memory", "memory.oom_control", os.O_RDONLY)
        self.stat = at("memory", "memory.stat", os.O_RDONLY)
        self.tasks = at("pids", "pids.max", os.O_WRONLY)
        self.procs = [at(c, "cgroup.procs", os.O_WRONLY) for c in ("memory", "pids", "cpuacct")]
        self.floor = None

    def join(self, pid):
        """Move a zygote into the slot's cgroup (its runs are then born there)."""
        for fd in self.procs:
            os.write(fd, str(pid).encode())

    def release_join(self):
        for fd in self.procs:
            os.close(fd)
        self.procs = []

    def _oom_kills(self):
        for line in os.pread(self.oom, 4096, 0).split(b"\n"):
            if line.startswith(b"oom_kill "):
                return int(line.split()[1])
        return 0

    def _reclaimable(self):
        """Bytes charged to the slot for file pages no process maps: clean page cache the
        kernel takes back before it stops a run for memory."""
        stat = {}
        for line in os.pread(self.stat, 16384, 0).split(b"\n"):
            key, _, value = line.partition(b" ")
            if value:
                stat[key] = int(value)
        files = stat.get(b"active_file", 0) + stat.get(b"inactive_file", 0)
        return max(0, files - stat.get(b"mapped_file", 0))

    def start(self, req, allowance):
        """Reset the counters and set this run's limits. The limit counts from a floor taken
        once, at the first run: the warm zygote's own pages, without the page cache charged
        so far. That cache is clean, and the kernel reclaims it when a run needs the room;
        counted in the floor, it would be room for the run on top of its limit (a zygote that
        started on a cold cache had read the whole standard library), and counted from what is
        charged at each run, every file an earlier run read would raise the next run's limit."""
        os.write(self.cpu, b"0")
        if self.floor is None:
            self.floor = _pread_int(self.usage) - self._reclaimable()
        # The run's own program, plus copies of the warm interpreter's pages it writes to.
        os.write(self.limit, str(self.floor + req["memory_bytes"] + allowance).encode())
        self.base = _pread_int(self.usage)
        os.write(self.peak, b"0")
        # + the zygotes
        os.write(self.tasks, str(req.get("max_processes", 32) + (2 if CC_ZYGOTE else 1)).encode())
        self.oom_before = self._oom_kills()

    def check(self, _pid, cpu_limit, _memory_limit):
        """Why the run must be stopped now, if it must. The kernel enforces the memory limit
        by killing one process; the run ends with it (a judge stops a program at its first
        memory-limit kill, wherever it happened)."""
        if _pread_int(self.cpu) / 1e9 > cpu_limit:
            return "cpu_time"
        return "memory" if self._oom_kills() > self.oom_before else None

    def finish(self, _rusage):
        peak = max(0, _pread_int(self.peak) - self.base)
        oom = self._oom_kills() > self.oom_before
        return {"cpu_s": _pread_int(self.cpu) / 1e9, "memory_kb": peak // 1024, "oom": oom}


class ScanAccounting:
    """No writable cgroup: sum over the processes of the run's PID namespace (or, without one,
    of its session), polled with the CPU check. Approximate: what a process uses between two
    polls and takes with it when it exits unwaited is missed."""

    name = "process_scan"

    def join(self, _pid):
        pass

    def release_join(self):
        pass

    def start(self, _req, _allowance):
        self.key = None
        self.cpu_s = 0.0
        self.peak_kb = 0

    def _members(self, pid):
        if self.key is None:
            if not OWN_PID_NS:
                self.key = ("sid", str(pid).encode())
            else:
                try:
                    self.key = ("ns", os.readlink(f"{pid}/ns/pid", dir_fd=PROC_FD))
                except OSError:
                    return []
        kind, value = self.key
        for name in os.listdir(PROC_FD):
            if not name.isdigit():
                continue
            try:
                if kind == "ns" and os.readlink(f"{name}/ns/pid", dir_fd=PROC_FD) == value:
                    yield name
                elif kind == "sid" and _proc_read(name, "stat").rsplit(b")", 1)[1].split()[3] == value:
                    yield name
            except (OSError, IndexError):
                continue

    def check(self, pid, cpu_limit, memory_limit):
        """One pass over the run's processes: CPU (their own and their reaped children's)
        and anonymous resident memory, summed."""
        ticks = rss_kb = 0
        for name in self._members(pid):
            try:
                fields = _proc_read(name, "stat").rsplit(b")", 1)[1].split()
                ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
                for line in _proc_read(name, "status").split(b"\n"):
                    if line.startswith(b"RssAnon:"):
                        rss_kb += int(line.split()[1])
            except (OSError, IndexError, ValueError):
                continue
        self.cpu_s = max(self.cpu_s, ticks / CLOCK_TICKS)
        self.peak_kb = max(self.peak_kb, rss_kb)
        if self.cpu_s > cpu_limit:
            return "cpu_time"
        return "memory" if rss_kb * 1024 > memory_limit else None

    def finish(self, rusage):
        cpu = max(self.cpu_s, rusage.ru_utime + rusage.ru_stime)
        return {"cpu_s": cpu, "memory_kb": max(self.peak_kb, rusage.ru_maxrss), "oom": False}


def _proc_read(name, what):
    """/proc/NAME/WHAT of the host, read through the handle kept from before the chroot."""
    fd = os.open(f"{name}/{what}", os.O_RDONLY, dir_fd=PROC_FD)
    try:
        return os.read(fd, 8192)
    finally:
        os.close(fd)


# Handles on the host's /proc, kept from before the chroot: the zygote's size (a run's
# address-space limit counts from it) and, without a cgroup, the processes of a run.
PROC_FD = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
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

# --- warm standard library (the zygote's) -----------------------------------------------------

# What contest programs and the function prelude use. Every module kept warm makes each fork
# (and each run's exit) slower, so heavier ones (hashlib, pprint, dataclasses, …) load on use.
PRELOAD = """array bisect collections copy datetime decimal enum fractions functools heapq io itertools
json math operator random re statistics string typing""".split()
FAST_CLONE = True


def warm_up():
    """In the zygote only (the supervisor needs none of it): import what runs use, then
    freeze the heap so its pages stay shared with every run."""
    global random, threading, traceback, types, FAST_CLONE, PRELUDE_MODULE, PRELUDE_NAMES, PRELUDE_RECURSION
    for name in PRELOAD + CONFIG.get("preload", []):
        try:
            __import__(name)
        except ImportError:
            pass
    import atexit  # noqa: F401  warmed for every run (program_io.py)
    import io  # noqa: F401
    import random
    import site
    import threading
    import traceback
    import types

    # -S skips site.main(): the builtins it adds (exit, quit, help, copyright, credits,
    # license) are added here, as a normal start has them; nothing else of site runs.
    site.setquit()
    site.sethelper()
    site.setcopyright()
    # Runs skip CPython's at-fork reseeding (see _clone_run): one fixed `random` state for
    # every run on every worker, so a program using it gets the same verdict wherever it runs.
    random.seed(0)
    # The raw clone in _clone_run skips CPython's fork hooks, sound only while the zygote has
    # one thread (a preloaded module could start one): otherwise the hooks run around it.
    FAST_CLONE = threading.active_count() == 1
    # Our 1 GiB RLIMIT_STACK (room for deep recursion on the main thread) would also become
    # glibc's default thread stack and break thread creation under the memory limit.
    threading.stack_size(8 << 20)
    # The prelude runs once, here, into the module a judged run runs its program in: the run
    # gets its own copy of it with the fork. Binding its ~600 names afresh in each run would
    # write to the page of every object it names (their reference counts), ~260 copy-on-write
    # faults and ~0.7 ms a run; this way a run writes only the module's own dictionary.
    limit = sys.getrecursionlimit()
    PRELUDE_MODULE = _main_module()
    exec(PRELUDE, PRELUDE_MODULE.__dict__)
    PRELUDE_NAMES = dict(PRELUDE_MODULE.__dict__)
    PRELUDE_RECURSION = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    global STREAMS
    STREAMS = _prebuilt_streams()
    import gc

    gc.collect()
    gc.freeze()


if SYS_CLONE is None:
    raise SystemExit(f"sstar worker: no clone syscall number for {os.uname().machine}")

PRELUDE = compile(CONFIG["prelude"], "<prelude>", "exec")  # sstar_sandbox::PRELUDE, from the host
# What `from sys import *` binds that each run has its own of (its streams, its argv); every
# other name the prelude binds is the same object in every run (modules, functions, constants,
# and `sys.path`, which runs change in place).
PRELUDE_PER_RUN = ("stdin", "stdout", "stderr", "argv")
PRELUDE_MODULE = None  # the zygote's `__main__` after the prelude (see warm_up)
PRELUDE_NAMES = {}  # what it held then, for the entry point's lookup
PRELUDE_RECURSION = 1000


STREAMS = None  # the std streams every run starts with (see _prebuilt_streams)


def _prebuilt_streams():
    """A run's std streams, built once here rather than in each run (three text streams cost
    a run about 0.2 ms, most of it copy-on-write faults). They are built on descriptors of the
    kinds a run's are (stdin a memfd at its start, stdout and stderr pipes), so what they learn
    of them when made (seekable or not, the position) is what a run's own streams would; each
    run gets its own unused copy with the fork."""
    own_stderr = sys.stderr
    stdin = os.memfd_create("stdin", 0)
    pipes = [os.pipe() for _ in range(2)]
    saved = []
    for target, fd in zip((0, 1, 2), (stdin, pipes[0][1], pipes[1][1])):
        try:
            saved.append(os.dup(target))
        except OSError:
            saved.append(None)
        os.dup2(fd, target)
    try:
        _std_streams()
        return sys.stdin, sys.stdout, sys.stderr
    finally:
        for target, fd in zip((0, 1, 2), saved):
            if fd is None:
                os.close(target)
            else:
                os.dup2(fd, target)
                os.close(fd)
        for fd in (stdin, *pipes[0], *pipes[1]):
            os.close(fd)
        sys.stdin = sys.stdout = None
        sys.stderr = own_stderr


def _main_module():
    module = types.ModuleType("__main__")
    module.__file__ = "solution.py"
    module.__builtins__ = __builtins__
    return module


def _judged_module():
    """The module a judged program runs in: this run's copy of the zygote's, as if PRELUDE
    had just run in it here."""
    for name in PRELUDE_PER_RUN:
        PRELUDE_MODULE.__dict__[name] = getattr(sys, name)
    sys.setrecursionlimit(PRELUDE_RECURSION)
    return PRELUDE_MODULE


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


# The host's seccomp filters (compiled in Rust), ready to install: built once, here.
SECCOMP = []
for _hex in CONFIG.get("seccomp", []):
    _raw = bytes.fromhex(_hex)
    _insns = (_SockFilter * (len(_raw) // 8)).from_buffer_copy(_raw)
    SECCOMP.append((_insns, _SockFprog(len(_insns), ctypes.cast(_insns, ctypes.POINTER(_SockFilter)))))
ISOLATION["seccomp"] = bool(SECCOMP)
ISOLATION["accounting"] = ACCOUNTING.name

# --- a run: limits, privileges, the program ---------------------------------------------------

VM_BASE = 0  # the zygote's address-space size: a run's address-space limit counts from it


def _set_limit(which, soft, hard=None):
    _, cur_hard = resource.getrlimit(which)
    hard = soft if hard is None else hard
    if cur_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, cur_hard), min(hard, cur_hard)
    resource.setrlimit(which, (soft, hard))


def _apply_limits(req):
    cpu_s = req["cpu_ms"] // 1000 + 1
    _set_limit(resource.RLIMIT_CPU, cpu_s)  # soft == hard: SIGKILL, which even a PID-1 obeys
    if req["kind"] == "native" and isinstance(ACCOUNTING, CgroupAccounting):
        # A native program's memory is what it touches, which the cgroup counts and limits,
        # as judges count it: address space it only reserves (a large static array, glibc's
        # thread stacks, sized from our 1 GiB RLIMIT_STACK) is no memory used.
        _set_limit(resource.RLIMIT_AS, resource.RLIM_INFINITY)
    else:
        _set_limit(resource.RLIMIT_AS, VM_BASE + req["memory_bytes"])
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
    """Without a uid to drop to (a user namespace), the run is root there: take every
    capability away for good, or it could chroot its way out or remount the binds. Without
    a user namespace either (an unprivileged worker) it has none: locking the securebits
    would need one and fail every run; no_new_privs, set next, keeps it without any."""
    if SYS_CAPSET is None or SYS_CAPGET is None:
        raise OSError(errno.ENOSYS, f"capset: syscall number unknown on {os.uname().machine}")
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    _check(libc.syscall(SYS_CAPGET, ctypes.byref(header), ctypes.byref(data)), "capget")
    if not any(d.permitted or d.effective or d.inheritable for d in data):
        return
    for cap in range(CAP_LAST_CAP + 1):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # EINVAL past the kernel's last cap: fine
    _check(libc.prctl(PR_SET_SECUREBITS, SECURE_ALL_BITS_LOCKED, 0, 0, 0), "securebits")
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
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    # Set after the uid change, which clears it: die with the worker, whatever happens.
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _install_seccomp():
    """In the zygote, once: every run inherits the filter. (Installing it per run cost about
    0.3 ms: the kernel checks, compiles and caches a filter's verdicts when it is installed.)
    Nothing a run needs for its own setup is denied, and the `clone` flags the zygote uses
    (new PID and IPC namespaces) are useless without CAP_SYS_ADMIN, which no run has."""
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    for _insns, prog in SECCOMP:
        _check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0), "seccomp")


# Written on the report channel when a run's setup is over, before any program code runs.
SETUP_DONE = b"\x06"


def _report(record):
    write_all(3, json.dumps(record).encode())


COMPILE_ERRORS = (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError)


def compile_only(code_src):
    """A compile run, in the run's process: the program's code object, marshalled, on stdout.
    Nothing of the program runs. Never returns."""
    try:
        data = marshal.dumps(compile(code_src, "solution.py", "exec"))
    except COMPILE_ERRORS:
        os._exit(1)  # the program's own runs compile it and report why
    write_all(1, data)
    os._exit(0)


def _code_of(code_src, compiled):
    """The program's code object: from a compile run's marshalled code where there is one."""
    if compiled is not None:
        try:
            code = marshal.loads(compiled)
            if isinstance(code, types.CodeType):
                return code
        except (ValueError, EOFError, TypeError):
            pass
    return compile(code_src, "solution.py", "exec")


def run_program(req, code_src, compiled=None):
    """Runs in the run's process. Never returns: exits with the program's status."""
    sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__ = STREAMS
    try:
        code = _code_of(code_src, compiled)
    except COMPILE_ERRORS as e:
        _report({"outcome": "compile_error", "message": "".join(traceback.format_exception_only(e)).strip()})
        os._exit(1)
    sys.argv = ["solution.py", *req.get("argv", [])]
    with_prelude = req["kind"] == "function" or req.get("judged")
    module = _judged_module() if with_prelude else _main_module()
    sys.modules["__main__"] = module
    sys.path[0:0] = [os.getcwd()]
    if req.get("judged"):
        # The standard library and the packages the problem asks for, nothing else the host
        # has installed: the same verdict on every machine.
        sys.path[:] = [p for p in sys.path if p not in SITE_PATHS]
    packages = req.get("packages") or []
    sys.path.extend(os.path.join(PACKAGES_AT, p) for p in packages)
    if packages:
        # Native packages (numpy's BLAS) would start a thread per core, each counted against
        # the run's CPU time and processes: one, as on a judge.
        os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    status = 0
    try:
        if req["kind"] == "function":
            exec(code, module.__dict__)
            fn = entry_point(module.__dict__, req["entry_point"], PRELUDE_NAMES)
            if not callable(fn):
                _report({"outcome": "compile_error", "message": f"entry point `{req['entry_point']}` not found"})
                os._exit(1)
            _int_digits(0)  # JSON arguments may hold huge integers
            args = [json.loads(line) for line in _read_stdin().decode().splitlines() if line.strip()]
            _int_digits(4300)
            # Floats stay floats: _report's json.dumps writes NaN and infinities as Python's
            # JSON numbers (`Infinity`), which the host reads as numbers, never as strings.
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


OOM_PROTECTED = False  # set in the zygote when it made itself immune to the OOM killer


def _unprotect():
    """Runs inherit the zygote's immunity to the OOM killer: give it back (a raise, which
    needs no privilege), through the host's /proc, before it is closed."""
    if not OOM_PROTECTED:
        return
    try:
        fd = os.open("self/oom_score_adj", os.O_WRONLY, dir_fd=PROC_FD)
        try:
            os.write(fd, b"0")
        finally:
            os.close(fd)
    except OSError:
        pass


def run_main(ctl_fd):
    """A freshly cloned run: set up what needs no request (often while the previous run's
    result travels to the host), take its request from the supervisor, drop to the slot's uid,
    run. Never returns."""
    try:
        os.setsid()
        _unprotect()
        # Nothing of the zygote's but the request socket: not its socket, not the /proc handle.
        os.closerange(3, ctl_fd)
        os.closerange(ctl_fd + 1, 1 << 16)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # As PID 1 of its namespace the program would ignore default-action signals it sends
        # itself (or an alarm): end it as the signal would have.
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGALRM, signal.SIGUSR1, signal.SIGUSR2, signal.SIGQUIT):
            signal.signal(sig, _die_of_signal)
    except BaseException:  # noqa: BLE001  the supervisor sees the run end without a report
        os._exit(121)
    try:
        ctl = RawSocket(fileno=ctl_fd)
        _, fds = recv_fds(ctl, 1, 4)
        (size,) = struct.unpack("<I", read_exact(ctl_fd, 4))
        req, blobs = marshal.loads(read_exact(ctl_fd, size))
        if len(fds) != 4:
            os._exit(121)
    except BaseException:  # noqa: BLE001  no request (the supervisor went away): nothing ran
        os._exit(121)
    try:
        for fd, target in zip(fds, (0, 1, 2, 3)):
            os.dup2(fd, target)
        os.closerange(4, 1 << 16)  # the request socket and the descriptors it brought
        os.chdir(req["scratch"])
        if not ISOLATION["chroot"]:
            # The host's /tmp is no private tmpfs here: temporary files go in the scratch
            # directory, which is emptied after the run.
            os.environ["TMPDIR"] = req["scratch"]
        _apply_limits(req)
        # Only now: while it waits, nothing runs as the slot's uid between runs.
        _drop_privileges()
    except BaseException as e:  # noqa: BLE001  the host reports this as a sandbox failure
        _report({"outcome": "setup_error", "message": f"{type(e).__name__}: {e}"})
        os._exit(121)
    # Setup is over: a setup_error the host reads after this byte was written by the program
    # (a Python program can write to the report channel), never by the sandbox.
    write_all(3, SETUP_DONE)
    try:
        if req["kind"] in ("native", "compile"):
            run_native(req)
        if req["kind"] == "compile_python":
            compile_only(blobs[0])
        run_program(req, blobs[0], blobs[1] if req.get("compiled") and len(blobs) > 1 else None)
    finally:
        os._exit(121)


# Every signal a program may meet goes back to its default action in the child: CPython
# ignores SIGPIPE and SIGXFSZ, and an ignored signal stays ignored across exec.
_DEFAULT_SIGNALS = set(signal.valid_signals()) - {signal.SIGKILL, signal.SIGSTOP}


def run_native(req):
    """Runs in the run's process, PID 1 of its namespace: start the binary (or the compiler)
    as its child, wait, end as it ended. Never returns. A child rather than an exec: PID 1
    ignores the default-action signals it sends itself, so `raise(SIGTERM)` or `abort()`
    would not end it; the child is spawned without copying this process's pages."""
    if req["kind"] == "compile":
        argv = [COMPILER["driver"], *req["argv"], "solution.cpp", "-o", "solution"]
        env = {"PATH": "/usr/bin:/bin", "TMPDIR": req["scratch"], "LANG": "C", "LC_ALL": "C"}
        actions = [(os.POSIX_SPAWN_DUP2, 2, 1), (os.POSIX_SPAWN_CLOSE, 3)]  # diagnostics on stderr
    else:
        argv, env, actions = ["./solution", *req["argv"]], {}, [(os.POSIX_SPAWN_CLOSE, 3)]
    try:
        pid = os.posix_spawn(argv[0], argv, env, file_actions=actions, setsigmask=(), setsigdef=_DEFAULT_SIGNALS)
    except OSError as e:
        if req["kind"] == "compile":
            _report({"outcome": "setup_error", "message": f"cannot start the compiler: {e}"})
        else:  # the binary is the program's own (its ELF interpreter, say): its failure
            _report({"outcome": "exception", "type": f"cannot start the program: {e.strerror}"})
        os._exit(121)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        _report({"outcome": "signal", "signal": os.WTERMSIG(status)})
        os._exit(128 + os.WTERMSIG(status))
    code = os.WEXITSTATUS(status)
    if code == 0 and req["kind"] == "compile":
        binary = os.open("solution", os.O_RDONLY | os.O_NOFOLLOW)
        while os.sendfile(1, binary, None, 1 << 20):
            pass
    os._exit(code)


# --- the zygote: forks runs, touches nothing else --------------------------------------------

RUN_NAMESPACES = CLONE_NEWPID | CLONE_NEWIPC


def _clone_run():
    """Clone a run (child of the supervisor) into fresh PID and IPC namespaces; (pid, errno).

    With one thread the raw syscall skips CPython's fork hooks (PyOS_AfterFork_Child and the
    at-fork callbacks of `threading` and `random`), which cost about 1 ms per run and change
    nothing here: the thread keeps its identity in the child, ctypes drops the GIL around the
    syscall so no lock is held at the fork, and `random` was seeded once at start.
    """
    flags = CLONE_PARENT | signal.SIGCHLD | (RUN_NAMESPACES if OWN_PID_NS else 0)
    if FAST_CLONE:
        pid = libc.syscall(SYS_CLONE, flags, 0, 0, 0, 0)
        return pid, ctypes.get_errno() if pid < 0 else 0
    ctypes.pythonapi.PyOS_BeforeFork()
    pid = _libc_gil.syscall(SYS_CLONE, flags, 0, 0, 0, 0)
    err = ctypes.get_errno() if pid < 0 else 0
    if pid == 0:
        ctypes.pythonapi.PyOS_AfterFork_Child()
        random.seed(0)
    else:
        ctypes.pythonapi.PyOS_AfterFork_Parent()
    return pid, err


_libc_gil = ctypes.PyDLL(None, use_errno=True)  # holds the GIL across the call, like os.fork


def _probe_namespaces():
    """Can this zygote give runs their own PID and IPC namespaces? Try once."""
    pid = libc.syscall(SYS_CLONE, RUN_NAMESPACES | signal.SIGCHLD, 0, 0, 0, 0)
    if pid == 0:
        os._exit(0)
    if pid < 0:
        return False
    os.waitpid(pid, 0)
    return True


def zygote_main(sock, compiler=False):
    """Fork a run for every request, hand it the request socket, report its pid. Never reads
    anything but that one byte and a descriptor. The compiler zygote warms nothing (its runs
    start g++, never Python code) and lives in the compiler's root: it chroots there before
    the seccomp filter, which denies chroot, and its runs can reach nothing else."""
    global VM_BASE, OOM_PROTECTED
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if compiler:
        try:
            os.chroot(COMPILER_ROOT)
            os.chdir("/")
        except OSError as e:
            sock.send(json.dumps({"error": f"cannot enter the compiler root: {e}"}).encode())
            os._exit(0)
    else:
        warm_up()  # meanwhile the supervisor moves us into the slot's cgroup
    status_fd = os.open(f"{os.getpid()}/status", os.O_RDONLY, dir_fd=PROC_FD)
    try:  # a memory-limit kill takes the run, never the zygote
        fd = os.open(f"{os.getpid()}/oom_score_adj", os.O_WRONLY, dir_fd=PROC_FD)
        os.write(fd, b"-1000")
        os.close(fd)
        OOM_PROTECTED = True
    except OSError:
        pass
    seccomp_error = None
    try:
        _install_seccomp()
    except OSError as e:
        seccomp_error = str(e)  # the supervisor refuses to run anything (fails closed)
    VM_BASE = _status_kb(status_fd, b"VmSize:") * 1024  # it does nothing that could grow it
    hello = {"rss_bytes": _status_kb(status_fd, b"VmRSS:") * 1024, "seccomp_error": seccomp_error}
    if not FAST_CLONE:
        hello["warning"] = "a preloaded module started a thread: forking with CPython's hooks (slower)"
    sock.send(json.dumps(hello).encode())
    while True:
        try:
            msg, fds = recv_fds(sock, 1, 1)
        except OSError:
            os._exit(0)
        if not msg or len(fds) != 1:
            os._exit(0)  # the supervisor is gone
        pid, err = _clone_run()
        if pid == 0:
            run_main(fds[0])
        os.close(fds[0])
        sock.send(struct.pack("<ii", pid, err))


def _status_kb(fd, key):
    for line in os.pread(fd, 8192, 0).split(b"\n"):
        if line.startswith(key):
            return int(line.split()[1])
    return 0


# --- the supervisor: one execution ------------------------------------------------------------

COUNTER = 0


def _prepare_scratch(files, executable=None):
    """The run's scratch directory with `files` in it (mode 0600; `executable`, 0700)."""
    global COUNTER
    COUNTER += 1
    name = f"run{COUNTER}"
    os.mkdir(name, 0o700, dir_fd=SCRATCH_FD)
    fd = os.open(name, _DIR_FLAGS, dir_fd=SCRATCH_FD)
    try:
        for file, data in files:
            if "/" in file or file in ("", ".", ".."):
                raise ValueError(f"bad scratch file name {file!r}")
            mode = 0o700 if file == executable else 0o600
            out = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode, dir_fd=fd)
            with os.fdopen(out, "wb") as f:
                f.write(data)
        uid = ISOLATION["uid"]
        if uid is not None:
            for file, _ in files:
                os.chown(file, uid, uid, dir_fd=fd, follow_symlinks=False)
            os.fchown(fd, uid, uid)
    finally:
        os.close(fd)
    return os.path.join(SCRATCH_BASE, name)


# Directories deeper than this below a scratch entry are moved up into the base and removed
# on a later pass: one descriptor per level, and a candidate may nest thousands of levels.
REMOVE_DEPTH = 128


def _open_dir(name, dir_fd):
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except PermissionError:
        if os.geteuid() == 0:
            raise
        # Not root: runs share our uid and may have taken their own permissions away. (This
        # chmod follows a symlink swapped in meanwhile, to nothing a run could not chmod.)
        os.chmod(name, 0o700, dir_fd=dir_fd)
        return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)


def _remove_tree(parent_fd, name):
    """rm -rf of `name` in the directory `parent_fd`, through descriptors only: never follows
    a symlink, even one a leftover process swaps in for a directory mid-way (no path is
    resolved twice), so nothing outside the scratch base is touched; as root, so a
    candidate's modes cannot stop it."""
    fds, names = [_open_dir(name, parent_fd)], [name]
    try:
        while fds:
            fd, sub = fds[-1], None
            with os.scandir(fd) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        sub = entry.name
                    else:
                        os.unlink(entry.name, dir_fd=fd)
            if sub is None:
                os.close(fds.pop())
                os.rmdir(names.pop(), dir_fd=fds[-1] if fds else parent_fd)
            elif len(fds) < REMOVE_DEPTH:
                fds.append(_open_dir(sub, fd))
                names.append(sub)
            else:
                os.rename(sub, f"deep-{os.urandom(8).hex()}", src_dir_fd=fd, dst_dir_fd=SCRATCH_FD)
    finally:
        for fd in fds:
            os.close(fd)


def _clear_scratch_base():
    """Empty the scratch base, through its handle: a run's own directory, and anything a run
    running as the owner of the base (no uid to drop to) may have left beside it. Without a
    private root the base is this worker's own directory on the host, never the host's /tmp."""
    for _ in range(100_000):  # passes: each takes what _remove_tree moved up on the last one
        with os.scandir(SCRATCH_FD) as it:
            entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
        if not entries:
            return
        for name, is_dir in entries:
            if is_dir:
                _remove_tree(SCRATCH_FD, name)
            else:
                os.unlink(name, dir_fd=SCRATCH_FD)
    raise OSError(errno.EBUSY, "the scratch base keeps filling up")


def _remove_scratch_base():
    """At exit, without a private root: remove our directory on the host."""
    if ISOLATION["chroot"] or SCRATCH_FD is None:
        return
    try:
        _clear_scratch_base()
        os.rmdir(SCRATCH_BASE)
    except OSError:
        pass  # the host removes it too, once it has reaped us


WAITING = None  # (pid, socket) of a run cloned ahead from ZYGOTE, waiting for its request


def _clone_waiting(zygote):
    """Have `zygote` clone a run, which sets itself up and waits for its request on the socket
    returned with its pid."""
    ours, theirs = socketpair(AF_UNIX, SOCK_STREAM)
    try:
        try:
            send_fds(zygote, b"F", [theirs.fileno()])
        finally:
            theirs.close()
        reply = zygote.recv(8)
        if len(reply) != 8:
            raise OSError(errno.EPIPE, "the zygote is gone")
        pid, err = struct.unpack("<ii", reply)
        if pid <= 0:
            raise OSError(err, "clone: " + os.strerror(err))
        return pid, ours
    except BaseException:
        ours.close()
        raise


def clone_ahead():
    """Between requests (while the host reads the last result): clone the next run now, so
    the clone and the run's setup leave the next request's path. Counted for nobody: the
    accounting starts from zero when the request comes."""
    global WAITING
    if WAITING is None and ZYGOTE is not None:
        try:
            WAITING = _clone_waiting(ZYGOTE)
        except OSError:
            pass  # the next request clones, and says what is wrong


def _end_unused(pid):
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


def drop_waiting():
    """End the run cloned ahead, unused: before a compile, whose processes and memory the
    slot's accounting would otherwise share with it, and at exit."""
    global WAITING
    if WAITING is not None:
        (pid, sock), WAITING = WAITING, None
        sock.close()
        _end_unused(pid)


def _spawn_run(zygote, run_fds, header, code):
    """A run from `zygote` (the one cloned ahead, if it waits), given its request; its pid."""
    global WAITING
    if zygote is ZYGOTE and WAITING is not None:
        (pid, ours), WAITING = WAITING, None
        try:
            _send_request(ours, run_fds, header, code)
            return pid
        except OSError:
            _end_unused(pid)  # it died waiting: a fresh one instead
        finally:
            ours.close()
    pid, ours = _clone_waiting(zygote)
    try:
        _send_request(ours, run_fds, header, code)
    except OSError:
        pass  # the run died before it read its request: how it ended says the rest
    finally:
        ours.close()
    return pid


def _send_request(sock, run_fds, header, code):
    """A run's request: its descriptors, then its header and code, marshalled (from us to our
    own run: cheaper for it to read than JSON, about 30 copy-on-write faults fewer)."""
    send_fds(sock, b"R", list(run_fds))
    payload = marshal.dumps((header, code))
    write_all(sock.fileno(), struct.pack("<I", len(payload)) + payload)


# --- compiled code, once per program ---------------------------------------------------------

# A Python program's source (its SHA-256) -> its code object, marshalled by a compile run (a
# run that only compiles, never executes, so nothing of one test can reach another through
# it). Compiling costs each run about 0.2 ms and 50 copy-on-write faults; loading the
# marshalled code a quarter of that. Only the program's source decides what is used: it is
# sent with every run, and a run that cannot load the code compiles the source itself.
COMPILED = {}
COMPILED_MAX_BYTES = 32 << 20
SEEN = {}  # runs so far per source; -1: its compile run failed (its runs say why)
SEEN_MAX = 4096
# A compile run costs about a run (2-3 ms) and saves each later run about 0.2 ms: a program's
# first runs on a worker (a debug round's few public tests) compile it themselves.
COMPILE_RUN_AT = 8


def _compiled(req, code_src):
    """The marshalled code of a program seen often enough on this worker, or None: its first
    COMPILE_RUN_AT - 1 runs compile it themselves; the next starts with a compile run, and
    later ones reuse its result."""
    # Without a PID namespace per run a process left by an earlier run can outlive it, and
    # could write into a compile run's stdout what every later run of that program would load.
    if req["kind"] not in ("stdio", "function") or not OWN_PID_NS:
        return None
    import hashlib  # the supervisor's alone: runs never need it warm

    key = hashlib.sha256(code_src).digest()
    if key in COMPILED:
        return COMPILED[key]
    seen = SEEN.get(key, 0)
    if seen < 0:
        return None
    if len(SEEN) >= SEEN_MAX:
        SEEN.clear()
    SEEN[key] = seen + 1
    if seen + 1 < COMPILE_RUN_AT:
        return None
    result, (stdout, _, _) = execute({**req, "kind": "compile_python", "files": []}, [code_src, b""])
    if result["killed_for"] is not None or result["exit_code"] != 0 or not stdout or len(stdout) > COMPILED_MAX_BYTES:
        SEEN[key] = -1
        return None
    while COMPILED and sum(map(len, COMPILED.values())) + len(stdout) > COMPILED_MAX_BYTES:
        del COMPILED[next(iter(COMPILED))]  # the oldest
    COMPILED[key] = stdout
    return stdout


def execute(req, blobs):
    code_src, stdin_data = blobs[0], blobs[1]
    compiled = _compiled(req, code_src)
    files = list(zip(req.get("files", []), blobs[2:]))
    zygote, executable = ZYGOTE, None
    if req["kind"] == "native":  # the code is the binary
        files, code_src, executable = files + [("solution", code_src)], b"", "solution"
    elif req["kind"] == "compile":
        if CC_ZYGOTE is None:
            raise OSError(errno.ENOENT, "no compiler root in this worker")
        files, code_src, zygote = files + [("solution.cpp", code_src)], b"", CC_ZYGOTE
        drop_waiting()
    scratch = _prepare_scratch(files, executable)
    stdin_fd = os.memfd_create("stdin", 0)
    write_all(stdin_fd, stdin_data)
    os.lseek(stdin_fd, 0, os.SEEK_SET)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    rep_r, rep_w = os.pipe()
    run_fds = (stdin_fd, out_w, err_w, rep_w)
    pid = None
    header = {k: req.get(k) for k in ("kind", "entry_point", "cpu_ms", "memory_bytes", "output_bytes", "max_processes")}
    header.update(argv=req.get("argv", []), scratch=scratch, judged=bool(req.get("judged")))
    inside = lambda p: PACKAGES_AT and not os.path.isabs(p) and ".." not in p.split("/")  # noqa: E731
    header.update(packages=[p for p in req.get("packages") or [] if inside(p)], compiled=compiled is not None)
    code = [code_src] if compiled is None else [code_src, compiled]
    started = time.monotonic()
    try:
        ACCOUNTING.start(req, _allowance(req))
        pid = _spawn_run(zygote, run_fds, header, code)
    finally:
        for fd in run_fds:
            os.close(fd)
        if pid is None:
            for fd in (out_r, err_r, rep_r):
                os.close(fd)
            _clear_scratch_base()
    try:
        result, blobs_out = _supervise(req, pid, started, out_r, err_r, rep_r)
    finally:
        for fd in (out_r, err_r, rep_r):
            os.close(fd)
        _clear_scratch_base()
    if not OWN_PID_NS:
        result["warning"] = "no PID namespace: leftover processes may survive"
    return result, blobs_out


CPU_CHECK_S = 0.05


def _supervise(req, pid, started, out_r, err_r, rep_r):
    limit = req["output_bytes"]
    memory_limit = req["memory_bytes"] + _allowance(req)
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
                # RLIMIT_CPU counts one process, in whole seconds, and a namespace's init
                # ignores SIGXCPU: watch the whole run's clock and keep the rlimit as backstop.
                next_cpu_check = now + CPU_CHECK_S
                killed_for = ACCOUNTING.check(pid, cpu_limit, memory_limit)
                if killed_for is not None:
                    os.kill(pid, signal.SIGKILL)
            timeout = 100 if killed_for else max(1, (min(deadline, next_cpu_check) - now) * 1000)
        elif open_fds:
            # The run is gone and, with its PID namespace, everything it started: pipes reach
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
    used = ACCOUNTING.finish(rusage)
    if used["oom"] and killed_for in (None, "wall_time"):
        killed_for = "memory"  # a run waiting on a killed child times out: the kill came first
    stdout = b"".join(streams[out_r])[:limit]
    result = {
        "killed_for": killed_for,
        "exit_code": os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else None,
        "signal": os.WTERMSIG(wait_status) if os.WIFSIGNALED(wait_status) else None,
        "cpu_ms": used["cpu_s"] * 1000,
        "wall_ms": wall_ms,
        "memory_kb": used["memory_kb"],
        "stderr_truncated": stderr_truncated,
    }
    return result, [stdout, b"".join(streams[err_r]), b"".join(streams[rep_r])]


def _fork_zygote(compiler):
    """Fork a zygote; the supervisor's end of its socket."""
    ours, theirs = socketpair(AF_UNIX, SOCK_SEQPACKET)
    zygote = os.fork()
    if zygote == 0:
        # The zygote: it has read nothing but this worker's code and config, and never will.
        ours.close()
        for fd in (PROTO_IN, PROTO_OUT):
            os.close(fd)
        for other in (ZYGOTE, CC_ZYGOTE):
            if other is not None:
                other.close()
        ACCOUNTING.release_join()
        try:
            zygote_main(theirs, compiler)
        finally:
            os._exit(0)
    theirs.close()
    # The first move into a cgroup waits for an RCU grace period (~20 ms here): done while
    # the zygote imports, before it can clone any run.
    ACCOUNTING.join(zygote)
    return ours


def _hello(zygote):
    hello = json.loads(zygote.recv(4096) or b"{}")
    if hello.get("seccomp_error"):
        raise SystemExit(f"sstar worker: cannot install the seccomp filter: {hello['seccomp_error']}")
    if hello.get("warning"):
        WARNINGS.append(hello["warning"])
    return hello


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


# What a native run's first process, which only waits for the program, writes of the pages it
# shares with the zygote (about 1 MiB measured): the program gets its memory limit, not the
# warm interpreter's allowance on top.
NATIVE_ALLOWANCE = 2 << 20


def _allowance(req):
    """Memory a run may use beyond its limit: copies of the zygote's pages it writes to. (A
    scan without a cgroup counts every page PID 1 holds, shared or not: the full allowance.)"""
    native = req["kind"] == "native" and isinstance(ACCOUNTING, CgroupAccounting)
    return NATIVE_ALLOWANCE if native else ALLOWANCE


ZYGOTE = None
CC_ZYGOTE = None  # the compiler's zygote, where the host found a C++ toolchain
ALLOWANCE = 0
# Runs get their own PID and IPC namespaces where the kernel lets us make them.
OWN_PID_NS = (ISOLATION["uid"] is not None or ISOLATION["mount_ns"]) and _probe_namespaces()
if not OWN_PID_NS:
    WARNINGS.append("no PID namespace per run: leftover processes may survive a run")
try:
    main()
finally:
    _remove_scratch_base()  # also when the host died: its end of the protocol pipe closed
