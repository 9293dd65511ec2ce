"""Special judge for maze-route: python3 checker.py INPUT EXPECTED ACTUAL.

Exit 0 when ACTUAL is a valid shortest route (or a correct -1), 1 otherwise.
"""
import sys
from collections import deque

MOVES = {"U": (-1, 0), "D": (1, 0), "L": (0, -1), "R": (0, 1)}


def shortest(grid, r, c):
    start = target = None
    for i, row in enumerate(grid):
        for j, ch in enumerate(row):
            if ch == "S":
                start = (i, j)
            elif ch == "T":
                target = (i, j)
    dist = {start: 0}
    queue = deque([start])
    while queue:
        i, j = queue.popleft()
        if (i, j) == target:
            break
        for di, dj in MOVES.values():
            ni, nj = i + di, j + dj
            if 0 <= ni < r and 0 <= nj < c and grid[ni][nj] != "#" and (ni, nj) not in dist:
                dist[(ni, nj)] = dist[(i, j)] + 1
                queue.append((ni, nj))
    return start, target, dist.get(target, -1)


def main():
    with open(sys.argv[1]) as f:
        tokens = f.read().split()
    r, c = int(tokens[0]), int(tokens[1])
    grid = tokens[2:2 + r]
    start, target, best = shortest(grid, r, c)

    with open(sys.argv[3], errors="replace") as f:
        answer = f.read().split()
    if not answer:
        return 1
    try:
        d = int(answer[0])
    except ValueError:
        return 1
    if d != best:
        return 1
    if best == -1:
        return 0 if len(answer) == 1 else 1
    if best == 0:
        return 0 if len(answer) == 1 else 1
    if len(answer) != 2 or len(answer[1]) != d:
        return 1
    i, j = start
    for ch in answer[1]:
        if ch not in MOVES:
            return 1
        di, dj = MOVES[ch]
        i, j = i + di, j + dj
        if not (0 <= i < r and 0 <= j < c) or grid[i][j] == "#":
            return 1
    return 0 if (i, j) == target else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (IndexError, ValueError, OSError):
        sys.exit(1)
