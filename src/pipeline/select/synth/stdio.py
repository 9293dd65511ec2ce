# Stdio inputs from the problem's structure: the shape of the public inputs (lines, tokens,
# numbers that count what follows), ranges from the statement, a ladder of sizes up to the
# stated maximum, edge values, and structure-keeping rewrites of the public inputs.
import re

MAX_TOKENS = 200_000
MAX_CHARS = 1_000_000


def kind_of(tok):
    if re.fullmatch(r"-?(0|[1-9]\d*)", tok):
        return "int"
    if re.fullmatch(r"-?\d+\.\d+", tok):
        return "float"
    return "str"


class Shape:
    """Nodes: ("line", [field]) with field ("scalar", fid) or ("array", fid, count_fid|None);
    ("repeat", count_fid, [node])."""

    def __init__(self):
        self.next = 0

    def fid(self):
        self.next += 1
        return self.next - 1


def infer(lines, pos, pending, shape, steps):
    """Up to `steps` nodes read from lines[pos:]; returns (nodes, pos) or None."""
    nodes = []
    pending = list(pending)
    while pos < len(lines) and len(nodes) < steps:
        toks = lines[pos]
        choice = None
        for fid, value in pending:
            if value >= 1 and len(toks) == value and (value > 1 or len(pending) == 1):
                choice = ("array", fid)
                break
        if choice is None:
            for fid, value in pending:
                if value >= 1 and pos + value <= len(lines):
                    body = repeat_body(lines, pos, fid, value, pending, shape)
                    if body is not None:
                        choice = ("repeat", fid, body)
                        break
        if choice and choice[0] == "array":
            nodes.append(("line", [("array", shape.fid(), choice[1])]))
            pending = [p for p in pending if p[0] != choice[1]]
            pos += 1
        elif choice:
            _, fid, (body, end) = choice
            nodes.append(("repeat", fid, body))
            pending = [p for p in pending if p[0] != fid]
            pos = end
        else:
            fields, ints = [], []
            for t in toks:
                f = shape.fid()
                fields.append(("scalar", f))
                if kind_of(t) == "int":
                    ints.append((f, int(t)))
            nodes.append(("line", fields))
            pending = ints + pending
            pos += 1
    return nodes, pos


def repeat_body(lines, pos, fid, count, pending, shape):
    """The body repeated `count` times from `pos`: the fewest steps whose every iteration fits."""
    inner = [p for p in pending if p[0] != fid]
    for steps in range(1, 5):
        mark = shape.next
        got = infer(lines, pos, inner, shape, steps)
        if got is None or got[1] == pos:
            shape.next = mark
            continue
        body = got[0]
        env = {f: v for f, v in inner}
        at = pos
        for _ in range(count):
            at = match(body, lines, at, dict(env), None)
            if at is None:
                break
        if at is not None:
            return body, at
        shape.next = mark
    return None


def unify(kinds):
    if all(k == "int" for k in kinds):
        return "int"
    if all(k in ("int", "float") for k in kinds):
        return "float"
    return "str"


def match(nodes, lines, pos, env, record):
    """Reads `nodes` from lines[pos:]; returns the next position or None. `record(fid, token,
    env)` sees every token; `env` maps count fields to their values."""
    for node in nodes:
        if node[0] == "line":
            if pos >= len(lines):
                return None
            toks = lines[pos]
            fields = node[1]
            if fields and fields[-1][0] == "array":
                fixed = len(fields) - 1
                count = env.get(fields[-1][2]) if fields[-1][2] is not None else len(toks) - fixed
                if count is None or len(toks) != fixed + count:
                    return None
            elif len(toks) != len(fields):
                return None
            for i, field in enumerate(fields):
                if field[0] == "scalar":
                    tok = toks[i]
                    if kind_of(tok) == "int":
                        env[field[1]] = int(tok)
                    if record:
                        record(field[1], tok, env)
                else:
                    for tok in toks[i:]:
                        if record:
                            record(field[1], tok, env)
            pos += 1
        else:
            count = env.get(node[1])
            if count is None or count < 0:
                return None
            for _ in range(count):
                pos = match(node[2], lines, pos, env, record)
                if pos is None:
                    return None
    return pos


