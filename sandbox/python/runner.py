"""The runner both backends share: a program's code run in its module, and how the run ended
reported to the host as one record (`ok`, `returned`, `exit`, `exception`, `compile_error`).

Shared, as source, by the process worker (`worker/`, whose run.py calls it in a run's process)
and the wasm driver (`wasm_driver.py`, in a fresh copy of its snapshot): the host prepends it
to each, after `calls.py` (entry points, return values) and `program_io.py` (std streams,
exit, stdin), whose names it uses. One copy, so both backends give a program the same verdict.

What differs between the backends comes in as arguments: where the program's code comes from
(the process worker may load it from a compile run's marshalled code), its module and the
prelude (the process worker's zygote ran the prelude once; wasm runs it in the run), how a
record travels (fd 3; stderr behind the run's marker) and when an uncaught exception's record
is sent (the process worker sends it before the program's exit handlers run, so none can lose
it; wasm's must come after everything the program writes to stderr), and how an exception's
type is named (wasm32's limits as 64-bit CPython would meet them).
"""

import json
import os
import sys

# What compiling a program may raise: the program's compile error, never ours.
COMPILE_ERRORS = (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError)


def _main_module():
    """A fresh module for the program to run as `__main__` (from `solution.py`)."""
    module = type(sys)("__main__")
    module.__file__ = "solution.py"
    module.__builtins__ = __builtins__
    return module


def _compile_error(message):
    return {"outcome": "compile_error", "message": message}


def _code_or_exit(load, report):
    """The program's code object, from `load()`. A program that does not compile is reported
    as a compile error (Python's own message) and the run ends with status 1."""
    try:
        return load()
    except COMPILE_ERRORS as e:
        import traceback

        report(_compile_error("".join(traceback.format_exception_only(e)).strip()))
        os._exit(1)


def _type_name(e):
    return type(e).__name__


def _exception_record(e, type_name=_type_name):
    """The record of an exception the program did not catch. Its errno is sent only where it
    is an int (an OSError's): a program's own exception may hold anything there."""
    errno = getattr(e, "errno", None)
    return {"outcome": "exception", "type": type_name(e), "errno": errno if type(errno) is int else None}


def run_code(code, module, entry, enter, report, type_name=_type_name, report_last=False):
    """Runs the program's `code` in `module` (already `sys.modules["__main__"]`, with its std
    streams, argv and path set) and reports how it ended. Never returns: exits with the
    program's status, as CPython would.

    - `entry`: a function program's entry point (`name` or `Class.method`), called with one
      JSON argument per line of stdin; None for a stdio program.
    - `enter()`: called first, as part of the program (what it raises is the program's
      exception); returns the names the prelude bound, which an entry point never is.
    - `report(record)`: sends one record (a dict, JSON-able) to the host.
    - `type_name(e)`: an uncaught exception's type as reported.
    - `report_last`: an uncaught exception is reported after the program's exit handlers
      ran, not before.
    """
    status = 0
    try:
        prelude = enter()
        exec(code, module.__dict__)
        if entry is None:
            _finish()
            report({"outcome": "ok"})
        else:
            fn = entry_point(module.__dict__, entry, prelude)
            if not callable(fn):
                report(_compile_error(f"entry point `{entry}` not found"))
                os._exit(1)
            _int_digits(0)  # JSON arguments may hold huge integers
            args = [json.loads(line) for line in _read_stdin().decode().splitlines() if line.strip()]
            _int_digits(4300)
            # Floats stay floats: the report's json.dumps writes NaN and infinities as
            # Python's JSON numbers (`Infinity`), which the host reads as numbers, never as
            # strings.
            value = to_json(fn(*args))
            _int_digits(0)
            _finish()
            report({"outcome": "returned", "value": value})
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            status = e.code or 0
        else:
            print(e.code, file=sys.stderr)
            status = 1
        _finish()
        report({"outcome": "exit", "code": status & 0xFF})
    except BaseException as e:  # noqa: BLE001  the program's failure is a result, not ours
        try:
            import traceback

            traceback.print_exception(e)
        except BaseException:  # noqa: BLE001
            pass
        record = _exception_record(e, type_name)
        if not report_last:
            report(record)
        try:
            _finish()
        except BaseException:  # noqa: BLE001
            pass
        if report_last:
            report(record)
        status = 1
    os._exit(status & 0xFF)
