"""A run, in its own process (PID 1 of its PID namespace): set up, take the request from
the supervisor, drop privileges, then run a Python program (through the runner both backends
share, runner.py), compile one (a compile run), or start a native binary or the C++ compiler
as its child.
"""

import json
import marshal
import os
import signal
import struct
import sys
from _socket import socket as RawSocket


# Written on the report channel when a run's setup is over, before any program code runs.
SETUP_DONE = b"\x06"


def _report(record):
    """Writes one record (a dict) on the run's report channel, fd 3."""
    write_all(3, json.dumps(record).encode())


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


def prepare_program(req, code_src, compiled=None):
    """In the run's process: a Python program's std streams, code, module and path, as this
    backend gives them; (code, module, entry point, enter) for the shared runner's run_code
    (runner.py), which run_main calls itself, so the program runs as deep in the stack as it
    always has. A program that does not compile ends the run here."""
    sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__ = STREAMS
    code = _code_or_exit(lambda: _code_of(code_src, compiled), _report)
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
    entry = req["entry_point"] if req["kind"] == "function" else None
    # The prelude ran in the zygote (see warm_up): nothing to run here, its names are known.
    return code, module, entry, lambda: PRELUDE_NAMES


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
        code, module, entry, enter = prepare_program(
            req, blobs[0], blobs[1] if req.get("compiled") and len(blobs) > 1 else None
        )
        run_code(code, module, entry, enter, _report)
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
