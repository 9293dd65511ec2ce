# Function inputs by type (EvalPlus-style): argument types from the examples (public tests and
# the statement's `>>> f(...)` lines) or else the signature's annotations; empty, single and
# long collections, duplicates, sorted and reversed, boundaries, negatives, unicode.
import ast
import re

UNICODE = "éßøΩж中😀"


def call_args(text, name):
    """Argument lists of `name(...)` calls in text, literals only."""
    out = []
    for m in re.finditer(r"(?<![\w.])" + re.escape(name) + r"\(", text):
        depth, start = 0, m.end() - 1
        for k in range(start, min(len(text), start + 5000)):
            depth += text[k] in "([{"
            depth -= text[k] in ")]}"
            if depth == 0:
                try:
                    inside = text[start + 1:k]
                    args = ast.literal_eval("(" + inside + ",)") if inside.strip() else ()
                    out.append(list(args))
                except Exception:  # noqa: BLE001  an example call's text may fail to evaluate in any way
                    pass
                break
    return out


def signature(job):
    """(parameter count, [annotation node or None]) of the entry point, when found."""
    name = job["entry_point"].split(".")[-1]
    texts = [job.get("starter") or ""] + re.findall(r"```(?:python)?\n(.*?)```", job["statement"], re.S)
    texts.append(job["statement"])
    for text in texts:
        try:
            tree = ast.parse(text)
        except Exception:  # noqa: BLE001  a statement's code may fail to parse in any way
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                args = [a for a in node.args.args if a.arg not in ("self", "cls")]
                return len(args), [a.annotation for a in args]
    return None


def from_annotation(node):
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except Exception:  # noqa: BLE001  a string annotation may fail to parse in any way
            return None
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
    if name in ("int",):
        return ("int", 0, 10)
    if name in ("float",):
        return ("float", 0.0, 10.0)
    if name in ("str",):
        return ("str", list("abcde"), 0, 8)
    if name in ("bool",):
        return ("bool",)
    if name in ("list", "List", "tuple", "Tuple", "set", "Set"):
        return ("list", ("int", 0, 10), 0, 6)
    if isinstance(node, ast.Subscript):
        outer = from_annotation(node.value)
        inner = node.slice
        items = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        base = node.value.id if isinstance(node.value, ast.Name) else getattr(node.value, "attr", "")
        if base in ("List", "list", "Set", "set", "Sequence", "Iterable"):
            return ("list", from_annotation(items[0]) or ("int", 0, 10), 0, 6)
        if base in ("Tuple", "tuple"):
            elem = from_annotation(items[0]) or ("int", 0, 10)
            return ("list", elem, len(items), len(items)) if len(items) > 1 and not (
                isinstance(items[-1], ast.Constant) and items[-1].value is Ellipsis) else ("list", elem, 0, 6)
        if base in ("Optional",):
            return from_annotation(items[0])
        if base in ("Dict", "dict"):
            return ("dict", from_annotation(items[0]) or ("str", list("abc"), 1, 3),
                    from_annotation(items[1]) or ("int", 0, 10), 0, 4)
        return outer
    return None


