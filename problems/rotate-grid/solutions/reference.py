import sys


def main():
    lines = sys.stdin.read().split()
    r, c, k = int(lines[0]), int(lines[1]), int(lines[2])
    pic = lines[3:3 + r]
    for _ in range(k % 4):
        # clockwise: new row j is old column j read from bottom to top
        pic = ["".join(row[j] for row in reversed(pic)) for j in range(len(pic[0]))]
    sys.stdout.write("\n".join(pic) + "\n")


main()
