"""Unit tests of the Python sstar runs: the sandbox's shared runner parts (calls.py,
program_io.py), the model-free input synthesizer (src/pipeline/select/synth/) and the importers'
harness (src/import/harness.py). Each is loaded the way sstar joins it before running it."""

import pathlib
import types

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


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
def synth():
    parts = [f"src/pipeline/select/synth/{p}.py" for p in ("constraints", "stdio", "function", "main")]
    return joined("synth", *parts)


@pytest.fixture(scope="session")
def harness():
    return joined("harness", "sandbox/python/calls.py", "src/import/harness.py")
