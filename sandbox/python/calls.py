"""How the judge calls a `function` program: find its entry point, encode what it returns.

Shared, as source, by the sandbox worker (which judges candidates) and the importers' harness
(which computes expected values from reference solutions): both are built by prepending this
file, so an expected value is always encoded the way a candidate's answer will be.
"""


class Unrepresentable(Exception):
    """A return value JSON cannot carry faithfully (only raised when asked to be strict)."""


def entry_point(namespace, entry, prelude):
    """The callable named by `entry` (`name` or `Class.method`), if the program, not the
    prelude, defines it; LeetCode starters that name only the method find `Solution`'s."""
    cls_name, _, method = entry.rpartition(".")
    if cls_name:
        cls = namespace.get(cls_name)
        return getattr(cls(), method, None) if isinstance(cls, type) else None
    fn = namespace.get(method)
    if fn is prelude.get(method):
        fn = None  # e.g. `add` from the prelude's `from operator import *`
    if fn is None and isinstance(namespace.get("Solution"), type):
        fn = getattr(namespace["Solution"](), method, None)
    return fn


def to_json(value, strict=False, depth=0):
    """Python value -> JSON-able value: tuples become lists, sets sorted lists, dict keys
    strings. NaN and the infinities stay floats: encoded with `allow_nan` (json.dumps's
    default) they are Python's JSON numbers `NaN`, `Infinity`, `-Infinity`, which the host
    reads as numbers. What JSON cannot carry (unsortable sets, other objects) becomes its repr
    (or keeps its order), or raises Unrepresentable when `strict`."""

    def odd(what, lenient):
        if strict:
            raise Unrepresentable(what)
        return lenient

    if depth > 200:
        raise (Unrepresentable if strict else ValueError)("return value nested too deeply")
    if value is None or isinstance(value, (bool, int, str, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [to_json(v, strict, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [to_json(v, strict, depth + 1) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return odd("unsortable set", items)
    if isinstance(value, dict):
        return {str(k): to_json(v, strict, depth + 1) for k, v in value.items()}
    return odd(f"a {type(value).__name__} value", repr(value))
