from collections import Counter
from typing import List


def top_tags(tags: List[str], k: int) -> List[str]:
    counts = Counter(t.lower() for t in tags)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [tag for tag, _ in ranked[:k]]
