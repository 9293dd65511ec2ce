from itertools import groupby


def encode_runs(s: str) -> str:
    out = []
    for ch, grp in groupby(s):
        m = sum(1 for _ in grp)
        out.append(ch + (str(m) if m > 1 else ""))
    return "".join(out)
