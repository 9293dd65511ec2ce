import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    xs = list(map(int, data[1:1 + 2 * n:2]))
    ys = list(map(int, data[2:2 + 2 * n:2]))
    twice_area = 0
    sx = 0
    sy = 0
    for i in range(n):
        x0, y0 = xs[i], ys[i]
        x1, y1 = xs[i - 1], ys[i - 1]
        cross = x1 * y0 - x0 * y1
        twice_area += cross
        sx += (x0 + x1) * cross
        sy += (y0 + y1) * cross
    # all sums are exact integers; divide once at the end
    cx = sx / (3 * twice_area)
    cy = sy / (3 * twice_area)
    print(f"{abs(twice_area) / 2:.9f}")
    print(f"{cx:.9f} {cy:.9f}")


main()