def fields_of(nodes, out):
    for node in nodes:
        if node[0] == "line":
            out.extend(node[1])
        else:
            fields_of(node[2], out)
    return out


def counts_of(nodes, out):
    for node in nodes:
        if node[0] == "line":
            out.update(f[2] for f in node[1] if f[0] == "array" and f[2] is not None)
        else:
            out.add(node[1])
            counts_of(node[2], out)
    return out


class Stats:
    def __init__(self):
        self.tokens = {}      # fid -> [token]
        self.len_refs = {}    # fid -> set of count fids whose value equals the string's length
        self.per_input = {}   # fid -> [[token] per input]

    def record(self, fid, tok, env):
        self.tokens.setdefault(fid, []).append(tok)
        self.per_input.setdefault(fid, [[]])[-1].append(tok)
        refs = {f for f, v in env.items() if v == len(tok)}
        self.len_refs[fid] = self.len_refs.get(fid, refs) & refs

    def next_input(self):
        for rows in self.per_input.values():
            rows.append([])


def learn(publics):
    """A shape every public input fits, with statistics; None when there is none."""
    parsed = [[line.split() for line in p.splitlines() if line.strip()] for p in publics]
    parsed = [p for p in parsed if p]
    if not parsed:
        return None
    for source in sorted(parsed, key=len, reverse=True):
        shape = Shape()
        nodes, end = infer(source, 0, [], shape, 10**9)
        if end != len(source):
            continue
        stats = Stats()
        ok = True
        for p in parsed:
            stats.next_input()
            if match(nodes, p, 0, {}, stats.record) != len(p):
                ok = False
                break
        if ok:
            return nodes, stats, parsed
    return None


class Field:
    """What one field may hold: kind, range, alphabet, length rule."""

    def __init__(self, fid, toks, stats, is_count):
        self.fid = fid
        self.kind = unify([kind_of(t) for t in toks])
        self.is_count = is_count
        self.name = None
        self.range = None
        self.lo = self.hi = 0
        if self.kind in ("int", "float"):
            values = [float(t) if self.kind == "float" else int(t) for t in toks]
            self.lo, self.hi = min(values), max(values)
            self.decimals = max((len(t.split(".")[1]) for t in toks if "." in t), default=0)
        chars = sorted(set("".join(toks)))
        self.alphabet = chars or ["a"]
        self.lengths = (min(map(len, toks)), max(map(len, toks)))
        self.len_ref = min(stats.len_refs.get(fid) or [], default=None)
        rows = [r for r in stats.per_input.get(fid, []) if r]
        self.distinct = bool(rows) and all(len(set(r)) == len(r) for r in rows) and any(len(r) > 2 for r in rows)
        self.sorted = self.kind == "int" and any(len(r) > 2 for r in rows) and all(
            [int(x) for x in r] == sorted(int(x) for x in r) for r in rows)
        # Characters found exactly once per input (a grid's start and target): kept unique.
        self.markers = []
        if self.kind == "str" and rows:
            for c in chars:
                if all("".join(r).count(c) == 1 for r in rows):
                    self.markers.append(c)
        self.fill = [c for c in self.alphabet if c not in self.markers] or self.alphabet


def widen_alphabet(alphabet, statement):
    s = set(alphabet)
    low = re.search(r"lowercase", statement, re.I)
    up = re.search(r"uppercase|capital", statement, re.I)
    if s <= set("abcdefghijklmnopqrstuvwxyz") and low and len(s) > 2:
        return list("abcdefghijklmnopqrstuvwxyz")
    if s <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ") and up and len(s) > 2:
        return list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return alphabet


def assign_names(fields, cons, order):
    """Fields in input order take statement variables in the statement's order: a field takes
    the next name whose range holds every value it showed (array fields prefer `a_i` names)."""
    at = 0
    numeric = [n for n in order if not n.startswith("len:")]
    for f in fields:
        if f.kind not in ("int", "float"):
            continue
        for k in range(at, len(numeric)):
            lo, hi = cons[numeric[k]]
            if isinstance(lo, (int, float)) and lo <= f.lo and (not isinstance(hi, (int, float)) or f.hi <= hi):
                f.name, f.range = numeric[k], (lo, hi)
                at = k + 1
                break