def describe(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    if all(isinstance(v, bool) for v in values):
        return ("bool",)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return ("int", min(values), max(values))
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return ("float", float(min(values)), float(max(values)))
    if all(isinstance(v, str) for v in values):
        chars = sorted(set("".join(values))) or list("ab")
        return ("str", chars, min(map(len, values)), max(map(len, values)))
    if all(isinstance(v, (list, tuple)) for v in values):
        lengths = [len(v) for v in values]
        fixed = len(set(lengths)) == 1 and lengths[0] <= 3 and len(values) > 1 and lengths[0] > 0
        elem = describe([x for v in values for x in v])
        return ("list", elem or ("int", 0, 10), min(lengths), max(lengths), fixed)
    if all(isinstance(v, dict) for v in values):
        keys = describe([k for v in values for k in v])
        vals = describe([x for v in values for x in v.values()])
        return ("dict", keys or ("str", list("abc"), 1, 3), vals or ("int", 0, 10),
                min(map(len, values)), max(map(len, values)))
    return ("choice", values)


LENGTHS = {"empty": (0, 0), "one": (1, 1), "small": (2, 6), "medium": (7, 20), "long": (50, 300)}


class Typed:
    def __init__(self, rng):
        self.rng = rng

    def value(self, d, size, mode):
        rng = self.rng
        kind = d[0]
        if kind == "bool":
            return rng.random() < 0.5
        if kind == "choice":
            return rng.choice(d[1])
        if kind == "int":
            lo, hi = d[1], d[2]
            if mode == "boundary":
                return rng.choice([lo, hi, 0, 1, lo - 1 if lo < 0 else 0, hi + 1])
            if mode == "negative":
                return -rng.randint(1, max(2, abs(hi)))
            if mode == "big":
                return rng.randint(max(hi, 10) * 10, max(hi, 10) * 1000)
            span = max(hi - lo, 10)
            top = hi + (span if size in ("medium", "long") else 0)
            return rng.randint(min(lo, 0) if lo <= 1 else lo, max(top, lo + 3))
        if kind == "float":
            lo, hi = d[1], d[2]
            if mode == "boundary":
                return rng.choice([lo, hi, 0.0, 0.5])
            return round(rng.uniform(min(lo, 0.0), max(hi, lo + 1.0)), rng.choice([1, 2, 3]))
        if kind == "str":
            chars = list(d[1])
            if mode == "unicode":
                chars += list(UNICODE)
            n = self.length(d[2], d[3], size)
            if mode in ("all-equal", "duplicates"):
                return rng.choice(chars) * n
            if mode == "sorted":
                return "".join(sorted(rng.choice(chars) for _ in range(n)))
            return "".join(rng.choice(chars) for _ in range(n))
        if kind == "list":
            fixed = len(d) > 4 and d[4]
            n = d[2] if fixed else self.length(d[2], d[3], size)
            inner = "small" if size != "long" else "small"
            elem_mode = mode if mode in ("boundary", "negative", "big", "unicode") else "random"
            if mode == "all-equal" and not fixed:
                x = self.value(d[1], inner, elem_mode)
                return [x for _ in range(n)]
            items = [self.value(d[1], inner, elem_mode) for _ in range(n)]
            if mode == "duplicates" and n > 1:
                items[rng.randrange(n)] = items[rng.randrange(n)]
            if mode in ("sorted", "reversed") and not fixed:
                try:
                    items.sort(reverse=mode == "reversed")
                except TypeError:
                    pass
            return items
        if kind == "dict":
            n = self.length(d[3], d[4], size)
            out = {}
            for _ in range(n):
                k = self.value(d[1], "small", "random")
                if isinstance(k, (str, int)):
                    out[k] = self.value(d[2], "small", mode)
            return out
        return None

    def length(self, lo, hi, size):
        a, b = LENGTHS[size]
        if size == "small":
            a, b = max(a, lo), max(b, hi)
        return self.rng.randint(a, b)


def function_inputs(job, rng, emit):
    name = job["entry_point"].split(".")[-1]
    examples = []
    for text in job["public"]:
        try:
            examples.append([json_value(line) for line in text.splitlines() if line.strip()])
        except ValueError:
            pass
    sig = signature(job)
    arity = len(examples[0]) if examples else sig[0] if sig else None
    for text in (job["statement"], job.get("starter") or ""):
        examples += [a for a in call_args(text, name) if arity is None or len(a) == arity]
    if arity is None:
        arity = len(examples[0]) if examples else None
    if not arity:
        return
    examples = [e for e in examples if len(e) == arity]
    types = []
    for i in range(arity):
        d = describe([e[i] for e in examples])
        if d is None and sig and sig[0] == arity:
            d = from_annotation(sig[1][i])
        if d is None:
            return
        types.append(d)
    typed = Typed(rng)

    def put(family, tag, args):
        try:
            text = "".join(dumps(a) + "\n" for a in args)
        except (TypeError, ValueError):
            return
        emit(family, tag, text)

    def base(size="small"):
        return [typed.value(d, size, "random") for d in types]

    def collection(d):
        return d[0] in ("list", "str", "dict") and not (d[0] == "list" and len(d) > 4 and d[4])

    # Edges of each argument, the others ordinary.
    for i, d in enumerate(types):
        sizes = ["empty", "one"] if collection(d) else []
        for size in sizes:
            args = base()
            args[i] = typed.value(d, size, "random")
            put("edge", f"arg{i}-{size}", args)
        for mode in ("boundary", "all-equal", "sorted", "reversed", "duplicates", "negative", "unicode"):
            args = base()
            args[i] = typed.value(d, "small", mode)
            put("edge", f"arg{i}-{mode}", args)
    # The examples with one argument changed, then random inputs on a ladder of sizes.
    for e in examples:
        for i, d in enumerate(types):
            args = list(e)
            args[i] = typed.value(d, "small", "random")
            put("typed", f"example-arg{i}", args)
    ladder = ["small", "small", "medium", "one", "small", "medium", "long", "empty"]
    modes = ["random", "random", "random", "duplicates", "sorted", "boundary", "all-equal", "reversed"]
    k = 0
    while True:
        size = ladder[k % len(ladder)]
        mode = modes[(k // len(ladder)) % len(modes)] if k % 2 else "random"
        put("typed", f"size-{size}" + (f" {mode}" if mode != "random" else ""),
            [typed.value(d, size if collection(d) else "small", mode) for d in types])
        k += 1


def json_value(line):
    import json
    return json.loads(line)


def dumps(value):
    import json
    return json.dumps(value, ensure_ascii=False)
