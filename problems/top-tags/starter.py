from typing import List


def top_tags(tags: List[str], k: int) -> List[str]:
    pass
