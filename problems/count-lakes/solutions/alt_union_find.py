from typing import List


def count_lakes(grid: List[str]) -> int:
    rows, cols = len(grid), len(grid[0])
    sea = rows * cols  # virtual node joined to every border water cell
    parent = list(range(rows * cols + 1))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb

    for i in range(rows):
        for j in range(cols):
            if grid[i][j] != ".":
                continue
            v = i * cols + j
            if i == 0 or j == 0 or i == rows - 1 or j == cols - 1:
                union(v, sea)
            if i + 1 < rows and grid[i + 1][j] == ".":
                union(v, v + cols)
            if j + 1 < cols and grid[i][j + 1] == ".":
                union(v, v + 1)
    sea_root = find(sea)
    roots = {find(i * cols + j) for i in range(rows) for j in range(cols) if grid[i][j] == "."}
    roots.discard(sea_root)
    return len(roots)
