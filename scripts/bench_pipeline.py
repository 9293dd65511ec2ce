#!/usr/bin/env python3
"""Is the pipeline bound by the sandbox or by orchestration?

Starts an OpenAI-compatible server on 127.0.0.1 that answers instantly (generation: the
bundled programs of each problem, cycled over the samples; debug: the reference program;
test inputs: the public inputs; judgements: `WINNER: A`), runs `sstar solve` on the bundled
problems against it, and prints time per problem, sandbox executions per second, and the
share of wall time the sandbox workers were busy.
Usage: scripts/bench_pipeline.py [--samples N] [--rounds R] [--sstar PATH]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROBLEMS = os.path.join(ROOT, "problems")


def load_programs():
    programs, publics = {}, {}
    for pid in sorted(os.listdir(PROBLEMS)):
        pdir = os.path.join(PROBLEMS, pid)
        toml = os.path.join(pdir, "problem.toml")
        if not os.path.exists(toml):
            continue
        title = next(line.split("=", 1)[1].strip().strip('"') for line in open(toml) if line.startswith("title"))
        sols = os.path.join(pdir, "solutions")
        programs[title] = [open(os.path.join(sols, f)).read() for f in sorted(os.listdir(sols)) if f.endswith(".py")]
        pub = os.path.join(pdir, "tests", "public")
        publics[title] = [open(os.path.join(pub, f)).read() for f in sorted(os.listdir(pub)) if f.endswith(".in")]
    return programs, publics


PROGRAMS, PUBLICS = load_programs()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        messages = body["messages"]
        first = next(m["content"] for m in messages if m["role"] == "user")
        last = [m["content"] for m in messages if m["role"] == "user"][-1]
        title = first[2:].split("\n", 1)[0]
        progs = PROGRAMS.get(title, ["print()"])
        n = body.get("n", 1)
        if any(m["role"] == "assistant" for m in messages):
            texts = ["```python\n" + progs[0] + "\n```"]
        elif "Two programs disagree" in last or "Which program solves" in last:
            texts = ["WINNER: A"]
        elif "new, valid test inputs" in last:
            texts = ["\n".join("```input\n" + i.rstrip("\n") + "\n```" for i in PUBLICS.get(title, []))]
        elif "random, valid" in last or "LARGEST size" in last:
            texts = ["no generator"]
        else:
            texts = ["```python\n" + progs[i % len(progs)] + "\n```" for i in range(n)]
        reply(self, body["model"], texts)


def reply(handler, model, texts):
    """Answers a chat completion request with one choice per text."""
    out = json.dumps({
        "id": "x", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}
                    for i, t in enumerate(texts)],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
    }).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(out)))
    handler.end_headers()
    handler.wfile.write(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--sstar", default=os.path.join(ROOT, "target", "release", "sstar"))
    args = ap.parse_args()
    if not os.path.exists(args.sstar):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    workers = int(os.environ.get("SSTAR_WORKERS") or os.cpu_count())
    with tempfile.TemporaryDirectory() as out:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        t = time.perf_counter()
        subprocess.run(
            [args.sstar, "--no-progress", "-q", "solve", PROBLEMS, "--out", out, "--base-url", url, "--model", "bench",
             "--samples", str(args.samples), "--rounds", str(args.rounds)],
            check=True, env=env, stdout=subprocess.DEVNULL,
        )
        elapsed = time.perf_counter() - t
        results = [json.loads(line) for line in open(os.path.join(out, "results.jsonl"))]
    server.shutdown()
    execs = sum(r["executions"] for r in results)
    busy = sum(r.get("sandbox_seconds", 0.0) for r in results)
    calls = sum(r["llm_calls"] for r in results)
    print(f"problems {len(results)}, samples {args.samples}, rounds {args.rounds}, workers {workers}")
    print(f"wall {elapsed:.2f} s = {elapsed / len(results):.3f} s per problem; model answers {calls}")
    print(f"sandbox executions {execs} = {execs / elapsed:.0f} per second")
    print(f"sandbox busy {busy:.2f} worker-s of {elapsed * workers:.2f} available = {busy / (elapsed * workers):.0%}"
          " (the rest: process start, orchestration, waiting on the slowest problem)")


if __name__ == "__main__":
    sys.exit(main())
