# Bug: seeds the start cell with one route without checking it for a rock.
import sys

MOD = 10**9 + 7


def main():
    data = sys.stdin.read().split()
    r, c = int(data[0]), int(data[1])
    rows = data[2:2 + r]
    ways = [0] * c
    for i, row in enumerate(rows):
        left = 0
        for j in range(c):
            if i == 0 and j == 0:
                left = 1
            elif row[j] == "#":
                left = 0
            else:
                left = (left + ways[j]) % MOD
            ways[j] = left
    print(ways[c - 1])


main()
