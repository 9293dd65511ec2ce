#!/usr/bin/env python3
"""How much a noisy judge costs S* selection, and what robust judging buys back.

A scripted OpenAI-compatible server on 127.0.0.1 answers sstar's prompts for the bundled
problems: generation cycles each problem's bundled programs (its references and its subtly
wrong `wrong_*` programs) over the samples, test inputs are the public inputs, generators are
declined, and the pairwise judge is perfect: it runs the problem's reference program on the
input it is shown and names the program whose real output matches. Then it errs on purpose:
each answer is flipped with probability RATE, drawn from a hash of (seed, question, times
asked), so a run is reproducible whatever order requests arrive in.

For each flip rate and seed, `sstar solve --select sstar` runs on the problems where the
judge decides something (those whose candidates split into several behaviour groups) and
`sstar eval` scores the picks on the hidden tests. Printed: problems solved beside those a
perfect judge solves, the problems lost, and judge calls per problem. `--crowd` samples each
wrong program twice as often as each right one, so the largest group is often wrong: what
the judge is for. With `--baseline PATH`
(another sstar binary, e.g. one built from an older commit) both run side by side.

Usage: scripts/bench_judge_noise.py [--rates 0,0.2,0.35] [--seeds 3] [--samples 8] [--crowd]
                                    [--sstar PATH] [--baseline PATH] [--problems a,b,...]
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from bench_pipeline import PROBLEMS, PROGRAMS, PUBLICS, reply  # noqa: E402

def bundled():
    """(title, problem id) of each bundled problem."""
    for pid in sorted(os.listdir(PROBLEMS)):
        toml = os.path.join(PROBLEMS, pid, "problem.toml")
        if os.path.exists(toml):
            yield next(line.split("=", 1)[1].strip().strip('"') for line in open(toml) if line.startswith("title")), pid


def references():
    """title -> (problem id, reference program path)."""
    return {title: (pid, os.path.join(PROBLEMS, pid, "solutions", "reference.py")) for title, pid in bundled()}


REFERENCES = references()


def right_programs():
    """title -> the bundled programs that are right (all but `wrong_*`), stripped."""
    right = {}
    for title, pid in bundled():
        solutions = os.path.join(PROBLEMS, pid, "solutions")
        right[title] = {open(os.path.join(solutions, f)).read().strip() for f in os.listdir(solutions)
                        if f.endswith(".py") and not f.startswith("wrong_")}
    return right


RIGHT = right_programs()
# With --crowd, each wrong program is sampled twice as often as each right one: the
# situation the judge exists for, where the largest group is wrong.
CROWD = False
CROWDS = {title: [p for p in progs if p.strip() not in RIGHT[title]] * 2
          + [p for p in progs if p.strip() in RIGHT[title]]
          for title, progs in PROGRAMS.items() if title in RIGHT}
TRUTH = {}
TRUTH_LOCK = threading.Lock()


def truth(title, stdin):
    """The reference program's output on `stdin` (cached)."""
    key = (title, stdin)
    with TRUTH_LOCK:
        if key in TRUTH:
            return TRUTH[key]
    _, reference = REFERENCES[title]
    done = subprocess.run([sys.executable, reference], input=stdin, capture_output=True, text=True, timeout=60)
    with TRUTH_LOCK:
        TRUTH[key] = done.stdout
    return done.stdout


def block_after(text, marker):
    """The fenced block after `marker`."""
    at = text.find(marker)
    if at < 0:
        return None
    match = re.search(r"```[a-z]*\n(.*?)\n```", text[at + len(marker):], re.S)
    return match.group(1) if match else None


class Judge:
    """Flip decisions: rate, seed, and how often each question was asked."""

    def __init__(self, rate, seed):
        self.rate, self.seed = rate, seed
        self.asked = Counter()
        self.calls = Counter()
        self.lock = threading.Lock()

    def errs(self, question):
        digest = hashlib.sha256(question.encode()).hexdigest()
        with self.lock:
            before = self.asked[digest]
            self.asked[digest] += 1
        draw = hashlib.sha256(f"{self.seed}:{digest}:{before}".encode()).digest()
        return int.from_bytes(draw[:8], "big") / 2**64 < self.rate


