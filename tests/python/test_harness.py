"""The importers' harness: how it compares and encodes values."""

import math

import pytest


def test_close_counts_tuples_as_lists_and_floats_within_tolerance(harness):
    assert harness.close((1, 2.0), [1, 2.0000001])
    assert not harness.close([1, 2], [1, 3])
    assert not harness.close(True, 1.0000001), "a bool compares exactly, never within tolerance"
    assert harness.close({"a": [0.1]}, {"a": [0.1 + 1e-9]})


def test_only_values_json_gives_back_unchanged_are_lossless(harness):
    assert harness.lossless([1, "a", None, {"k": 2.5}])
    assert not harness.lossless((1, 2))
    assert not harness.lossless({1: "a"})


def test_arguments_are_python_json_lines_and_others_refused(harness):
    assert harness.encode_args([[1, 2], "x", math.inf]) == ["[1, 2]", '"x"', "Infinity"]
    with pytest.raises(harness.Unrepresentable):
        harness.encode_args([object()])


def test_an_error_is_described_by_its_type_and_first_line(harness):
    assert harness.describe(ValueError("bad\nmore")) == "ValueError: bad"
    assert harness.describe(KeyError()) == "KeyError"
