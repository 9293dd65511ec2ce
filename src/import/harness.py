"""sstar import harness: runs a benchmark's reference solution inside the sandbox (as a stdio
program) to turn its tests into input/expected pairs.

The host prepends the sandbox's `calls.py` (entry points, return-value encoding, as the judge
uses them). Reads one JSON request from stdin and writes one JSON object per line to its own copy of
stdout, flushed after each, so a run killed half-way still leaves every finished line.

mode "collect": runs the benchmark's own test code (HumanEval `check(candidate)`, MBPP assert
  lines, docstring examples) against the reference, with the entry point wrapped so that every
  call is recorded with how its statement judges the result ("use", see `use_of`). Emits
  {"t": "call", "args": [LINE, ...], "lossy": BOOL, "use": USE} (or "skip": WHY),
  {"t": "example", ...}, {"t": "note", "text": ...}, and {"t": "done"} at the end.
mode "expect": emits {"t": "total", "n": N}, then for each input encodes the arguments as the
  judge will pass them (one JSON line each), decodes them again, runs the reference on them
  exactly as the sandbox's function runner does (same prelude, same return-value encoding) and
  emits
  {"t": "result", "i": I, "args": [...], "out": JSON_TEXT, "float": BOOL, "ms": CPU_MS}
  or {"t": "result", "i": I, "skip": WHY}. With "outputs" (APPS), the expected value is taken
  from the dataset instead, choosing the wrapping convention the reference agrees with.
"""

import ast
import inspect
import io
import json
import math
import os
import signal
import sys
import time
import types

# The judge's own prelude (sstar_sandbox::PRELUDE), sent with the request, so expected
# values are computed the way the judge will run candidates.
PRELUDE = None

_OUT = os.fdopen(os.dup(1), "w", encoding="utf-8")


class _Sink(io.TextIOBase):
    """Where the reference's own prints go."""

    def write(self, s):
        return len(s)


class _CallTimeout(BaseException):
    """Raised by the CPU timer; a BaseException so `except Exception` in the reference cannot eat it."""


def _on_timer(signum, frame):
    raise _CallTimeout()


signal.signal(signal.SIGPROF, _on_timer)


def emit(record):
    _OUT.write(json.dumps(record) + "\n")
    _OUT.flush()


def describe(error):
    text = str(error).strip().splitlines()
    return type(error).__name__ + (": " + text[0][:200] if text else "")


# --- values ------------------------------------------------------------------------------------


def has_float(value):
    if isinstance(value, float):
        return True
    if isinstance(value, list):
        return any(has_float(v) for v in value)
    if isinstance(value, dict):
        return any(has_float(v) for v in value.values())
    return False


def lossless(value, depth=0):
    """Whether json.loads(json.dumps(value)) gives back the same types (no tuples, str keys)."""
    if depth > 200:
        return False
    if isinstance(value, (list,)):
        return all(lossless(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and lossless(v, depth + 1) for k, v in value.items())
    return value is None or isinstance(value, (bool, int, float, str))


def encode_args(args):
    """The `.in` lines for positional arguments, or Unrepresentable. Python's JSON: NaN and the
    infinities are numbers (`Infinity`), as the judge reads them."""
    lines = []
    for n, arg in enumerate(args, 1):
        try:
            lines.append(json.dumps(arg))
        except (TypeError, ValueError) as e:
            raise Unrepresentable(f"argument {n} is not json ({type(arg).__name__}: {str(e)[:80]})") from None
    return lines


def close(a, b, depth=0):
    """Python equality, tuples equal to lists, floats within 1e-6 (absolute or relative)."""
    if depth > 200:
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(close(x, y, depth + 1) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], depth + 1) for k in a)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False


# --- running the reference -----------------------------------------------------------------------


def fresh_module(with_prelude):
    module = types.ModuleType("__main__")
    module.__file__ = "solution.py"
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    prelude = {}
    if with_prelude:
        exec(PRELUDE, module.__dict__)
        prelude = dict(module.__dict__)
    return module.__dict__, prelude


