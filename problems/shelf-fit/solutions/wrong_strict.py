from typing import List


def fits_on_shelves(widths: List[int], shelf_width: int, shelves: int) -> bool:
    # Bug: treats a shelf that would be filled exactly as full (>= instead of >).
    if any(w > shelf_width for w in widths):
        return False
    needed = 0
    load = shelf_width
    for w in widths:
        if load + w >= shelf_width:
            needed += 1
            load = 0
        load += w
    return needed <= shelves
