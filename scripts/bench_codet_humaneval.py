#!/usr/bin/env python3
"""Selection on real model samples: CodeGen-Mono-16B's 100 HumanEval samples per problem
(the CodeT release in ../shared/data/codet-humaneval), selected model-free by sstar.

1. `sstar import humaneval` the 164 problems (hidden tests = the `check` asserts, public
   tests = the docstring examples), plus a copy with the public tests removed (CodeT's
   zero-shot setting, which neither shows nor filters with the docstring examples).
2. Candidates: prompt + each sample. Extra inputs: the argument lists of the calls in
   CodeT's model-written tests (their asserted outputs are ignored: S* never trusts a
   model-predicted output). Method `sstar+outputs` also gives, per input, the output the
   model's asserts most often expect, so model-free selection ranks groups by CodeT's dual
   agreement (group size x expected outputs reproduced) instead of size alone.
3. `sstar solve --candidates ... --inputs ... --select M` for each method, then `sstar eval`,
   and a table of pass@1 side by side. Runs on the same set reuse the first run's execution
   cache (same programs, same inputs: nothing runs twice).

Reads the data from ../shared/data and writes only under a temp dir (or --work).
Usage: scripts/bench_codet_humaneval.py [--problems N] [--inputs K] [--methods a,b,...]
"""

import argparse
import ast
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data")
CODET = os.path.join(DATA, "codet-humaneval")
SOLUTIONS = "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl"
TESTS = "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_test_case.jsonl"


def call_spans(text, name):
    """(start, end) of each `name(...)` call in `text`, parentheses balanced, end exclusive."""
    i = 0
    while True:
        i = text.find(name + "(", i)
        if i < 0:
            return
        depth = 0
        for k in range(i + len(name), len(text)):
            depth += text[k] == "("
            depth -= text[k] == ")"
            if depth == 0:
                break
        else:
            return
        yield i, k + 1
        i = k


def calls(text, name):
    """Argument lists of `name(...)` calls in `text`, as Python values (literals only)."""
    out = []
    for start, end in call_spans(text, name):
        inside = text[start + len(name) + 1 : end - 1]
        try:
            out.append(list(ast.literal_eval("(" + inside + ",)")) if inside.strip() else [])
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            pass
    return out


def asserted(text, name):
    """(argument list, expected value) of each `name(...) == VALUE` assert in `text` (CodeT's
    test samples continue an `assert ` prompt, so asserts span lines)."""
    out = []
    for start, end in call_spans(text, name):
        line_end = text.find("\n", end)
        statement = "assert " + text[start : line_end if line_end >= 0 else len(text)]
        try:
            test = ast.parse(statement).body[0].test
            if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)
                    and isinstance(test.left, ast.Call) and not test.left.keywords):
                continue
            args = [ast.literal_eval(a) for a in test.left.args]
            expected = json.dumps(ast.literal_eval(test.comparators[0]))
        except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
            continue
        out.append((args, expected))
    return out


def to_json_lines(args):
    try:
        return "".join(json.dumps(a) + "\n" for a in args)
    except (TypeError, ValueError):
        return None


