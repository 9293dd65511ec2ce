# Constraints the statement states: `1 ≤ n ≤ 2·10^5`, `|s| ≤ 100`, `1 <= R, C <= 1000`,
# `1 ≤ r_b, r_d ≤ n`; plus words that restrict values ("distinct").
import re

_OPS = [("\\leqslant", "≤"), ("\\leq", "≤"), ("\\le", "≤"), ("\\geq", "≥"), ("\\ge", "≥"),
        ("<=", "≤"), (">=", "≥"), ("\\lt", "<"), ("\\gt", ">"), ("\\cdot", "*"), ("\\times", "*"),
        ("⋅", "*"), ("·", "*"), ("×", "*"), ("−", "-"), ("\\ldots", "…"), ("\\dots", "…"),
        ("\\,", ""), ("\\ ", " "), ("$", " "), ("`", " "), ("{", ""), ("}", ""), ("\\mid", "|")]
_NUM = r"-?\s*\d+(?:\.\d+)?(?:\s*\*\s*10\s*\^\s*-?\d+|\s*\^\s*\d+)?"


def number(text):
    text = text.replace(" ", "")
    m = re.fullmatch(r"(-?)(\d+(?:\.\d+)?)(?:\*10\^(-?\d+)|\^(\d+))?", text)
    if not m:
        return None
    sign = -1 if m.group(1) else 1
    base = float(m.group(2))
    if m.group(3) is not None:
        value = base * 10 ** int(m.group(3))
    elif m.group(4) is not None:
        value = base ** int(m.group(4))
    else:
        value = base
    return sign * (int(value) if value == int(value) and abs(value) < 1e18 else value)


def normal_name(name):
    name = name.strip()
    m = re.fullmatch(r"\|(\w+)\|", name)
    if m:
        return "len:" + m.group(1)
    name = re.sub(r"(_\w+|\[\w+\])+$", "", name)  # a_i, a_{i}, widths[i]: the array's name
    return name if re.fullmatch(r"[A-Za-z]\w*", name) else None


def constraints(statement):
    """name -> (low, high); a bound may be another name (`1 ≤ r ≤ n`)."""
    text = statement
    for a, b in _OPS:
        text = text.replace(a, b)
    text = re.sub(r"\s*([*^])\s*", r"\1", text)
    text = re.sub(r"len\((\w+)(?:\[\w+\])*\)", r"|\1|", text)
    out = {}
    for chunk in re.split(r"[\n;()]|(?<![\d.])\.(?!\d)|,\s*(?=[-\d]+\s*[≤<])", text):
        parts = re.split(r"\s*([≤<≥>])\s*", chunk)
        if len(parts) < 3:
            continue
        terms, ops = parts[0::2], parts[1::2]
        # One direction per chain: `1 ≤ R, C ≤ 500, R*C ≥ 2` stops before the `≥`.
        up = ops[0] in "≤<"
        cut = next((i for i, o in enumerate(ops) if (o in "≤<") != up), len(ops))
        terms, ops = terms[: cut + 1], ops[:cut]
        if len(terms) < 3:
            continue
        if not up:
            terms, ops = terms[::-1], ["≤" if o == "≥" else "<" for o in ops[::-1]]
        values = []
        for term in terms:
            words = term.strip().split() or [""]
            # A chain's ends are glued to words: "- where 1 ≤ n", "n ≤ 10^5 holds".
            if term is terms[0]:
                value = number(words[-1])
            elif term is terms[-1]:
                value = number(words[0])
            else:
                value = number(term.strip())
            values.append(value)
        for i in range(1, len(terms) - 1):
            lo = next((values[j] for j in range(i - 1, -1, -1) if values[j] is not None), None)
            hi = next((values[j] for j in range(i + 1, len(terms)) if values[j] is not None), None)
            if isinstance(lo, int) and ops[i - 1] == "<":
                lo += 1
            if isinstance(hi, int) and ops[i] == "<":
                hi -= 1
            names = [normal_name(n) for n in terms[i].split(",")]
            if lo is None and hi is None:
                continue
            if lo is None:
                # `r ≤ n` bound by a name: remember the name when the next term is one.
                continue
            if hi is None:
                nxt = normal_name(terms[i + 1].split(",")[0])
                if nxt is None:
                    continue
                hi = nxt
            for name in names:
                if name and name not in out:
                    out[name] = (lo, hi)
    return out


def order_of_names(statement, names):
    """Names in the order the statement first mentions them (the input section's order)."""
    text = statement
    cut = re.search(r"(?im)^\W*input\W*$", text)
    if cut:
        text = text[cut.end():]
    def first(name):
        bare = name.split(":")[-1]
        m = re.search(r"(?<![A-Za-z0-9])" + re.escape(bare) + r"(?![A-Za-z0-9])", text)
        return m.start() if m else len(text)
    return sorted(names, key=first)


def says_distinct(statement):
    return re.search(r"\bdistinct\b|pairwise different", statement, re.I) is not None
