"""The runner both sandbox backends share (sandbox/python/runner.py): a program run in its
module, in a child process (the runner ends the process), and the record it reports."""

import json
import os
import select
import subprocess
import sys

import pytest

from conftest import ROOT, RUNNER_PARTS

MARKER = b"\x00REPORT\x00"


def run(runner, source, entry=None, stdin=b"", prelude=None, **options):
    """Runs `source` as the runner runs a program, in a forked child whose report goes to
    stderr behind MARKER, as the wasm driver's does. (exit status, stdout, stderr before the
    marker, the record, whether the record came before what the program wrote at exit.)"""
    pipes = [os.pipe() for _ in range(3)]
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(pipes[0][0], 0)
            os.dup2(pipes[1][1], 1)
            os.dup2(pipes[2][1], 2)
            for r, w in pipes:
                os.close(r)
                os.close(w)
            runner._std_streams()

            def report(record):
                text = json.dumps(record)
                sys.stdout.flush()
                sys.stderr.flush()
                os.write(2, MARKER + text.encode() + MARKER)

            code = runner._code_or_exit(lambda: compile(source, "solution.py", "exec"), report)
            module = runner._main_module()
            sys.modules["__main__"] = module

            def enter():
                if prelude is not None:
                    exec(prelude, module.__dict__)
                return dict(module.__dict__)

            runner.run_code(code, module, entry, enter, report, **options)
        finally:
            os._exit(99)  # never back into pytest
    os.close(pipes[0][0])
    os.close(pipes[1][1])
    os.close(pipes[2][1])
    os.write(pipes[0][1], stdin)
    os.close(pipes[0][1])
    out = {pipes[1][0]: b"", pipes[2][0]: b""}
    while out:
        for fd in select.select(list(out), [], [])[0]:
            chunk = os.read(fd, 1 << 16)
            if chunk:
                out[fd] += chunk
                continue
            os.close(fd)
            if fd == pipes[1][0]:
                stdout = out.pop(fd)
            else:
                stderr = out.pop(fd)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status), status
    before, _, rest = stderr.partition(MARKER)
    record_text, _, after = rest.partition(MARKER)
    record = json.loads(record_text) if record_text else None
    return os.WEXITSTATUS(status), stdout.decode(), before.decode(), record, after.decode()


def test_a_stdio_program_finishes_ok(runner):
    status, out, err, record, _ = run(runner, "print(input()[::-1])", stdin=b"abc\n")
    assert (status, out, err, record) == (0, "cba\n", "", {"outcome": "ok"})


def test_a_function_program_returns_its_value_as_json(runner):
    status, out, _, record, _ = run(runner, "def add(a, b):\n    print('side')\n    return a + b", "add", b"1\n2\n")
    assert (status, out, record) == (0, "side\n", {"outcome": "returned", "value": 3})
    _, _, _, record, _ = run(runner, "class Solution:\n    def f(self, x):\n        return (x, {2, 1})", "f", b'"a"\n')
    assert record == {"outcome": "returned", "value": ["a", [1, 2]]}


@pytest.fixture
def uncapped_digits():
    """This test's own int <-> str conversions uncapped (Python 3.11 caps them at 4300 digits)."""
    limit = getattr(sys, "get_int_max_str_digits", lambda: None)()
    if limit is not None:
        sys.set_int_max_str_digits(0)
    yield
    if limit is not None:
        sys.set_int_max_str_digits(limit)


def test_huge_integers_cross_both_ways_and_floats_stay_numbers(runner, uncapped_digits):
    big = 10**5000
    source = "def f(n):\n    return [n + 1, float('inf'), float('nan')]"
    _, _, _, record, _ = run(runner, source, "f", str(big).encode() + b"\n")
    assert record["value"][0] == big + 1
    assert record["value"][1] == float("inf") and record["value"][2] != record["value"][2]


def test_an_entry_point_the_program_lacks_is_a_compile_error_even_in_the_prelude(runner):
    prelude = "from operator import add"
    status, _, _, record, _ = run(runner, "x = 1", "add", b"1\n2\n", prelude=prelude)
    assert status == 1
    assert record == {"outcome": "compile_error", "message": "entry point `add` not found"}


