import heapq
import sys


def half(s):
    """Exact decimal text of s / 2 with one digit after the point."""
    sign = "-" if s < 0 else ""
    q, r = divmod(abs(s), 2)
    return f"{sign}{q}.{5 if r else 0}"


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    low = []   # max-heap (negated): the smaller half, holds the extra element
    high = []  # min-heap: the larger half
    out = []
    for tok in data[1:1 + n]:
        x = int(tok)
        if low and x > -low[0]:
            heapq.heappush(high, x)
        else:
            heapq.heappush(low, -x)
        if len(low) > len(high) + 1:
            heapq.heappush(high, -heapq.heappop(low))
        elif len(high) > len(low):
            heapq.heappush(low, -heapq.heappop(high))
        if len(low) > len(high):
            out.append(half(-2 * low[0]))
        else:
            out.append(half(high[0] - low[0]))
    sys.stdout.write("\n".join(out) + "\n")


main()
