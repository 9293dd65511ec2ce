"""Isolation, once per worker: the Linux constants and calls the os module lacks (through
ctypes), the module path the private root mounts, the namespaces, the private read-only root
and the C++ compiler's own root inside it.

`isolate()` runs once, at start (main.py); what it achieved is in ISOLATION, what it could not
do in WARNINGS (both sent to the host when the worker is ready).
"""

import ctypes
import os
import struct
import sys


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


# Linux constants not exposed by the os module.

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


ISOLATION = {"mount_ns": False, "net_ns": False, "chroot": False, "uid": None, "compiler_root": False}


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
