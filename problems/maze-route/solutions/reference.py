import sys
from collections import deque


def main():
    data = sys.stdin.read().split()
    r, c = int(data[0]), int(data[1])
    grid = data[2:2 + r]
    n = r * c
    start = target = -1
    for i in range(r):
        j = grid[i].find("S")
        if j >= 0:
            start = i * c + j
        j = grid[i].find("T")
        if j >= 0:
            target = i * c + j
    free = [ch != "#" for row in grid for ch in row]
    prev = [-1] * n
    how = [""] * n
    seen = [False] * n
    seen[start] = True
    queue = deque([start])
    while queue:
        v = queue.popleft()
        if v == target:
            break
        i, j = divmod(v, c)
        for letter, ni, nj in (("U", i - 1, j), ("D", i + 1, j), ("L", i, j - 1), ("R", i, j + 1)):
            if 0 <= ni < r and 0 <= nj < c:
                w = ni * c + nj
                if free[w] and not seen[w]:
                    seen[w] = True
                    prev[w] = v
                    how[w] = letter
                    queue.append(w)
    if not seen[target]:
        print(-1)
        return
    path = []
    v = target
    while v != start:
        path.append(how[v])
        v = prev[v]
    path.reverse()
    print(len(path))
    print("".join(path))


main()