def test_a_program_that_does_not_compile_says_why(runner):
    status, _, _, record, _ = run(runner, "def (:\n  pass")
    assert status == 1 and record["outcome"] == "compile_error"
    assert record["message"].startswith('File "solution.py", line 1') and "SyntaxError" in record["message"]


def test_an_uncaught_exception_is_reported_with_its_type_and_traceback(runner):
    status, _, err, record, _ = run(runner, "def f():\n    raise ValueError('boom')\nf()")
    assert status == 1
    assert record == {"outcome": "exception", "type": "ValueError", "errno": None}
    assert 'File "solution.py", line 2, in f' in err and err.rstrip().endswith("ValueError: boom")


def test_errno_is_sent_only_when_it_is_an_int(runner):
    _, _, _, record, _ = run(runner, "open('/nonexistent/sstar')")
    assert record == {"outcome": "exception", "type": "FileNotFoundError", "errno": 2}
    source = "class E(Exception):\n    errno = object()\nraise E()"
    status, _, _, record, _ = run(runner, source)
    assert (status, record) == (1, {"outcome": "exception", "type": "E", "errno": None})


def test_a_backend_names_exception_types_its_own_way(runner):
    _, _, _, record, _ = run(runner, "raise OverflowError('x')", type_name=lambda e: "MemoryError")
    assert record["type"] == "MemoryError"


def test_the_prelude_fails_as_the_program(runner):
    status, _, err, record, _ = run(runner, "print('never')", prelude="1 / 0")
    assert (status, record["type"]) == (1, "ZeroDivisionError") and "never" not in err


@pytest.mark.parametrize(
    ("source", "status", "code", "stderr"),
    [
        ("import sys\nsys.exit(3)", 3, 3, ""),
        ("import sys\nsys.exit()", 0, 0, ""),
        ("import sys\nsys.exit('bad input')", 1, 1, "bad input\n"),
        ("raise SystemExit(256)", 0, 0, ""),
        ("raise SystemExit(-1)", 255, 255, ""),
    ],
)
def test_an_exit_ends_with_its_status_as_cpython_does(runner, source, status, code, stderr):
    got, _, err, record, _ = run(runner, source)
    assert (got, record, err) == (status, {"outcome": "exit", "code": code}, stderr)


def test_an_exceptions_record_comes_before_or_after_the_exit_handlers(runner):
    source = "import atexit, sys\natexit.register(lambda: print('at exit', file=sys.stderr))\nraise KeyError(1)"
    _, _, before, record, after = run(runner, source)
    assert record["type"] == "KeyError" and "at exit" in after and "at exit" not in before
    _, _, before, record, after = run(runner, source, report_last=True)
    assert record["type"] == "KeyError" and "at exit" in before and after == ""


def test_a_finished_program_runs_its_exit_handlers_before_the_record(runner):
    source = "import atexit\natexit.register(lambda: print('bye'))\nprint('main')"
    _, out, _, record, _ = run(runner, source)
    assert (out, record) == ("main\nbye\n", {"outcome": "ok"})


def test_the_wasm_driver_names_what_wasm32_cannot_hold_as_cpython_would():
    """The driver's own exception naming, in a child interpreter (loading the driver clears
    the environment and installs an import hook)."""
    source = "\n".join((ROOT / p).read_text() for p in (*RUNNER_PARTS, "sandbox/python/wasm_driver.py"))
    check = """
print(_exception_type(OverflowError("cannot fit 'int' into an index-sized integer")))
print(_exception_type(OverflowError("int too large to convert to float")))
try:
    raise RecursionError("maximum recursion depth exceeded")
except RecursionError as e:
    print(_exception_type(e))
"""
    done = subprocess.run(
        [sys.executable, "-S", "-c", "import sys; exec(compile(sys.stdin.read(), 'worker.py', 'exec'))"],
        input=source + check,
        capture_output=True,
        text=True,
        check=True,
    )
    names = done.stdout.splitlines()
    assert names[:2] == ["MemoryError", "OverflowError"]
    assert names[2].startswith("RecursionError (wasm: C recursion limit reached")
