#!/usr/bin/env python3
"""Per-test overhead: `sstar judge` vs a plain one-python3-subprocess-per-test loop.

Builds a stdio problem with N trivial tests (a + b) in a temp dir, then, in one run on the
same machine, times (1) `sstar judge --all-tests` and (2) a loop that starts the resolved
python3 once per test with the input on stdin and compares the output. Prints both and
the ratio. With `--baseline PATH` (another sstar build, e.g. the previous release) both
builds are timed in the same run, interleaved, and compared.
Usage: scripts/bench_judge.py [--tests N] [--repeat R] [--sstar PATH] [--baseline PATH]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAM = "a, b = map(int, input().split())\nprint(a + b)\n"


def real_python():
    exe = os.environ.get("SSTAR_PYTHON") or shutil.which("python3")
    out = subprocess.run([exe, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def make_problem(root, n):
    os.makedirs(os.path.join(root, "tests", "hidden"))
    with open(os.path.join(root, "problem.toml"), "w") as f:
        f.write('title = "a plus b"\nkind = "stdio"\ntime_limit_ms = 2000\nmemory_limit_mb = 256\n')
    with open(os.path.join(root, "statement.md"), "w") as f:
        f.write("Print a + b.\n")
    for i in range(n):
        base = os.path.join(root, "tests", "hidden", str(i))
        with open(base + ".in", "w") as f:
            f.write(f"{i} {i * 7}\n")
        with open(base + ".out", "w") as f:
            f.write(f"{i * 8}\n")
    with open(os.path.join(root, "sol.py"), "w") as f:
        f.write(PROGRAM)


def bench_sstar(sstar, root):
    t = time.perf_counter()
    out = subprocess.run(
        [sstar, "--no-progress", "judge", root, os.path.join(root, "sol.py"), "--all-tests", "--json"],
        capture_output=True,
    )
    elapsed = time.perf_counter() - t
    if out.returncode != 0:
        sys.exit(f"sstar judge failed: {out.stderr.decode()}")
    return elapsed


def bench_loop(python, root, n):
    t = time.perf_counter()
    for i in range(n):
        base = os.path.join(root, "tests", "hidden", str(i))
        with open(base + ".in", "rb") as stdin:
            got = subprocess.run([python, os.path.join(root, "sol.py")], stdin=stdin, capture_output=True, timeout=10)
        with open(base + ".out", "rb") as f:
            if got.stdout.strip() != f.read().strip():
                sys.exit(f"loop: wrong output on test {i}")
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tests", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sstar", default=os.path.join(ROOT, "target", "release", "sstar"))
    ap.add_argument("--baseline", help="another sstar binary, timed in the same run")
    args = ap.parse_args()
    if not os.path.exists(args.sstar):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    python = real_python()
    builds = {"sstar": args.sstar, **({"baseline": args.baseline} if args.baseline else {})}
    whole = {name: [] for name in builds}
    fixed = {name: [] for name in builds}
    with tempfile.TemporaryDirectory() as root, tempfile.TemporaryDirectory() as one:
        make_problem(root, args.tests)
        make_problem(one, 1)
        for _ in range(args.repeat):  # interleaved, so both builds see the same machine
            for name, binary in builds.items():
                whole[name].append(bench_sstar(binary, root))
                fixed[name].append(bench_sstar(binary, one))
        loop_times = [bench_loop(python, root, args.tests) for _ in range(args.repeat)]
    n, l = args.tests, min(loop_times)
    print(f"tests per run: {n}   (best of {args.repeat}; machine: {os.cpu_count()} cores)")
    print(f"python3 subprocess per test ({python}): {l:8.3f} s  {l / n * 1000:7.2f} ms/test")
    marginal = {}
    for name, binary in builds.items():
        s, f = min(whole[name]), min(fixed[name])
        marginal[name] = (s - f) / (n - 1)
        print(f"{name} ({binary}):")
        print(f"  judge, whole command (pool start included): {s:8.3f} s  {s / n * 1000:7.2f} ms/test")
        print(f"  fixed cost (judge on a 1-test problem): {f * 1000:.0f} ms;"
              f" marginal {marginal[name] * 1000:.2f} ms/test with {os.cpu_count()} workers")
        print(f"  ratio (loop / {name}): {l / s:.1f}x whole command, {l / n / max(marginal[name], 1e-9):.1f}x per test")
    if args.baseline:
        print(f"per-test cost, sstar / baseline: {marginal['sstar'] / marginal['baseline']:.2f}x;"
              f" fixed cost: {min(fixed['sstar']) / min(fixed['baseline']):.2f}x")


if __name__ == "__main__":
    main()
