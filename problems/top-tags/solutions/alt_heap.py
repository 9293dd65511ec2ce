import heapq
from typing import List


def top_tags(tags: List[str], k: int) -> List[str]:
    counts = {}
    for t in tags:
        low = t.lower()
        counts[low] = counts.get(low, 0) + 1
    best = heapq.nsmallest(k, ((-c, t) for t, c in counts.items()))
    return [t for _, t in best]
