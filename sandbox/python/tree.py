"""sstar: a repository tree in a run's scratch directory, then a shell command over it or a
function imported from it (`sstar fix`). Runs as an ordinary sandboxed program: the tree comes
as the scratch file `tree` (see `sandbox/src/command.rs` for its layout), `sys.argv[1]` says
what to do."""

import os
import struct
import sys


def _unpack(archive, root):
    """Write every file of `archive` under `root`; a path leaving it is refused."""
    with open(archive, "rb") as f:
        data = f.read()
    os.unlink(archive)
    at = 0
    while at < len(data):
        (size,) = struct.unpack_from("<I", data, at)
        at += 4
        path = data[at : at + size].decode("utf-8")
        at += size
        mode, length = struct.unpack_from("<BQ", data, at)
        at += 9
        parts = path.split("/")
        if path.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise SystemExit(f"sstar: bad path in tree: {path!r}")
        target = os.path.join(root, *parts)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as out:
            out.write(data[at : at + length])
        at += length
        os.chmod(target, 0o755 if mode & 1 else 0o644)


_ROOT = os.path.join(os.getcwd(), "repo")
_unpack("tree", _ROOT)
os.chdir(_ROOT)

if sys.argv[1] == "shell":
    import subprocess

    # A fresh, minimal environment: the interpreter first on PATH (so `python3` is the one
    # the sandbox runs, with its site packages), a home inside the scratch copy.
    _bin = os.path.dirname(sys.executable)
    _env = {
        "PATH": f"{_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": os.path.dirname(_ROOT),
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    sys.stdout.flush()
    _status = subprocess.run(
        ["/bin/sh", "-c", sys.argv[2]], stdin=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=_env
    ).returncode
    # A command killed by a signal reports 128 + signal, as a shell would.
    sys.exit(_status if _status >= 0 else 128 - _status)
else:
    import importlib

    sys.path.insert(0, _ROOT)  # as the repository's own tests import it
    _sstar_target = getattr(importlib.import_module(sys.argv[2]), sys.argv[3])
