# Bug: trial division tests divisors d with d*d < n instead of d*d <= n, so squares
# of primes (4, 9, 25, 49, ...) are reported as primes.
import sys


def is_prime(n):
    if n < 2:
        return False
    d = 2
    while d * d < n:
        if n % d == 0:
            return False
        d += 1
    return True


def main():
    lo, hi = map(int, sys.stdin.read().split())
    primes = [p for p in range(lo, hi + 1) if is_prime(p)]
    print(len(primes))
    print(" ".join(map(str, primes)))


main()
