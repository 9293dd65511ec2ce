# Bug: uses the average of the vertices as the centroid. That is right for triangles
# and parallelograms but not for general polygons.
import sys


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    pts = [(int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(n)]
    a = 0
    for i in range(n):
        (x0, y0), (x1, y1) = pts[i], pts[(i + 1) % n]
        a += x0 * y1 - x1 * y0
    cx = sum(p[0] for p in pts) / n
    cy = sum(p[1] for p in pts) / n
    print(f"{abs(a) / 2:.9f}")
    print(f"{cx:.9f} {cy:.9f}")


main()
