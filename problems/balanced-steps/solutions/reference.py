class Solution:
    def longestBalanced(self, s: str) -> int:
        first = {0: -1}  # balance -> first index where it was reached
        balance = 0
        best = 0
        for i, ch in enumerate(s):
            balance += 1 if ch == "R" else -1
            if balance in first:
                best = max(best, i - first[balance])
            else:
                first[balance] = i
        return best
