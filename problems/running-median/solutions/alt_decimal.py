# Two heaps, medians printed with two decimals via Decimal ("3.00", "2.50").
import heapq
import sys
from decimal import Decimal


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    low, high = [], []  # low holds negated values of the smaller half
    out = []
    for i in range(1, n + 1):
        x = int(data[i])
        if len(low) == len(high):
            heapq.heappush(low, -heapq.heappushpop(high, x))
        else:
            heapq.heappush(high, -heapq.heappushpop(low, -x))
        if i % 2:
            m = Decimal(-low[0])
        else:
            m = Decimal(high[0] - low[0]) / 2
        out.append(f"{m:.2f}")
    print("\n".join(out))


main()
