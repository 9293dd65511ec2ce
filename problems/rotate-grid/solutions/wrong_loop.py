# Bug: performs all k rotations instead of k mod 4; far too slow for large k.
import sys


def main():
    tokens = sys.stdin.read().split()
    r, k = int(tokens[0]), int(tokens[2])
    pic = tokens[3:3 + r]
    for _ in range(k):
        pic = ["".join(row[j] for row in reversed(pic)) for j in range(len(pic[0]))]
    print("\n".join(pic))


main()
