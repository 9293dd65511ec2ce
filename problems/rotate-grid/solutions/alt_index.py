# Computes the final picture directly from index formulas; no trailing newline.
import sys


def main():
    tokens = sys.stdin.read().split()
    r, c, k = int(tokens[0]), int(tokens[1]), int(tokens[2]) % 4
    g = tokens[3:3 + r]
    if k == 0:
        out = list(g)
    elif k == 1:
        out = ["".join(g[r - 1 - i][j] for i in range(r)) for j in range(c)]
    elif k == 2:
        out = [g[r - 1 - i][::-1] for i in range(r)]
    else:
        out = ["".join(g[i][c - 1 - j] for i in range(r)) for j in range(c)]
    sys.stdout.write("\n".join(out))


main()
