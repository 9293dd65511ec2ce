from typing import List


def free_slots(day_end: int, meetings: List[List[int]]) -> List[List[int]]:
    # Bug: after a meeting, assumes the room is busy only until that meeting's end,
    # which is wrong when it lies inside a longer, earlier-starting meeting.
    free = []
    covered_until = 0
    for start, end in sorted(meetings):
        if start > covered_until:
            free.append([covered_until, start])
        covered_until = end
    if covered_until < day_end:
        free.append([covered_until, day_end])
    return free
