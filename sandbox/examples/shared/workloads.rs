//! Workloads of the kinds contest programs spend their time on, and a timed run, shared by the
//! examples that compare the backends.

use std::time::{Duration, Instant};

use sstar_sandbox::{Environment, Execution, Limits, Outcome, ProgramKind, Sandbox, Termination};

/// Runs `code` as the judge runs a candidate (the prelude first) with generous limits; its
/// outcome and wall time, or why it did not finish.
pub fn timed_run(
    sandbox: &Sandbox,
    kind: &ProgramKind,
    code: &str,
    input: &[u8],
) -> Result<(Outcome, Duration), String> {
    let limits = Limits::new(Duration::from_secs(60), 1024, 64);
    let mut execution = Execution::new(kind.clone(), code, input, limits);
    execution.environment = Environment::judged(&[]);
    let started = Instant::now();
    let outcome = sandbox.run(&execution).map_err(|e| e.to_string())?;
    let wall = started.elapsed();
    if outcome.termination != Termination::Finished {
        return Err(format!(
            "{:?}: {}",
            outcome.termination,
            String::from_utf8_lossy(&outcome.stderr)
        ));
    }
    Ok((outcome, wall))
}

/// Workloads of the kinds contest programs spend their time on, each ~0.2-1 s natively.
pub const WORKLOADS: &[(&str, &str, &str)] = &[
    ("empty", "pass\n", ""),
    (
        "arith-loop",
        "s = 0\nfor i in range(3_000_000):\n    s += i * i % 7\nprint(s)\n",
        "",
    ),
    (
        "parse-sort-print",
        "import sys\nxs = list(map(int, sys.stdin.read().split()))\nxs.sort()\nprint('\\n'.join(map(str, xs)))\n",
        "@ints",
    ),
    (
        "input-lines",
        "n = int(input())\nt = 0\nfor _ in range(n):\n    a, b = map(int, input().split())\n    t += a * b\nprint(t)\n",
        "@pairs",
    ),
    (
        "dict-count",
        "from collections import Counter, defaultdict\nd = defaultdict(int)\nfor i in range(1_000_000):\n    d[i * 7919 % 100_003] += 1\nc = Counter(d.values())\nprint(len(d), c.most_common(3))\n",
        "",
    ),
    (
        "dp-grid",
        "n = 600\ndp = [[0] * (n + 1) for _ in range(n + 1)]\nfor i in range(1, n + 1):\n    row, prev = dp[i], dp[i - 1]\n    for j in range(1, n + 1):\n        row[j] = max(prev[j], row[j - 1]) + (i * j) % 3\nprint(dp[n][n])\n",
        "",
    ),
    (
        "recursion",
        "import sys\nsys.setrecursionlimit(10000)\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nprint(fib(25))\n",
        "",
    ),
    (
        "heap-dijkstra",
        "import heapq, random\nrandom.seed(1)\nn = 30000\nadj = [[] for _ in range(n)]\nfor _ in range(4 * n):\n    a, b = random.randrange(n), random.randrange(n)\n    w = random.randrange(1, 100)\n    adj[a].append((b, w)); adj[b].append((a, w))\ndist = [10**18] * n\ndist[0] = 0\nq = [(0, 0)]\nwhile q:\n    d, u = heapq.heappop(q)\n    if d > dist[u]: continue\n    for v, w in adj[u]:\n        if d + w < dist[v]:\n            dist[v] = d + w\n            heapq.heappush(q, (d + w, v))\nprint(sum(x for x in dist if x < 10**18))\n",
        "",
    ),
    (
        "strings",
        "parts = []\nfor i in range(300_000):\n    s = str(i)\n    parts.append(s[::-1] + s.upper())\ntext = ','.join(parts)\nprint(len(text), text.count('12'), len(text.split(',')))\n",
        "",
    ),
    (
        "bigint",
        "x = 1\nfor i in range(1, 6000):\n    x *= i\nprint(x.bit_length(), x % 1000003)\n",
        "",
    ),
    (
        "sorted-key",
        "import random\nrandom.seed(2)\nxs = [(random.random(), i) for i in range(300_000)]\nys = sorted(xs, key=lambda t: (t[0] * 10) % 1)\nprint(ys[0][1], ys[-1][1])\n",
        "",
    ),
    (
        "function-calls",
        "def f(a, b):\n    return a + b if a > b else b - a\nt = 0\nfor i in range(1_000_000):\n    t = f(t % 1000, i % 1000)\nprint(t)\n",
        "",
    ),
    (
        "comprehension",
        "t = 0\nfor k in range(40):\n    xs = [i * k for i in range(50_000) if i % 3]\n    t += sum(xs) + len({x % 1000 for x in xs})\nprint(t)\n",
        "",
    ),
    (
        "regex",
        "import re\ntext = ' '.join('w%d x%d' % (i, i * 3) for i in range(100_000))\nprint(len(re.findall(r'w(\\d+) x(\\d*7)\\b', text)))\n",
        "",
    ),
];

pub fn input_for(spec: &str) -> Vec<u8> {
    match spec {
        "@ints" => (0..200_000u64)
            .map(|i| (i * 2_654_435_761 % 1_000_003).to_string())
            .collect::<Vec<_>>()
            .join(" ")
            .into_bytes(),
        "@pairs" => {
            let mut text = String::from("200000\n");
            for i in 0..200_000u64 {
                text.push_str(&format!("{} {}\n", i % 1000, i % 777));
            }
            text.into_bytes()
        }
        other => other.as_bytes().to_vec(),
    }
}
