# Exact arithmetic with Fraction, printed with Python's default float formatting.
import sys
from fractions import Fraction


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    pts = [(int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(n)]
    a = 0
    sx = sy = 0
    for i in range(n):
        (x0, y0), (x1, y1) = pts[i], pts[(i + 1) % n]
        cross = x0 * y1 - x1 * y0
        a += cross
        sx += (x0 + x1) * cross
        sy += (y0 + y1) * cross
    area = Fraction(abs(a), 2)
    print(float(area), float(Fraction(sx, 3 * a)), float(Fraction(sy, 3 * a)))


main()
