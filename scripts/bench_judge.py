#!/usr/bin/env python3
"""Per-test overhead: `sstar judge` vs a plain one-python3-subprocess-per-test loop.

Builds a stdio problem with N trivial tests (a + b) in a temp dir, then, in one run on the
same machine, times (1) `sstar judge --all-tests` and (2) a loop that starts the resolved
python3 once per test with the input on stdin and compares the output. Prints both and
the ratio. With `--baseline PATH` (another sstar build, e.g. the previous release) both
builds are timed in the same run, interleaved, and compared.

With `--real SET` it judges real reference programs instead: the problems of SET (e.g.
MBPP+ imported with `sstar import mbpp`) with the most tests, each whole command against
the floor (one python3 per problem calling the reference on every test in-process, no
isolation) and against a harness that starts one python3 per test.
Usage: scripts/bench_judge.py [--tests N] [--repeat R] [--sstar PATH] [--baseline PATH]
       scripts/bench_judge.py --real SET [--problems K] [--repeat R] [--sstar PATH] [--baseline PATH]
"""

import argparse
import json
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


# The harness of the floor and of the per-test loop: call the reference's entry point on each
# named test (one JSON argument per line) and compare with the expected value (floats within
# the float checker's tolerance). argv: problem dir, entry point, "float" or "", test paths.
HARNESS = r"""
import json, math, sys
problem, entry, checker, tests = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
namespace = {"__name__": "solution"}
exec(compile(open(problem + "/solutions/reference.py").read(), "reference.py", "exec"), namespace)
fn = namespace[entry]
def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a == b or (checker == "float" and isinstance(a, (int, float)) and isinstance(b, (int, float))
                          and math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b
wrong = 0
for test in tests:
    args = [json.loads(line) for line in open(test + ".in").read().splitlines() if line.strip()]
    got = json.loads(json.dumps(fn(*args), default=list))
    wrong += not same(got, json.loads(open(test + ".out").read()))
print(wrong)
"""


def real_problems(set_dir, k):
    """The k function problems of the set with the most tests: (dir, entry, checker, tests)."""
    found = []
    for name in sorted(os.listdir(set_dir)):
        root = os.path.join(set_dir, name)
        manifest = os.path.join(root, "problem.toml")
        if not os.path.exists(os.path.join(root, "solutions", "reference.py")) or not os.path.exists(manifest):
            continue
        fields = dict(
            (key.strip(), value.strip().strip('"'))
            for key, _, value in (line.partition("=") for line in open(manifest))
            if value
        )
        if fields.get("kind") != "function":
            continue
        tests = [
            os.path.join(root, "tests", part, f[:-3])
            for part in ("public", "hidden")
            if os.path.isdir(os.path.join(root, "tests", part))
            for f in sorted(os.listdir(os.path.join(root, "tests", part)))
            if f.endswith(".in")
        ]
        found.append((root, fields["entry_point"], fields.get("checker", ""), tests))
    found.sort(key=lambda p: (-len(p[3]), p[0]))
    return found[:k]


def timed(argv):
    t = time.perf_counter()
    out = subprocess.run(argv, capture_output=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(argv[:3])} failed: {out.stderr.decode()[-2000:]}")
    return time.perf_counter() - t, out.stdout


def real_main(args):
    python = real_python()
    problems = real_problems(args.real, args.problems)
    if not problems:
        sys.exit(f"no function problems with a reference in {args.real}")
    n = sum(len(p[3]) for p in problems)
    builds = {"sstar": args.sstar, **({"baseline": args.baseline} if args.baseline else {})}
    times = {name: [] for name in [*builds, "floor", "per-test python3"]}
    for round_ in range(args.repeat):  # interleaved, so every harness sees the same machine
        for name, binary in builds.items():
            total = 0.0
            for root, _, _, _ in problems:
                reference = os.path.join(root, "solutions", "reference.py")
                spent, out = timed([binary, "--no-progress", "judge", root, reference, "--all-tests", "--json"])
                total += spent
                if json.loads(out)["verdict"] != "accepted":
                    sys.exit(f"{name}: the reference of {root} is not accepted")
            times[name].append(total)
        total = 0.0
        for root, entry, checker, tests in problems:
            spent, out = timed([python, "-c", HARNESS, root, entry, checker, *tests])
            total += spent
            if out.strip() != b"0":
                sys.exit(f"floor: {out.strip().decode()} wrong answers in {root}")
        times["floor"].append(total)
        if round_ == 0:  # one round: it is the slow one, and the ratio to it is not close
            total = 0.0
            for root, entry, checker, tests in problems:
                for test in tests:
                    total += timed([python, "-c", HARNESS, root, entry, checker, test])[0]
            times["per-test python3"].append(total)
    best = {name: min(values) for name, values in times.items()}
    print(f"{len(problems)} problems of {args.real}, {n} tests; best of {args.repeat}"
          f" (per-test python3: 1 round); machine: {os.cpu_count()} cores")
    print(f"{'harness':<22}{'time s':>9}{'ms/test':>9}{'x floor':>9}{'harness/x':>11}")
    for name, spent in best.items():
        harness = best["per-test python3"] / spent
        print(f"{name:<22}{spent:9.2f}{spent / n * 1000:9.2f}{spent / best['floor']:9.1f}{harness:10.1f}x")
    for name in builds:
        floor_ok = best[name] <= 4 * best["floor"]
        harness_ok = best["per-test python3"] >= 30 * best[name]
        print(f"{name}: within 4x of the floor: {'yes' if floor_ok else 'no'};"
              f" 30x faster than per-test python3: {'yes' if harness_ok else 'no'}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--real", metavar="SET", help="judge the references of this imported set")
    ap.add_argument("--problems", type=int, default=15, help="with --real: how many problems (most tests first)")
    ap.add_argument("--tests", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sstar", default=os.path.join(ROOT, "target", "release", "sstar"))
    ap.add_argument("--baseline", help="another sstar binary, timed in the same run")
    args = ap.parse_args()
    if not os.path.exists(args.sstar):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    if args.real:
        return real_main(args)
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
    n, loop = args.tests, min(loop_times)
    print(f"tests per run: {n}   (best of {args.repeat}; machine: {os.cpu_count()} cores)")
    print(f"python3 subprocess per test ({python}): {loop:8.3f} s  {loop / n * 1000:7.2f} ms/test")
    marginal = {}
    for name, binary in builds.items():
        s, f = min(whole[name]), min(fixed[name])
        marginal[name] = (s - f) / (n - 1)
        print(f"{name} ({binary}):")
        print(f"  judge, whole command (pool start included): {s:8.3f} s  {s / n * 1000:7.2f} ms/test")
        print(f"  fixed cost (judge on a 1-test problem): {f * 1000:.0f} ms;"
              f" marginal {marginal[name] * 1000:.2f} ms/test with {os.cpu_count()} workers")
        per_test = loop / n / max(marginal[name], 1e-9)
        print(f"  ratio (loop / {name}): {loop / s:.1f}x whole command, {per_test:.1f}x per test")
    if args.baseline:
        print(f"per-test cost, sstar / baseline: {marginal['sstar'] / marginal['baseline']:.2f}x;"
              f" fixed cost: {min(fixed['sstar']) / min(fixed['baseline']):.2f}x")


if __name__ == "__main__":
    main()