def timed(fn, args, limit_ms):
    """Calls fn(*args) under a CPU timer; returns (value, cpu_ms), the time including the
    encoding of the value as the judge's runner does it; prints go to a sink."""
    sys.stdout = _Sink()
    started = time.process_time()
    signal.setitimer(signal.ITIMER_PROF, max(limit_ms, 1) / 1000.0)
    try:
        value = fn(*args)
        try:
            json.dumps(to_json(value, strict=True))
        except Unrepresentable:
            pass
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        sys.stdout = sys.__stdout__
    # Rounded to plain decimals, which the host's exact-number JSON reads back as floats.
    return value, round((time.process_time() - started) * 1000.0, 3)


# --- collect ------------------------------------------------------------------------------------


def positional(fn, args, kwargs):
    """Keyword arguments of a recorded call turned into positional ones."""
    if not kwargs:
        return list(args)
    bound = inspect.signature(fn).bind(*args, **kwargs)
    names = list(inspect.signature(fn).parameters)
    given = [n for n in names if n in bound.arguments]
    if given != names[: len(given)]:
        raise Unrepresentable("keyword arguments that skip a parameter")
    return [bound.arguments[n] for n in given]


def recorder(fn, source, sink):
    def candidate(*args, **kwargs):
        record = {"t": "call", "src": source}
        try:
            call = positional(fn, args, kwargs)
            record["args"] = encode_args(call)
            record["lossy"] = not all(lossless(a) for a in call)
        except (Unrepresentable, TypeError) as e:
            record["skip"] = str(e)
        sink.append(record)
        caller = sys._getframe(1)
        record["use"] = "property"  # until the reference has answered
        value = fn(*args, **kwargs)
        record.update(use_of(caller, value))
        return value

    return candidate


# --- how the test code judges a call's result ----------------------------------------------------

# Parsed test sources by the file name they are compiled under, with each node's parent.
_TESTS = {}


def register_test(filename, source, names):
    """`names`: what the test code calls the entry point by (for Python < 3.11)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    _TESTS[filename] = (tree, parents, set(names))


def _call_at(tree, frame, names):
    """The Call node the frame is executing: by exact position (Python >= 3.11), else the one
    call of a recorded name on the frame's line."""
    positions = getattr(frame.f_code, "co_positions", None)
    if positions is not None:
        try:
            line, end_line, col, end_col = list(positions())[frame.f_lasti // 2]
        except (IndexError, ValueError):
            line = None
        if line is not None:
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and (
                    node.lineno,
                    node.end_lineno,
                    node.col_offset,
                    node.end_col_offset,
                ) == (line, end_line, col, end_col):
                    return node
    on_line = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in names
        and node.lineno <= frame.f_lineno <= node.end_lineno
    ]
    return on_line[0] if len(on_line) == 1 else None


def _calls_tested(node, names):
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in names for n in ast.walk(node))


def use_of(frame, value):
    """How the statement making this call judges its result:
    {"use": "equal"}: `assert call == EXPR` (either side; `tuple()`/`list()` around the call
      or both sides are transparent, as the judge counts tuples as lists), `assert call is
      True/False/None`, or `assert call` / `assert not call` of a boolean result;
    {"use": "close", "tol": "T"}: `assert abs(call - EXPR) < T` (or `<=`, `math.fabs`);
    {"use": "property"}: anything else (the result is stored, transformed, compared another
      way): equality with the reference's answer would not be what the test asserts."""
    prop = {"use": "property"}
    entry = _TESTS.get(frame.f_code.co_filename)
    if entry is None:
        return prop
    tree, parents, names = entry
    names = names | set(frame.f_code.co_varnames[: frame.f_code.co_argcount])
    node = _call_at(tree, frame, names)
    if node is None:
        return prop

    def up(n):
        return parents.get(n)

    def wrapper(n):
        p = up(n)
        return (
            isinstance(p, ast.Call)
            and isinstance(p.func, ast.Name)
            and p.func.id in ("tuple", "list")
            and p.args == [n]
            and not p.keywords
        )

    while wrapper(node):
        node = up(node)
    parent = up(node)
    if isinstance(parent, ast.Assert) and parent.test is node:
        return {"use": "equal"} if isinstance(value, bool) else prop
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
        holder = up(parent)
        if isinstance(holder, ast.Assert) and holder.test is parent and isinstance(value, bool):
            return {"use": "equal"}
        return prop
    if isinstance(parent, ast.Compare) and len(parent.ops) == 1 and isinstance(up(parent), ast.Assert):
        if up(parent).test is not parent:
            return prop
        other = parent.comparators[0] if parent.left is node else parent.left
        if _calls_tested(other, names):
            return prop
        op = parent.ops[0]
        if isinstance(op, ast.Eq):
            return {"use": "equal"}
        if isinstance(op, ast.Is) and isinstance(other, ast.Constant) and other.value in (True, False, None):
            return {"use": "equal"}
        return prop
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Sub):
        other = parent.right if parent.left is node else parent.left
        absolute = up(parent)
        compare = up(absolute)
        is_abs = (
            isinstance(absolute, ast.Call)
            and absolute.args == [parent]
            and not absolute.keywords
            and (
                (isinstance(absolute.func, ast.Name) and absolute.func.id in ("abs", "fabs"))
                or (isinstance(absolute.func, ast.Attribute) and absolute.func.attr == "fabs")
            )
        )
        if (
            is_abs
            and not _calls_tested(other, names)
            and isinstance(compare, ast.Compare)
            and compare.left is absolute
            and len(compare.ops) == 1
            and isinstance(compare.ops[0], (ast.Lt, ast.LtE))
            and isinstance(up(compare), ast.Assert)
            and up(compare).test is compare
        ):
            try:
                tol = ast.literal_eval(compare.comparators[0])
            except (ValueError, SyntaxError, TypeError):
                return prop
            if isinstance(tol, (int, float)) and not isinstance(tol, bool) and 0 < tol < float("inf"):
                # As text: the host's exact-number JSON reads `1e-09` back exactly this way.
                return {"use": "close", "tol": repr(float(tol))}
    return prop


