from typing import List


def fits_on_shelves(widths: List[int], shelf_width: int, shelves: int) -> bool:
    used = 0        # shelves opened so far
    room = 0        # free width on the current shelf
    for w in widths:
        if w > shelf_width:
            return False
        if w > room:
            used += 1
            room = shelf_width
            if used > shelves:
                return False
        room -= w
    return True
