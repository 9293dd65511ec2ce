# Bug: forgets the modulo and prints the exact (huge) number of routes.
import sys


def main():
    data = sys.stdin.read().split()
    r, c = int(data[0]), int(data[1])
    rows = data[2:2 + r]
    ways = [0] * c
    ways[0] = 1 if rows[0][0] == "." else 0
    for row in rows:
        left = 0
        for j in range(c):
            if row[j] == "#":
                left = 0
            else:
                left = left + ways[j]
            ways[j] = left
    print(ways[c - 1])


main()
