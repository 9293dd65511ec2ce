from typing import List


def fits_on_shelves(widths: List[int], shelf_width: int, shelves: int) -> bool:
    pass
