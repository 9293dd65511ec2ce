from typing import List


def fits_on_shelves(widths: List[int], shelf_width: int, shelves: int) -> bool:
    if any(w > shelf_width for w in widths):
        return False
    needed = 0
    load = shelf_width + 1  # forces a new shelf for the first book
    for w in widths:
        if load + w > shelf_width:
            needed += 1
            load = 0
        load += w
    return needed <= shelves