def sstar(*args, **kw):
    return subprocess.run([os.path.join(ROOT, "target", "release", "sstar"), "--no-progress", "-q", *args], **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--problems", type=int, default=164, help="first N problems only")
    ap.add_argument("--inputs", type=int, default=20, help="model-written inputs kept per problem")
    ap.add_argument("--methods", default="sstar,sstar+outputs,majority,first,random,oracle")
    ap.add_argument("--settings", type=int, default=2, help="1: without public tests only")
    ap.add_argument("--time-limit-ms", type=int, default=1000)
    ap.add_argument("--work", help="keep the sets and runs here")
    args = ap.parse_args()
    if not os.path.exists(os.path.join(CODET, SOLUTIONS)):
        print(f"skipped: {CODET} not present")
        return 0
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    work = args.work or tempfile.mkdtemp(prefix="sstar-codet-")
    with_public = os.path.join(work, "humaneval")
    no_public = os.path.join(work, "humaneval-no-public")
    if not os.path.exists(with_public):
        sstar("import", "humaneval", os.path.join(DATA, "humaneval", "HumanEval.jsonl.gz"), with_public,
              "--time-limit-ms", str(args.time_limit_ms), check=True)
    if not os.path.exists(no_public):
        shutil.copytree(with_public, no_public)
        for pid in os.listdir(no_public):
            pub = os.path.join(no_public, pid, "tests", "public")
            if os.path.isdir(pub):
                for f in os.listdir(pub):
                    os.remove(os.path.join(pub, f))
    ids = {}
    if os.path.exists(os.path.join(with_public, "ids.json")):
        ids = {orig: d for d, orig in json.load(open(os.path.join(with_public, "ids.json"))).items()}
    tasks = [json.loads(line) for line in open(os.path.join(CODET, "HumanEval_for_code_generation.jsonl"))]
    solutions = [json.loads(line) for line in open(os.path.join(CODET, SOLUTIONS))]
    tests = [json.loads(line) for line in open(os.path.join(CODET, TESTS))]
    # The three files are in different orders: pair rows by prompt (a test row's prompt is the
    # task's prompt, then `pass` and the start of an assert).
    by_prompt = {s["prompt"]: s for s in solutions}
    tests_for = {}
    for row in tests:
        owners = [t["task_id"] for t in tasks if row["prompt"].startswith(t["prompt"].rstrip())]
        if len(owners) == 1:
            tests_for[owners[0]] = row
    rng = random.Random(7)
    cand_lines, input_lines, output_lines, used = [], [], [], []
    for task in tasks[: args.problems]:
        sol, tst = by_prompt.get(task["prompt"]), tests_for.get(task["task_id"])
        if sol is None or tst is None:
            print(f"{task['task_id']}: no samples or tests in the CodeT files; skipped")
            continue
        pid = ids.get(task["task_id"], task["task_id"])
        if not os.path.isdir(os.path.join(with_public, pid)):
            continue
        used.append(pid)
        for sample in sol["samples"]:
            cand_lines.append(json.dumps({"id": pid, "code": sol["prompt"] + sample}))
        found, votes = set(), {}
        for text in tst["samples"]:
            for call in calls(text, task["entry_point"]):
                line = to_json_lines(call)
                if line:
                    found.add(line)
            for call, expected in asserted(text, task["entry_point"]):
                line = to_json_lines(call)
                if line:
                    votes.setdefault(line, {}).setdefault(expected, 0)
                    votes[line][expected] += 1
        for line in rng.sample(sorted(found), min(args.inputs, len(found))):
            input_lines.append(json.dumps({"id": pid, "input": line}))
            row = {"id": pid, "input": line}
            if line in votes:  # the output the model's asserts expect most often
                row["output"] = max(sorted(votes[line]), key=votes[line].get)
            output_lines.append(json.dumps(row))
    candidates = os.path.join(work, "candidates.jsonl")
    inputs = os.path.join(work, "inputs.jsonl")
    with_outputs = os.path.join(work, "inputs-with-outputs.jsonl")
    open(candidates, "w").write("\n".join(cand_lines) + "\n")
    open(inputs, "w").write("\n".join(input_lines) + "\n")
    open(with_outputs, "w").write("\n".join(output_lines) + "\n")
    print(f"{len(used)} problems, {len(cand_lines)} candidate programs, {len(input_lines)} model-written inputs")
    methods = args.methods.split(",")
    table = {}
    settings = [("without public tests", no_public), ("with public tests", with_public)]
    for label, set_dir in settings[: args.settings]:
        first_run = None
        for method in methods:
            run = os.path.join(work, f"run-{os.path.basename(set_dir)}-{method}")
            if not args.work:
                shutil.rmtree(run, ignore_errors=True)  # with --work, an interrupted run resumes
            if first_run and not os.path.exists(run):
                shutil.copytree(os.path.join(first_run, "cache"), os.path.join(run, "cache"))
            select, given = (("sstar", with_outputs) if method == "sstar+outputs" else (method, inputs))
            sstar("solve", set_dir, "--out", run, "--candidates", candidates, "--inputs", given, "--select", select,
                  "--only", ",".join(used), check=True, stdout=subprocess.DEVNULL)
            first_run = first_run or run
            sstar("eval", run, "--json", check=True, stdout=subprocess.DEVNULL)
            summary = json.load(open(os.path.join(run, "eval.json")))["summary"]
            table[(label, method)] = summary
            ci = summary["pass_at_1_interval"]
            print(f"{label:22} {method:9} pass@1 {summary['pass_at_1'] * 100:5.1f}%  "
                  f"[{ci['low'] * 100:.1f}, {ci['high'] * 100:.1f}]  pass@100 {summary['pass_at_n'] * 100:5.1f}%",
                  flush=True)
    print(f"work dir: {work}")


if __name__ == "__main__":
    sys.exit(main())
