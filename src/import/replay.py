"""checker.py written by `sstar import` for a function problem whose benchmark tests assert a
property of the result (say `abs(poly(xs, candidate(xs))) < 1e-4`), not equality with one
answer: any answer the benchmark's own tests accept is accepted.

Usage (docs/problems.md, `checker.py`): checker.py INPUT EXPECTED ACTUAL, three paths. INPUT
holds the call's arguments, one JSON value per line; ACTUAL the program's return value as JSON
(Python's, so NaN and Infinity are numbers). EXPECTED, the reference's answer, is not needed.

It replays the benchmark's test code, `check(candidate)`, where `candidate` answers a call with
this test's arguments by the program's value and every other call by the reference solution's.
Exit 0 when every assert holds; 1 when one fails (printing which); 2 when the replay never makes
this call, so this checker cannot judge the test.
"""

import copy
import inspect
import io
import json
import sys
import traceback

ENTRY = REFERENCE = SETUP = TEST = None  # filled in by sstar import


def positional(fn, args, kwargs):
    """A call's arguments as the positional ones the judge passes (as the importer recorded them)."""
    if not kwargs:
        return list(args)
    bound = inspect.signature(fn).bind(*args, **kwargs)
    return [bound.arguments[n] for n in inspect.signature(fn).parameters if n in bound.arguments]


def shaped(value, like, depth=0):
    """The program's value decoded from JSON, given back the containers the reference's answer
    has where JSON lost them (tuples, sets), so that `== (1, 2)` in the test code holds for
    an answer the judge counts as equal."""
    if depth > 100:
        return value
    if isinstance(like, tuple) and isinstance(value, list):
        return tuple(shaped(v, w, depth + 1) for v, w in zip(value, like)) + tuple(value[len(like) :])
    if isinstance(like, (set, frozenset)) and isinstance(value, list):
        try:
            return type(like)(value)
        except TypeError:
            return value
    if isinstance(like, list) and isinstance(value, list):
        return [shaped(v, w, depth + 1) for v, w in zip(value, like)] + value[len(like) :]
    if isinstance(like, dict) and isinstance(value, dict):
        keys = {str(k): k for k in like}
        if set(keys) == set(value):
            return {keys[k]: shaped(v, like[keys[k]], depth + 1) for k, v in value.items()}
    return value


def failed_assert(error):
    """Which line of the test code failed, as text."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "test.py"]
    if not frames:
        return ""
    line = TEST.splitlines()[frames[-1].lineno - 1].strip()
    return f"test line {frames[-1].lineno}: {line}"


def main():
    input_path, _expected_path, actual_path = sys.argv[1:4]
    with open(input_path, encoding="utf-8") as f:
        wanted = [json.dumps(json.loads(line)) for line in f.read().splitlines() if line.strip()]
    with open(actual_path, encoding="utf-8") as f:
        actual = json.loads(f.read())
    namespace = {"__name__": "solution", "__builtins__": __builtins__}
    exec(compile(SETUP, "setup.py", "exec"), namespace)
    exec(compile(REFERENCE, "solution.py", "exec"), namespace)
    reference = namespace[ENTRY]
    env = dict(namespace)
    exec(compile(TEST, "test.py", "exec"), env)
    met = []

    def candidate(*args, **kwargs):
        try:
            key = [json.dumps(a) for a in positional(reference, args, kwargs)]
        except (TypeError, ValueError):
            key = None
        if key != wanted:
            return reference(*args, **kwargs)
        met.append(True)
        answer = reference(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        return shaped(copy.deepcopy(actual), answer)

    shown = sys.stdout
    sys.stdout = io.StringIO()  # the test code's own prints
    error = None
    try:
        env["check"](candidate)
    except Exception as e:  # noqa: BLE001  an assert, or the answer breaking the test code
        error = e
    sys.stdout = shown
    if not met:
        print("the benchmark's test code never makes this test's call")
        sys.exit(2)
    if error is not None:
        what = failed_assert(error) or f"{type(error).__name__}: {str(error)[:100]}"
        print(f"the benchmark's assert fails: {what}")
        sys.exit(1)


main()
