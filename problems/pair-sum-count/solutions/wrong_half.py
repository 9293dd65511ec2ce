# Bug: when K = 2x, counts c*c//2 pairs among the c copies of x instead of c*(c-1)//2.
import sys
from collections import Counter


def main():
    data = sys.stdin.read().split()
    n, k = int(data[0]), int(data[1])
    cnt = Counter(map(int, data[2:2 + n]))
    pairs = 0
    for x, c in cnt.items():
        y = k - x
        if x < y:
            pairs += c * cnt.get(y, 0)
        elif x == y:
            pairs += c * c // 2
    print(pairs)


main()
