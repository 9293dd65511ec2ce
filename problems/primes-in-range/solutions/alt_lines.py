# Segmented check with small primes; prints every token on its own line.
import math
import sys


def main():
    lo, hi = map(int, sys.stdin.read().split())
    root = math.isqrt(hi)
    small = [True] * (root + 1)
    base = []
    for i in range(2, root + 1):
        if small[i]:
            base.append(i)
            for j in range(i * i, root + 1, i):
                small[j] = False
    is_p = [True] * (hi - lo + 1)
    for p in base:
        start = max(p * p, (lo + p - 1) // p * p)
        for m in range(start, hi + 1, p):
            is_p[m - lo] = False
    found = [lo + i for i, ok in enumerate(is_p) if ok and lo + i >= 2]
    out = [str(len(found))] + [str(p) for p in found]
    sys.stdout.write("\n".join(out) + "\n")


main()
