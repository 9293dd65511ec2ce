# Correct O(n^2) dynamic programming: too slow for large n.
import sys

MOD = 10**9 + 7


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    h = list(map(int, data[1:1 + n]))
    length = [1] * n
    ways = [1] * n
    for i in range(n):
        hi = h[i]
        for j in range(i):
            if h[j] < hi:
                if length[j] + 1 > length[i]:
                    length[i] = length[j] + 1
                    ways[i] = ways[j]
                elif length[j] + 1 == length[i]:
                    ways[i] = (ways[i] + ways[j]) % MOD
    m = max(length)
    print(m)
    print(sum(w for l, w in zip(length, ways) if l == m) % MOD)


main()
