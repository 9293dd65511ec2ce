from typing import List


def count_lakes(grid: List[str]) -> int:
    rows, cols = len(grid), len(grid[0])
    seen = [[False] * cols for _ in range(rows)]
    lakes = 0
    for si in range(rows):
        for sj in range(cols):
            if grid[si][sj] != "." or seen[si][sj]:
                continue
            seen[si][sj] = True
            stack = [(si, sj)]
            touches_border = False
            while stack:
                i, j = stack.pop()
                if i == 0 or j == 0 or i == rows - 1 or j == cols - 1:
                    touches_border = True
                for ni, nj in ((i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1)):
                    if 0 <= ni < rows and 0 <= nj < cols and not seen[ni][nj] and grid[ni][nj] == ".":
                        seen[ni][nj] = True
                        stack.append((ni, nj))
            if not touches_border:
                lakes += 1
    return lakes
