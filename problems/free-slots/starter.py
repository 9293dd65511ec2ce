from typing import List


def free_slots(day_end: int, meetings: List[List[int]]) -> List[List[int]]:
    pass
