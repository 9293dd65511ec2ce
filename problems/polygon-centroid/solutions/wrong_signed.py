# Bug: prints the signed shoelace area, which is negative for clockwise input.
import sys


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    pts = [(int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(n)]
    a = sx = sy = 0
    for i in range(n):
        (x0, y0), (x1, y1) = pts[i], pts[(i + 1) % n]
        cross = x0 * y1 - x1 * y0
        a += cross
        sx += (x0 + x1) * cross
        sy += (y0 + y1) * cross
    print(f"{a / 2:.9f}")
    print(f"{sx / (3 * a):.9f} {sy / (3 * a):.9f}")


main()
