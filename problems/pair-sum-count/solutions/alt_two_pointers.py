import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, k = int(data[0]), int(data[1])
    a = sorted(map(int, data[2:2 + n]))
    lo, hi = 0, n - 1
    pairs = 0
    while lo < hi:
        s = a[lo] + a[hi]
        if s < k:
            lo += 1
        elif s > k:
            hi -= 1
        elif a[lo] == a[hi]:
            m = hi - lo + 1
            pairs += m * (m - 1) // 2
            break
        else:
            x, y = a[lo], a[hi]
            cx = 0
            while a[lo] == x:
                cx += 1
                lo += 1
            cy = 0
            while a[hi] == y:
                cy += 1
                hi -= 1
            pairs += cx * cy
    print(pairs)


main()
