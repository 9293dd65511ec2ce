# Prints medians in their shortest form: "3" for three, "2.5" for two and a half.
import heapq
import sys


def fmt(s):
    if s % 2 == 0:
        return str(s // 2)
    return f"{'-' if s < 0 else ''}{abs(s) // 2}.5"


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    low, high = [], []
    out = []
    for tok in data[1:1 + n]:
        x = int(tok)
        heapq.heappush(low, -x)
        heapq.heappush(high, -heapq.heappop(low))
        if len(high) > len(low):
            heapq.heappush(low, -heapq.heappop(high))
        if len(low) > len(high):
            out.append(fmt(-2 * low[0]))
        else:
            out.append(fmt(high[0] - low[0]))
    print("\n".join(out))


main()
