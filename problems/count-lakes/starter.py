from typing import List


def count_lakes(grid: List[str]) -> int:
    pass
