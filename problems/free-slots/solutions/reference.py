from typing import List


def free_slots(day_end: int, meetings: List[List[int]]) -> List[List[int]]:
    free = []
    covered_until = 0
    for start, end in sorted(meetings):
        if start > covered_until:
            free.append([covered_until, start])
        covered_until = max(covered_until, end)
    if covered_until < day_end:
        free.append([covered_until, day_end])
    return free
