# Entry of the input generator: reads the job (embedded by sstar below), prints one JSON
# object per input: {"family", "tag", "input"}, most telling inputs first, until `count`.
import json
import random
import sys


def generate(job):
    rng = random.Random(job["seed"])
    seen = set(job["public"])
    out = []

    def emit(family, tag, text):
        if text in seen or len(out) >= job["count"]:
            if len(out) >= job["count"]:
                raise StopIteration
            return
        seen.add(text)
        out.append({"family": family, "tag": tag, "input": text})

    attempts = [0]

    def guarded(family, tag, text):
        attempts[0] += 1
        if attempts[0] > job["count"] * 20:
            raise StopIteration
        emit(family, tag, text)

    try:
        if job["kind"] == "stdio":
            stdio_inputs(job, rng, guarded)
        else:
            function_inputs(job, rng, guarded)
    except StopIteration:
        pass
    for row in out:
        sys.stdout.write(json.dumps(row) + "\n")
