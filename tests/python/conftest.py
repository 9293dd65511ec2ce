"""Unit tests of the Python sstar runs: the sandbox's shared runner parts (calls.py,
program_io.py, runner.py), the process worker's parts (sandbox/python/worker/), the model-free
input synthesizer (src/pipeline/select/synth/) and the importers' harness
(src/import/harness.py). Each is loaded the way sstar joins it before running it."""

import pathlib
import re
import types

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

# What both sandbox backends prepend to their own code, in this order (sandbox/src).
RUNNER_PARTS = ("sandbox/python/calls.py", "sandbox/python/program_io.py", "sandbox/python/runner.py")


def worker_parts():
    """The process worker's parts, in the order the host joins them (WORKER_PARTS in
    sandbox/src/worker.rs), as paths from the repository's root."""
    rust = (ROOT / "sandbox/src/worker.rs").read_text()
    return [f"sandbox/python/worker/{name}.py" for name in re.findall(r'"\.\./python/worker/(\w+)\.py"', rust)]


def joined(name, *paths):
    """A module from `paths` joined with newlines, as the host joins them."""
    source = "\n".join((ROOT / p).read_text() for p in paths)
    module = types.ModuleType(name)
    module.__dict__["__name__"] = name
    exec(compile(source, name, "exec"), module.__dict__)
    return module


@pytest.fixture(scope="session")
def calls():
    return joined("calls", "sandbox/python/calls.py")


@pytest.fixture(scope="session")
def runner():
    return joined("runner", *RUNNER_PARTS)


@pytest.fixture(scope="session")
def worker():
    """The process worker without its last part, main.py: everything it defines, nothing it
    does at start (its config, isolation, the protocol's descriptors, main())."""
    parts = worker_parts()
    assert parts[-1].endswith("/main.py")
    return joined("worker", *RUNNER_PARTS, *parts[:-1])


@pytest.fixture(scope="session")
def synth():
    parts = [f"src/pipeline/select/synth/{p}.py" for p in ("constraints", "stdio", "function", "main")]
    return joined("synth", *parts)


@pytest.fixture(scope="session")
def harness():
    return joined("harness", "sandbox/python/calls.py", "src/import/harness.py")
