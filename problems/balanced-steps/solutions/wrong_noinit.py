class Solution:
    def longestBalanced(self, s: str) -> int:
        # Bug: never records balance 0 before the first step, so balanced substrings
        # starting at the very first character are missed.
        first = {}
        balance = 0
        best = 0
        for i, ch in enumerate(s):
            balance += 1 if ch == "R" else -1
            if balance in first:
                best = max(best, i - first[balance])
            else:
                first[balance] = i
        return best
