# Bug: depth-first search returns the first route it finds, which is a valid route
# but not necessarily a shortest one.
import sys


def main():
    data = sys.stdin.read().split()
    r, c = int(data[0]), int(data[1])
    grid = data[2:2 + r]
    for i in range(r):
        for j in range(c):
            if grid[i][j] == "S":
                s = (i, j)
    moves = (("U", -1, 0), ("D", 1, 0), ("L", 0, -1), ("R", 0, 1))
    seen = {s}
    stack = [(s, 0)]
    route = []
    while stack:
        (i, j), k = stack[-1]
        if grid[i][j] == "T":
            print(len(route))
            print("".join(route))
            return
        if k == 4:
            stack.pop()
            if route:
                route.pop()
            continue
        stack[-1] = ((i, j), k + 1)
        letter, di, dj = moves[k]
        ni, nj = i + di, j + dj
        if 0 <= ni < r and 0 <= nj < c and grid[ni][nj] != "#" and (ni, nj) not in seen:
            seen.add((ni, nj))
            stack.append(((ni, nj), 0))
            route.append(letter)
    print(-1)


main()
