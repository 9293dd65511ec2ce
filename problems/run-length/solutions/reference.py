def encode_runs(s: str) -> str:
    parts = []
    i = 0
    n = len(s)
    while i < n:
        j = i
        while j < n and s[j] == s[i]:
            j += 1
        run = j - i
        parts.append(s[i] if run == 1 else f"{s[i]}{run}")
        i = j
    return "".join(parts)
