"""How a function program's entry point is found and its return value encoded."""

import math

import pytest


def test_return_values_become_json_values(calls):
    assert calls.to_json((1, (2, 3))) == [1, [2, 3]]
    assert calls.to_json({3, 1, 2}) == [1, 2, 3]
    assert calls.to_json({1: "a"}) == {"1": "a"}
    nan = calls.to_json(float("nan"))
    assert isinstance(nan, float) and math.isnan(nan)


def test_what_json_cannot_carry_is_its_repr_or_refused_when_strict(calls):
    class Point:
        def __repr__(self):
            return "Point()"

    assert calls.to_json(Point()) == "Point()"
    with pytest.raises(calls.Unrepresentable):
        calls.to_json(Point(), strict=True)
    with pytest.raises(calls.Unrepresentable):
        calls.to_json({1, "a"}, strict=True)


def test_the_entry_point_is_the_programs_never_the_preludes(calls):
    from operator import add

    prelude = {"add": add}
    assert calls.entry_point({"add": add}, "add", prelude) is None

    class Solution:
        def add(self, a, b):
            return a + b

    found = calls.entry_point({"add": add, "Solution": Solution}, "add", prelude)
    assert found(2, 3) == 5
    assert calls.entry_point({"Solution": Solution}, "Solution.add", {})(1, 1) == 2
