# Bug: assumes the picture is square and uses R for both dimensions.
import sys


def main():
    tokens = sys.stdin.read().split()
    n, k = int(tokens[0]), int(tokens[2]) % 4
    g = [list(row) for row in tokens[3:3 + n]]
    for _ in range(k):
        g = [[g[n - 1 - i][j] for i in range(n)] for j in range(n)]
    print("\n".join("".join(row) for row in g))


main()
