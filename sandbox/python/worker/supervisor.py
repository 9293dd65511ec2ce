"""The supervisor's side of one execution: the run cloned ahead waits for its request, the
request and its descriptors handed over, the run's limits watched and its output collected.
"""

import errno
import marshal
import os
import select
import signal
import struct
import time
from _socket import AF_UNIX, SOCK_STREAM, socketpair


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


ZYGOTE = None
CC_ZYGOTE = None  # the compiler's zygote, where the host found a C++ toolchain