def literal(text):
    """The expected value written in a docstring example, trying a few common shapes."""
    tries = [text, text.rstrip(".").rstrip()]
    for cut in (" #", " (", "  "):
        if cut in text:
            tries.append(text.split(cut, 1)[0].rstrip().rstrip("."))
    for t in tries:
        t = {"true": "True", "false": "False", "null": "None"}.get(t.strip(), t)
        try:
            yield ast.literal_eval(t.strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue


def collect(req):
    ns, _ = fresh_module(with_prelude=False)
    exec(compile(req.get("setup", "") or "", "setup.py", "exec"), ns)
    exec(compile(req["code"], "solution.py", "exec"), ns)
    fn = ns.get(req["entry"])
    if not callable(fn):
        emit({"t": "fatal", "error": f"the reference defines no `{req['entry']}`"})
        return
    calls = []

    examples = req.get("examples") or []
    for n, example in enumerate(examples):
        record = {"t": "example", "n": n}
        try:
            tree = ast.parse(example["call"].strip(), mode="eval")
            body = tree.body
            if not (isinstance(body, ast.Call) and isinstance(body.func, ast.Name) and body.func.id == req["entry"]):
                raise ValueError("not a single call of the entry point")
            sink = []
            env = dict(ns)
            env[req["entry"]] = recorder(fn, "example", sink)
            sys.stdout = _Sink()
            try:
                value = eval(compile(tree, "example", "eval"), env)
            finally:
                sys.stdout = sys.__stdout__
            if len(sink) != 1 or "args" not in sink[0]:
                raise ValueError(sink[0]["skip"] if sink and "skip" in sink[0] else "not one recorded call")
            for expected in literal(example["expected"]):
                if close(value, expected):
                    record["args"] = sink[0]["args"]
                    break
            else:
                record["skip"] = "expected value does not parse or disagrees with the reference"
        except BaseException as e:  # noqa: BLE001  a bad example is dropped, not fatal
            record["skip"] = describe(e)
        emit(record)

    if req.get("check"):
        env = dict(ns)
        sys.stdout = _Sink()
        try:
            register_test("test.py", req["check"], ["candidate"])
            exec(compile(req["check"], "test.py", "exec"), env)
            env["check"](recorder(fn, "check", calls))
        except BaseException as e:  # noqa: BLE001
            emit({"t": "note", "text": f"check() stopped: {describe(e)}"})
        finally:
            sys.stdout = sys.__stdout__
    for n, line in enumerate(req.get("asserts") or []):
        env = dict(ns)
        env[req["entry"]] = recorder(fn, f"assert:{n}", calls)
        sys.stdout = _Sink()
        try:
            register_test(f"assert {n + 1}", line, [req["entry"]])
            exec(compile(line, f"assert {n + 1}", "exec"), env)
        except AssertionError:
            emit({"t": "note", "text": f"assert {n + 1} fails on the reference"})
        except BaseException as e:  # noqa: BLE001
            emit({"t": "note", "text": f"assert {n + 1}: {describe(e)}"})
        finally:
            sys.stdout = sys.__stdout__
    for record in calls:
        emit(record)
    emit({"t": "done"})


# --- expect -------------------------------------------------------------------------------------


def candidates(expected):
    """APPS call-based outputs: the value itself, or its only element (APPS's own harness
    accepts `output == expected` or `output == expected[0]`)."""
    yield expected
    if isinstance(expected, list) and len(expected) == 1:
        yield expected[0]


def call_reference(compiled, entry, args, limit_ms):
    """Runs the reference on decoded arguments as the judge's function runner would."""
    if compiled is None:
        raise Unrepresentable("no reference solution")
    ns, prelude = fresh_module(with_prelude=True)
    exec(compiled, ns)
    fn = entry_point(ns, entry, prelude)
    if not callable(fn):
        raise Unrepresentable(f"the reference defines no `{entry}`")
    return timed(fn, args, limit_ms)


def pick(data, keys):
    """`data`, or the concatenation of its lists under `keys` (MBPP+ base_input + plus_input)."""
    if not keys:
        return data
    return [item for key in keys for item in (data.get(key) or [])]


def expect(req):
    if "inputs_json" in req:
        inputs = pick(json.loads(req["inputs_json"]), req.get("inputs_keys"))
    else:
        inputs = [[json.loads(line) for line in lines] for lines in req["inputs"]]
    outputs = pick(json.loads(req["outputs_json"]), req.get("outputs_keys")) if "outputs_json" in req else None
    if outputs is not None and len(outputs) != len(inputs):
        emit({"t": "fatal", "error": f"{len(inputs)} inputs but {len(outputs)} outputs"})
        return
    emit({"t": "total", "n": len(inputs)})
    code = req.get("code") or ""
    compiled = compile(code, "solution.py", "exec") if code else None
    limit_ms = req["call_limit_ms"]
    for i in range(req.get("start", 0), len(inputs)):
        record = {"t": "result", "i": i}
        try:
            args = inputs[i]
            if not isinstance(args, list):
                raise Unrepresentable("an input is not a list of arguments")
            record["args"] = encode_args(args)
            judged_args = [json.loads(line) for line in record["args"]]
            emit({"t": "start", "i": i})
            if outputs is None:
                value, record["ms"] = call_reference(compiled, req["entry"], judged_args, limit_ms)
                shown = to_json(value, strict=True)
            else:
                options = list(candidates(outputs[i]))
                chosen = None
                if compiled is not None:
                    try:
                        value, record["ms"] = call_reference(compiled, req["entry"], judged_args, limit_ms)
                        chosen = next((o for o in options if close(value, o)), None)
                    except BaseException:  # noqa: BLE001  the dataset's value stands
                        pass
                    record["agrees"] = chosen is not None
                if chosen is None:  # no reference, or it disagrees: a 1-element list is a wrapper
                    chosen = options[-1]
                shown = to_json(chosen, strict=True)
            record["out"] = json.dumps(shown)
            record["float"] = has_float(shown)
        except _CallTimeout:
            record.pop("args", None)
            record["skip"] = f"the reference needs more than {limit_ms} ms of cpu"
        except Unrepresentable as e:
            record.pop("args", None)
            record["skip"] = f"not json-representable: {e}"
        except BaseException as e:  # noqa: BLE001  the reference failing is a result
            record.pop("args", None)
            record["skip"] = f"the reference raised {describe(e)}"
        emit(record)
    emit({"t": "done"})


def main():
    global PRELUDE
    req = json.loads(sys.stdin.read())
    PRELUDE = compile(req["prelude"], "<prelude>", "exec")
    seed = req.get("hash_seed")
    if seed is not None and os.environ.get("PYTHONHASHSEED") != str(seed):
        # Run again in a fresh interpreter whose string hashes differ from ours (and from
        # the judge's workers'): results that change depend on set iteration order.
        import subprocess

        child = subprocess.run(
            [sys.executable, "-c", req["self"]],
            input=json.dumps(req).encode(),
            env={"PYTHONHASHSEED": str(seed)},
            check=False,
        )
        sys.exit(child.returncode)
    if req["mode"] == "collect":
        collect(req)
    else:
        expect(req)


if __name__ == "__main__":  # the sandbox runs it as a program; tests import it
    main()
