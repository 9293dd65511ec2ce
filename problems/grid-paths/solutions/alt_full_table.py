import sys

MOD = 1_000_000_007


def main():
    it = iter(sys.stdin.read().split())
    r, c = int(next(it)), int(next(it))
    grid = [next(it) for _ in range(r)]
    dp = [[0] * (c + 1) for _ in range(r + 1)]
    for i in range(1, r + 1):
        line = grid[i - 1]
        prev = dp[i - 1]
        cur = dp[i]
        for j in range(1, c + 1):
            if line[j - 1] == "#":
                continue
            if i == 1 and j == 1:
                cur[j] = 1
            else:
                cur[j] = (prev[j] + cur[j - 1]) % MOD
    print(dp[r][c])


main()
