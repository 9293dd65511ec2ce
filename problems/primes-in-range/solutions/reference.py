import sys


def main():
    lo, hi = map(int, sys.stdin.read().split())
    sieve = bytearray([1]) * (hi + 1)
    sieve[0] = 0
    if hi >= 1:
        sieve[1] = 0
    i = 2
    while i * i <= hi:
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(range(i * i, hi + 1, i)))
        i += 1
    primes = [p for p in range(lo, hi + 1) if sieve[p]]
    print(len(primes))
    if primes:
        print(" ".join(map(str, primes)))


main()
