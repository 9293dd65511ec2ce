#!/usr/bin/env python3
"""Writes examples/candidates.jsonl: the team-written programs under problems/*/solutions
(references, alternatives and subtly wrong ones, shuffled per problem with a fixed seed) as a
`sstar solve --candidates` file, so the pipeline can run offline with no model."""

import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    problems = os.path.join(ROOT, "problems")
    rng = random.Random(2502_14382)
    lines = []
    for pid in sorted(os.listdir(problems)):
        solutions = os.path.join(problems, pid, "solutions")
        if not os.path.isdir(solutions):
            continue
        programs = []
        for name in sorted(os.listdir(solutions)):
            if name.endswith(".py"):
                with open(os.path.join(solutions, name)) as f:
                    programs.append(f.read())
        rng.shuffle(programs)
        lines += [json.dumps({"id": pid, "code": code}) for code in programs]
    out = os.path.join(ROOT, "examples", "candidates.jsonl")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} candidate programs to {out}")


if __name__ == "__main__":
    main()