JUDGE = Judge(0.0, 0)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        users = [m["content"] for m in body["messages"] if m["role"] == "user"]
        first, last = users[0], users[-1]
        title = first[2:].split("\n", 1)[0]
        programs = PROGRAMS.get(title, ["print()"])
        n = body.get("n", 1)
        if any(m["role"] == "assistant" for m in body["messages"]):
            texts = ["```python\n" + programs[0] + "\n```"]
        elif "Two programs disagree" in last:
            texts = [self.judge(title, last)]
        elif "Which program solves" in last:
            texts = ["WINNER: A"]
        elif "new, valid test inputs" in last:
            texts = ["\n".join("```input\n" + i.rstrip("\n") + "\n```" for i in PUBLICS.get(title, []))]
        elif "random, valid" in last or "LARGEST size" in last:
            texts = ["no generator"]
        else:
            if CROWD:
                programs = CROWDS.get(title, programs)
            texts = ["```python\n" + programs[i % len(programs)] + "\n```" for i in range(n)]
        reply(self, body["model"], texts)

    @staticmethod
    def is_call(text):
        """A function problem's input (JSON arguments), which stdin cannot reproduce."""
        return text.lstrip().startswith(("[", "{"))

    def judge(self, title, prompt):
        with JUDGE.lock:
            JUDGE.calls[title] += 1
        # By the code shown: a bundled right program against a wrong one.
        code_a = (block_after(prompt, "Program A:") or "").strip()
        code_b = (block_after(prompt, "Program B:") or "").strip()
        a_right, b_right = code_a in RIGHT.get(title, ()), code_b in RIGHT.get(title, ())
        stdin = block_after(prompt, "disagree on this input:")
        a = block_after(prompt, "Program A's real output")
        b = block_after(prompt, "Program B's real output")
        if a_right != b_right:
            right = "A" if a_right else "B"
        elif stdin is not None and not self.is_call(stdin) and a is not None and \
                a.strip() == truth(title, stdin + "\n").strip():
            right = "A"
        elif stdin is not None and not self.is_call(stdin) and b is not None and \
                b.strip() == truth(title, stdin + "\n").strip():
            right = "B"
        else:
            right = "A"  # both wrong (or both right): a judge can only guess, and says A
        if JUDGE.errs(prompt):
            right = "B" if right == "A" else "A"
        return f"WINNER: {right}"


def solve(sstar, url, problems, samples, out):
    """One run; the ids it solved (accepted on the hidden tests) and its results."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SSTAR_MODEL"))}
    only = ["--only", ",".join(problems)] if problems else []
    subprocess.run([sstar, "--no-progress", "-q", "solve", PROBLEMS, "--out", out, "--base-url", url,
                    "--model", "bench", "--samples", str(samples), "--rounds", "0", "--select", "sstar", *only],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    report = json.loads(subprocess.run([sstar, "--no-progress", "eval", out, "--json"], capture_output=True,
                                       text=True, env=env).stdout)
    solved = {pid for pid, p in report["problems"].items() if p.get("verdict") == "accepted"}
    results = [json.loads(line) for line in open(os.path.join(out, "results.jsonl"))]
    return solved, results


def main():
    global JUDGE, CROWD
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rates", default="0,0.2,0.35")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--samples", type=int, default=8)
    ap.add_argument("--sstar", default=os.path.join(ROOT, "target", "release", "sstar"))
    ap.add_argument("--baseline", help="another sstar binary, run side by side")
    ap.add_argument("--problems", help="comma-separated problem ids (default: all bundled)")
    ap.add_argument("--crowd", action="store_true",
                    help="sample each wrong program twice as often as each right one")
    ap.add_argument("--keep", help="keep each run's directory under this one (NAME-RATE-SEED)")
    args = ap.parse_args()
    if not os.path.exists(args.sstar):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    problems = args.problems.split(",") if args.problems else []
    CROWD = args.crowd
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    binaries = [("sstar", args.sstar)] + ([("baseline", args.baseline)] if args.baseline else [])
    perfect = {}
    print(f"{'binary':<9} {'flips':>5} {'seed':>4} {'solved':>7} {'lost vs perfect':<40} judge calls/problem")
    for name, binary in binaries:
        for rate in [float(r) for r in args.rates.split(",")]:
            for seed in range(1, (1 if rate == 0 else args.seeds) + 1):
                JUDGE = Judge(rate, seed)
                if args.keep:
                    out = os.path.join(args.keep, f"{name}-{rate}-{seed}")
                    solved, results = solve(binary, url, problems, args.samples, out)
                else:
                    with tempfile.TemporaryDirectory() as out:
                        solved, results = solve(binary, url, problems, args.samples, out)
                judged = list(JUDGE.calls)
                calls = sum(JUDGE.calls.values()) / max(len(results), 1)
                if rate == 0:
                    perfect[name] = solved
                lost = sorted(perfect.get(name, set()) - solved)
                print(f"{name:<9} {rate:>5.2f} {seed:>4} {len(solved):>3}/{len(results):<3} "
                      f"{','.join(lost) or '-':<40} {calls:.1f} ({len(judged)} problems judged)", flush=True)
    server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
