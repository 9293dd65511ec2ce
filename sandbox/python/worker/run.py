"""A run, in its own process (PID 1 of its PID namespace): set up, take the request from
the supervisor, drop privileges, then run a Python program, compile one (a compile run), or
start a native binary or the C++ compiler as its child.
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
