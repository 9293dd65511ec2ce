class Solution:
    def longestBalanced(self, s: str) -> int:
        n = len(s)
        # first[b + n] = first prefix length with balance b
        first = [-1] * (2 * n + 1)
        first[n] = 0
        bal = 0
        best = 0
        for k, ch in enumerate(s, start=1):
            bal += 1 if ch == "R" else -1
            if first[bal + n] < 0:
                first[bal + n] = k
            else:
                best = max(best, k - first[bal + n])
        return best
