"""What a program's run needs from the interpreter around it, as CPython on Linux gives it:
fresh std streams, the exit a normal interpreter makes, stdin read whole, the int/str digit
cap. Shared, as source, by both backends' runners (`worker/`, `wasm_driver.py`): the host
prepends this file to each, so their programs see the same streams and the same exit.
"""


# Python >= 3.11 (and late 3.9/3.10 patches) cap int <-> str conversion at 4300 digits.
_int_digits = getattr(__import__("sys"), "set_int_max_str_digits", lambda _digits: None)


def _std_streams():
    import io
    import sys

    sys.stdin = sys.__stdin__ = io.TextIOWrapper(
        io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8", errors="surrogateescape"
    )
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8", errors="surrogateescape"
    )
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )


def _finish():
    """What a normal interpreter does at exit: join threads, run atexit hooks, flush stdio."""
    import atexit
    import sys

    if "threading" in sys.modules:
        sys.modules["threading"]._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001  a closed or broken stdout is the program's own business
            pass


def _read_stdin():
    import os

    chunks = []
    while chunk := os.read(0, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)
