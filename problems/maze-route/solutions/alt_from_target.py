# BFS from the target with a different neighbour order, then walk downhill from S.
# Often prints a different (equally short) route than the reference.
import sys
from collections import deque


def main():
    data = sys.stdin.read().split()
    r, c = int(data[0]), int(data[1])
    grid = data[2:2 + r]
    for i in range(r):
        for j in range(c):
            if grid[i][j] == "S":
                s = (i, j)
            elif grid[i][j] == "T":
                t = (i, j)
    order = (("R", 0, 1), ("L", 0, -1), ("D", 1, 0), ("U", -1, 0))
    dist = [[-1] * c for _ in range(r)]
    dist[t[0]][t[1]] = 0
    queue = deque([t])
    while queue:
        i, j = queue.popleft()
        for _, di, dj in order:
            ni, nj = i + di, j + dj
            if 0 <= ni < r and 0 <= nj < c and grid[ni][nj] != "#" and dist[ni][nj] < 0:
                dist[ni][nj] = dist[i][j] + 1
                queue.append((ni, nj))
    d = dist[s[0]][s[1]]
    if d < 0:
        print(-1)
        return
    i, j = s
    route = []
    while (i, j) != t:
        for letter, di, dj in order:
            ni, nj = i + di, j + dj
            if 0 <= ni < r and 0 <= nj < c and dist[ni][nj] == dist[i][j] - 1:
                route.append(letter)
                i, j = ni, nj
                break
    print(d)
    print("".join(route))


main()
