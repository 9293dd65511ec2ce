# Bug: averages the two middle elements with integer division, so 2.5 becomes 2
# (and -1.5 becomes -2).
import heapq
import sys


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
            out.append(str(-low[0]))
        else:
            out.append(str((high[0] - low[0]) // 2))
    print("\n".join(out))


main()
