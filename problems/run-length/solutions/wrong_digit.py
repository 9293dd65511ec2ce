def encode_runs(s: str) -> str:
    # Bug: writes the run length as a single digit character, which breaks for
    # runs of ten or more.
    out = []
    prev = None
    count = 0
    for ch in s + "#":
        if ch == prev:
            count += 1
            continue
        if prev is not None:
            out.append(prev if count == 1 else prev + chr(ord("0") + count))
        prev, count = ch, 1
    return "".join(out)
