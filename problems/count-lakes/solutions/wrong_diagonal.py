from typing import List


def count_lakes(grid: List[str]) -> int:
    # Bug: also connects water cells that touch only at a corner (8-neighbourhood).
    rows, cols = len(grid), len(grid[0])
    seen = set()
    lakes = 0
    for si in range(rows):
        for sj in range(cols):
            if grid[si][sj] != "." or (si, sj) in seen:
                continue
            seen.add((si, sj))
            stack = [(si, sj)]
            border = False
            while stack:
                i, j = stack.pop()
                border |= i in (0, rows - 1) or j in (0, cols - 1)
                for di in (-1, 0, 1):
                    for dj in (-1, 0, 1):
                        ni, nj = i + di, j + dj
                        if 0 <= ni < rows and 0 <= nj < cols and grid[ni][nj] == "." and (ni, nj) not in seen:
                            seen.add((ni, nj))
                            stack.append((ni, nj))
            if not border:
                lakes += 1
    return lakes
