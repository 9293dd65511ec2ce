from collections import Counter
from typing import List


def top_tags(tags: List[str], k: int) -> List[str]:
    # Bug: Counter.most_common breaks ties by first appearance, not alphabetically.
    counts = Counter(t.lower() for t in tags)
    return [tag for tag, _ in counts.most_common(k)]
