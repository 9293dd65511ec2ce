"""The zygote: forks runs, touches nothing else. A run is cloned into fresh PID and IPC
namespaces as a child of the supervisor; the supervisor forks each zygote (the compiler's
too, where there is one) and reads its hello.
"""

import ctypes
import json
import os
import signal
import struct
from _socket import AF_UNIX, SOCK_SEQPACKET, socketpair


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