class Gen:
    def __init__(self, nodes, fields, rng, level, mode, statement_distinct):
        self.nodes, self.fields, self.rng = nodes, fields, rng
        self.level, self.mode = level, mode
        self.by_name = {f.name: f.fid for f in fields.values() if f.name}
        self.tokens = 0
        self.constant = {}
        self.distinct = statement_distinct

    def bound(self, value, env, default):
        if isinstance(value, str):
            fid = self.by_name.get(value)
            return env.get(fid, default) if fid is not None else default
        return value

    def int_range(self, f, env):
        if f.range:
            lo = self.bound(f.range[0], env, f.lo)
            hi = self.bound(f.range[1], env, f.hi)
        else:
            lo, hi = f.lo, f.hi
            if f.is_count:
                hi = max(hi, 10) if self.level == "max" else hi
        lo, hi = int(lo), int(hi)
        return (lo, hi) if lo <= hi else (hi, lo)

    def count(self, f, env, outer):
        lo, hi = self.int_range(f, env)
        lo = max(lo, 0)
        room = max(1, MAX_TOKENS // max(1, outer))
        hi = max(lo, min(hi, room))
        level = self.level
        if level == "max-inner" and outer == 1 and f.fid == self.first_count:
            return lo if lo >= 1 else 1
        if level in ("max", "max-inner"):
            return hi
        if level == "one":
            return max(lo, 1) if hi >= 1 else lo
        if level == "small":
            return self.rng.randint(lo, min(hi, lo + 5))
        return self.rng.randint(lo, min(hi, max(lo, 100)))

    def value(self, f, env):
        if f.kind == "str":
            if f.len_ref is not None and f.len_ref in env:
                n = env[f.len_ref]
            elif self.level in ("max", "max-inner"):
                n = f.lengths[1] * 2
            else:
                n = self.rng.randint(max(1, f.lengths[0]), max(1, f.lengths[1]))
            if self.mode == "all-equal":
                c = self.constant.setdefault(f.fid, self.rng.choice(f.fill))
                return c * n
            return "".join(self.rng.choice(f.fill) for _ in range(n))
        if f.kind == "float":
            x = self.rng.uniform(f.lo, f.hi)
            return f"{x:.{max(f.decimals, 1)}f}"
        lo, hi = self.int_range(f, env)
        mode = self.mode
        if mode == "all-min":
            return str(lo)
        if mode == "all-max":
            return str(hi)
        if mode == "all-equal":
            return str(self.constant.setdefault(f.fid, self.rng.randint(lo, hi)))
        if mode == "small-values":
            return str(self.rng.randint(lo, min(hi, lo + 3)))
        return str(self.rng.randint(lo, hi))

    def run(self, nodes, env, outer, out):
        for node in nodes:
            if node[0] == "line":
                toks = []
                for field in node[1]:
                    f = self.fields[field[1]]
                    if field[0] == "scalar":
                        if f.is_count:
                            v = self.count(f, env, outer)
                            env[f.fid] = v
                            toks.append(str(v))
                        else:
                            tok = self.value(f, env)
                            if f.kind == "int":
                                env[f.fid] = int(tok)
                            toks.append(tok)
                    else:
                        n = env.get(field[2], 0) if field[2] is not None else self.rng.randint(1, 10)
                        toks.extend(self.array(f, env, n))
                self.tokens += len(toks)
                if self.tokens > 2 * MAX_TOKENS:
                    raise OverflowError
                out.append((node, toks))
            else:
                count = env.get(node[1], 0)
                rows = []
                for _ in range(count):
                    inner = []
                    self.run(node[2], env, outer * max(count, 1), inner)
                    rows.append(inner)
                if self.mode == "reversed" and rows:
                    rows.reverse()
                for r in rows:
                    out.extend(r)

    def array(self, f, env, n):
        items = [self.value(f, env) for _ in range(n)]
        if (f.distinct and self.distinct) and f.kind == "int":
            lo, hi = self.int_range(f, env)
            if hi - lo + 1 >= n:
                items = [str(x) for x in self.rng.sample(range(lo, hi + 1), n)]
        if f.kind == "int" and (f.sorted or self.mode in ("sorted", "reversed")):
            items.sort(key=int, reverse=self.mode == "reversed" and not f.sorted)
        return items


def place_markers(out, fields, rng):
    """A grid's unique characters (start, target) appear once each, at random cells."""
    for f in fields.values():
        if not f.markers:
            continue
        cells = [(i, j, k) for i, (node, toks) in enumerate(out)
                 for j, field in enumerate(node[1][:len(toks)]) if field[1] == f.fid
                 for k in range(len(toks[j]))]
        if len(cells) < len(f.markers):
            continue
        for m, (i, j, k) in zip(f.markers, rng.sample(cells, len(f.markers))):
            tok = out[i][1][j]
            out[i][1][j] = tok[:k] + m + tok[k + 1:]


# The ladder stays small: the few largest inputs are among the always-run edges above.
LEVELS = ["one", "small", "small", "medium", "small", "medium"]
MODES = ["random", "random", "all-equal", "sorted", "reversed", "all-min", "all-max", "small-values"]


def stdio_inputs(job, rng, emit):
    learned = learn(job["public"])
    if learned is None:
        return
    nodes, stats, parsed = learned
    counts = counts_of(nodes, set())
    counts |= {min(r) for r in stats.len_refs.values() if r}
    fields = {}
    for field in fields_of(nodes, []):
        fid = field[1]
        fields[fid] = Field(fid, stats.tokens.get(fid, ["0"]), stats, fid in counts)
        if fields[fid].kind == "str":
            if not fields[fid].markers:
                fields[fid].fill = widen_alphabet(fields[fid].fill, job["statement"])
    from_statement = constraints(job["statement"])
    assign_names(sorted(fields.values(), key=lambda f: f.fid), from_statement,
                 order_of_names(job["statement"], list(from_statement)))
    distinct = says_distinct(job["statement"])
    first_count = next((n[1] for n in nodes if n[0] == "repeat"), None)
    for public in parsed:
        for how in ("reversed", "rotated"):
            text = rewrite(nodes, public, how)
            if text:
                emit("public", f"public-{how}", text)

    def make(level, mode, tag, family="edge"):
        for _ in range(3):
            gen = Gen(nodes, fields, rng, level, mode, distinct)
            gen.first_count = first_count
            out = []
            try:
                gen.run(nodes, {}, 1, out)
            except (OverflowError, ValueError):
                continue
            place_markers(out, fields, rng)
            text = "\n".join(" ".join(toks) for _, toks in out) + "\n"
            if len(text) <= MAX_CHARS * 4:
                emit(family, tag, text)
                return

    for mode in MODES[2:]:
        make("small", mode, f"edge-{mode} small")
    make("one", "random", "size-one")
    make("max", "random", "size-max")
    make("max", "all-equal", "edge-all-equal size-max")
    make("max-inner", "random", "size-max-inner")
    for mode in MODES[2:]:
        make("one", mode, f"edge-{mode} size-one")
    i = 0
    while True:
        level = LEVELS[i % len(LEVELS)]
        mode = MODES[(i // len(LEVELS)) % len(MODES)] if i % 3 == 2 else "random"
        make(level, mode, f"size-{level}" + (f" edge-{mode}" if mode != "random" else ""), "structure")
        i += 1


def rewrite(nodes, lines, how):
    """A public input with each repeated block's rows reversed or rotated by one (the count
    lines untouched): a polygon's other orientation, the same multiset in another order."""
    changed = [False]

    def walk(nodes, pos, env):
        out = []
        for node in nodes:
            if node[0] == "line":
                out.append(" ".join(lines[pos]))
                for i, field in enumerate(node[1]):
                    if field[0] == "scalar" and kind_of(lines[pos][i]) == "int":
                        env[field[1]] = int(lines[pos][i])
                pos += 1
            else:
                rows = []
                for _ in range(env.get(node[1], 0)):
                    got, pos = walk(node[2], pos, env)
                    rows.append(got)
                if len(rows) > 1 and len({tuple(r) for r in rows}) > 1:
                    rows = rows[::-1] if how == "reversed" else rows[1:] + rows[:1]
                    changed[0] = True
                for r in rows:
                    out.extend(r)
        return out, pos

    out, _ = walk(nodes, 0, {})
    return "\n".join(out) + "\n" if changed[0] else None
