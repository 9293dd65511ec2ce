"""sstar wasm driver: runs one untrusted program inside CPython for WASI (the `wasm` backend).

The host (`sandbox/src/wasm/`) starts the interpreter once, as `python -S -c INIT`: the init
script compiles this file (as `worker.py`, so tracebacks name the runner's frames as they do
under the process backend), runs it, calls `_warm` and ends in `os._exit`. The host freezes that
interpreter into a snapshot and starts every run from a fresh copy of it by calling
`_sstar_run()`, which reads the request from stdin, then the program's own input:

    10 ASCII digits: length L of the next field
    L bytes: space-separated decimal lengths of the fields below
    marker, kind (`stdio` or `function`), entry point, prelude (empty: none), program source,
    the packages' directories (newline-separated, added to `sys.path`), argv...

The host prepends `calls.py` (entry points, return values), `program_io.py` (std streams,
exit, stdin) and `runner.py` (the program run and its report), all shared with the process
worker, so both backends give the same verdicts. What is this backend's own is here: the
request, the program's module and path, the prelude run in the run, `random` seeded and
`threading` patched on first import (_AfterImport), the report's way out, and exceptions
named as 64-bit CPython would raise them (_exception_type).

The report (what the process worker writes on its private fd 3) goes to stderr after the run's
marker, a random string the host makes per run: the host's stderr sink takes a write that is
exactly the marker as the start of the report and strips it from the program's stderr. It is
the last thing a run writes, after the program's exit handlers (`run_code`'s `report_last`).
"""

import json
import os
import sys

os.environ.clear()  # PYTHONHASHSEED was for the interpreter; programs see no environment

# The request's fields, set by `_sstar_run`.
_MARKER = _KIND = _ENTRY = _PRELUDE = _CODE = _PATHS = b""
_ARGV = []


def _take(n):
    """Exactly `n` bytes of stdin."""
    data = b""
    while len(data) < n:
        chunk = os.read(0, n - len(data))
        if not chunk:
            raise SystemExit("sstar: wasm request cut short")
        data += chunk
    return data


def _patch_threading(threading):
    """Threads cannot start in this build: a started thread runs its target to the end, right
    away, on the caller's stack. The common `threading.stack_size(...)` plus
    `Thread(target=main).start()` idiom keeps working; threads that wait for one another do not
    (they block, and end as a time limit)."""

    def start(self):
        if not self._initialized:
            raise RuntimeError("thread.__init__() not called")
        if self._started.is_set():
            raise RuntimeError("threads can only be started once")
        self._started.set()
        try:
            self.run()
        except BaseException:  # noqa: BLE001  reported as an uncaught exception in a thread is
            self._invoke_excepthook(self)
        finally:
            self._is_stopped = True
            self._tstate_lock = None

    threading.Thread.start = start


class _Finishing:
    """A loader that runs a hook after the module it wraps is executed."""

    def __init__(self, inner, hook):
        self._inner, self._hook = inner, hook

    def create_module(self, spec):
        return self._inner.create_module(spec)

    def exec_module(self, module):
        self._inner.exec_module(module)
        self._hook(module)

    def __getattr__(self, name):
        return getattr(self._inner, name)


class _AfterImport:
    """Finishes a few standard modules, when a program first imports them, the way the process
    backend's warm workers have them: `random` seeded with 0 (one fixed state for every run),
    `threading` patched (see _patch_threading). Doing it on import keeps start-up cheap."""

    hooks = {"random": lambda module: module.seed(0), "threading": _patch_threading}

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        hook = cls.hooks.pop(name, None)
        if hook is None:
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is cls or find is None:
                continue
            spec = find(name, path, target)
            if spec is not None:
                spec.loader = _Finishing(spec.loader, hook)
                return spec
        return None


sys.meta_path.insert(0, _AfterImport)


def _report(record):
    """Writes the report record (a dict, as JSON) after the marker; flushes the program's
    streams first."""
    text = json.dumps(record)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001  a closed or broken stream is the program's own business
            pass
    os.write(2, _MARKER)
    view = memoryview(text.encode())
    while view:
        view = view[os.write(2, view) :]


