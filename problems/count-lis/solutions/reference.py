import sys

MOD = 10**9 + 7


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    h = list(map(int, data[1:1 + n]))
    ranks = {v: i + 1 for i, v in enumerate(sorted(set(h)))}
    size = len(ranks)
    # Fenwick tree over ranks; each node stores (best length, number of ways).
    best = [0] * (size + 1)
    ways = [0] * (size + 1)
    for v in h:
        r = ranks[v]
        # query prefix [1, r - 1]
        bl, bw = 0, 1
        i = r - 1
        while i > 0:
            if best[i] > bl:
                bl, bw = best[i], ways[i]
            elif best[i] == bl:
                bw += ways[i]
            i -= i & -i
        length, count = bl + 1, bw % MOD
        # update at r
        i = r
        while i <= size:
            if best[i] < length:
                best[i], ways[i] = length, count
            elif best[i] == length:
                ways[i] = (ways[i] + count) % MOD
            i += i & -i
    bl, bw = 0, 0
    i = size
    while i > 0:
        if best[i] > bl:
            bl, bw = best[i], ways[i]
        elif best[i] == bl:
            bw += ways[i]
        i -= i & -i
    print(bl)
    print(bw % MOD)


main()
