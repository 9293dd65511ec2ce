from collections import Counter
from typing import List, Tuple


def free_slots(day_end: int, meetings: List[List[int]]) -> List[Tuple[int, int]]:
    # Sweep over event points; returns tuples, which count as lists.
    delta = Counter()
    for s, e in meetings:
        delta[s] += 1
        delta[e] -= 1
    points = sorted(set(delta) | {0, day_end})
    result = []
    active = 0
    for a, b in zip(points, points[1:]):
        active += delta[a]
        if active == 0:
            if result and result[-1][1] == a:
                result[-1] = (result[-1][0], b)
            else:
                result.append((a, b))
    return result