# What wasm32 CPython raises for a size above 2**31-1, where 64-bit CPython tries to allocate
# it and, under any memory limit below 2 GiB, raises MemoryError.
_TOO_BIG_FOR_WASM32 = (
    "cannot fit 'int' into an index-sized integer",
    "Python int too large to convert to C ssize_t",
)


def _exception_type(e):
    """The exception's type name as the process backend would report it: an OverflowError for
    a size wasm32 cannot hold is the MemoryError 64-bit CPython raises (a memory limit); a
    RecursionError raised far below the recursion limit (this build also caps recursion
    through C frames, at a depth of a few hundred, where CPython on Linux goes as deep as its
    stack allows) carries a note saying so."""
    name = type(e).__name__
    if type(e) is OverflowError and e.args and e.args[0] in _TOO_BIG_FOR_WASM32:
        return "MemoryError"
    if isinstance(e, RecursionError):
        depth, tb = 0, e.__traceback__
        while tb is not None:
            depth, tb = depth + 1, tb.tb_next
        if depth < sys.getrecursionlimit() // 2:
            name += (
                " (wasm: C recursion limit reached; deep recursion through C frames is not supported"
                " under --sandbox wasm)"
            )
    return name


def prepare_program():
    """The program's std streams, code, module and path, as this backend gives them; (code,
    module, entry point, enter) for the shared runner's run_code (runner.py), which _sstar_run
    calls itself, so the program runs as deep in the stack as it always has. A program that
    does not compile ends the run here."""
    _std_streams()
    code = _code_or_exit(lambda: compile(_CODE, "solution.py", "exec"), _report)
    module = _main_module()
    sys.modules["__main__"] = module
    sys.argv = ["solution.py", *(os.fsdecode(a) for a in _ARGV)]
    sys.path[:] = [os.getcwd(), *(p for p in sys.path if p)]
    sys.path.extend(os.fsdecode(p) for p in _PATHS.split(b"\n") if p)
    function = _KIND == b"function"

    def enter():
        """The prelude, run here into the program's module (a function program always has
        it); its names, for the entry point's lookup."""
        if function or _PRELUDE:
            exec(_compiled_prelude(), module.__dict__)
        return dict(module.__dict__) if function else None

    return code, module, _ENTRY.decode() if function else None, enter


# The prelude compiled at init, by its text.
_PRELUDES = {}


def _compiled_prelude():
    code = _PRELUDES.get(_PRELUDE)
    return code if code is not None else compile(_PRELUDE, "<prelude>", "exec")


def _warm(prelude):
    """At init, before the snapshot: does what every run would do first. Imports what runs
    need and the modules the prelude imports (running the prelude itself would also change
    the recursion limit), compiles the prelude, and adds the builtins a normal start has (`-S`
    skips site.main(); nothing else of it runs). `_AfterImport` finishes `random` as it
    would on a run's first import."""
    import site

    for line in prelude.decode().splitlines():
        words = line.split()
        if words[:1] == ["import"] or words[:1] == ["from"] and words[2:3] == ["import"]:
            __import__(words[1])
    import traceback  # noqa: F401

    _PRELUDES[prelude] = compile(prelude, "<prelude>", "exec")
    site.setquit()
    site.sethelper()
    site.setcopyright()


def _sstar_run():
    """One run, from a fresh copy of the snapshot. Never returns: exits with the program's status."""
    global _MARKER, _KIND, _ENTRY, _PRELUDE, _CODE, _PATHS, _ARGV
    try:
        lengths = [int(n) for n in _take(int(_take(10))).split()]
        _MARKER, _KIND, _ENTRY, _PRELUDE, _CODE, _PATHS, *_ARGV = [_take(n) for n in lengths]
        code, module, entry, enter = prepare_program()
        # The report is the last thing on stderr, after the program's exit handlers.
        run_code(code, module, entry, enter, _report, type_name=_exception_type, report_last=True)
    finally:
        os._exit(121)
