# Patience-sorting layers: layer k holds the elements whose longest climb ending there
# has length k, in order of arrival (their values are non-increasing within a layer).
# Ways for an element come from a contiguous suffix of the previous layer; prefix sums
# over each layer make that a binary search plus a subtraction.
import sys
from bisect import bisect_left

MOD = 10**9 + 7


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    h = list(map(int, data[1:1 + n]))
    tails = []        # tails[k] = smallest last value of a climb of length k + 1
    layer_vals = []   # layer_vals[k] = negated values of layer k (non-decreasing)
    layer_sums = []   # layer_sums[k][j] = sum of ways of the first j elements of layer k
    for v in h:
        k = bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            layer_vals.append([])
            layer_sums.append([0])
        else:
            tails[k] = v
        if k == 0:
            w = 1
        else:
            vals = layer_vals[k - 1]
            sums = layer_sums[k - 1]
            j = bisect_left(vals, -v + 1)  # first element of the previous layer with value < v
            w = (sums[-1] - sums[j]) % MOD
        layer_vals[k].append(-v)
        layer_sums[k].append((layer_sums[k][-1] + w) % MOD)
    print(len(tails))
    print(layer_sums[-1][-1] % MOD)


main()
