"""What confines a run: its resource limits, its dropped privileges and capabilities, and
the seccomp filter the zygote installs once for every run (SECCOMP, built at start from the
host's filters: main.py).
"""

import ctypes
import errno
import os
import resource
import signal


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


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
