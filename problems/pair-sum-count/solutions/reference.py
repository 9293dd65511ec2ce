import sys
from collections import defaultdict


def main():
    data = sys.stdin.buffer.read().split()
    n, k = int(data[0]), int(data[1])
    seen = defaultdict(int)
    pairs = 0
    for tok in data[2:2 + n]:
        x = int(tok)
        pairs += seen.get(k - x, 0)
        seen[x] += 1
    print(pairs)


main()
