//! Times `sstar report` on a synthesized 200-problem run (16 samples, up to three rounds with
//! debug feedback, 40 synthesized inputs, 4 groups with outputs, judgements, eval) and prints
//! the page's size. Run by `scripts/bench-report` (release build). Usage: bench_report [N [COPY_PAGE_TO]]

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use serde_json::json;

fn program(problem: usize, sample: usize) -> String {
    let mut code = String::new();
    for line in 0..60 {
        let _ = writeln!(
            code,
            "x{line} = {problem} * {sample} + {line}  # step {line} of the solution"
        );
    }
    code.push_str("print(sum(range(int(input()))))\n");
    code
}

fn write_run(root: &Path, problems: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(root)?;
    std::fs::write(
        root.join("run.json"),
        json!({
            "tool": "sstar", "version": "bench", "command": ["sstar", "solve", "set", "--out", "run"],
            "set": "/sets/bench", "started_at": "2026-01-01T00:00:00Z", "finished_at": "2026-01-01T02:00:00Z",
            "sandbox": {"backend": "process"},
            "settings": {"pipeline": {"samples": 16, "rounds": 2, "select": "sstar"},
                         "model": {"model": "bench-model", "judge_model": "bench-model", "test_model": "bench-model"},
                         "model_free": false},
        })
        .to_string(),
    )?;
    let mut results = String::new();
    let mut eval_problems = serde_json::Map::new();
    for p in 0..problems {
        let id = format!("p{p:04}");
        let dir = root.join("problems").join(&id);
        std::fs::create_dir_all(&dir)?;
        let mut trace = String::new();
        let mut finals = Vec::new();
        for s in 0..16 {
            let rounds = 1 + (s + p) % 3;
            for r in 0..rounds {
                let last = r + 1 == rounds;
                let verdict = if last { "accepted" } else { "wrong_answer" };
                let mut line = json!({
                    "sample": s, "round": r, "status": "program", "code": program(p, s),
                    "public": [{"name": "public/1", "verdict": verdict}, {"name": "public/2", "verdict": "accepted"}],
                    "public_passed": if last { 2 } else { 1 }, "public_total": 2,
                    "prompt_tokens": 1500, "completion_tokens": 600, "cached": false,
                });
                if !last {
                    line["feedback"] = json!(format!(
                        "Your program fails 1 of the 2 public tests.\nTest `public/1`\nInput:\n```\n{}\n```\nExpected output:\n```\n42\n```\nYour output:\n```\n41\n```\n",
                        "1 2 3 4 5 6 7 8 9 10 ".repeat(200)
                    ));
                }
                trace.push_str(&line.to_string());
                trace.push('\n');
            }
            finals.push(
                json!({"sample": s, "public_passed": 2, "public_total": 2, "code": program(p, s)}),
            );
        }
        std::fs::write(dir.join("trace.jsonl"), trace)?;
        let inputs: Vec<_> = (0..40)
            .map(|k| {
                let source = ["model", "generator", "mutation", "stress", "edge", "structure"][k % 6];
                json!({"source": source, "seed": k, "bytes": 200_000, "kept": true, "tag": "size-max",
                       "preview": "9 ".repeat(100), "file": format!("inputs/{k}.in"), "splits": usize::from(k < 3)})
            })
            .collect();
        let groups: Vec<_> = (0..4)
            .map(|g| {
                json!({"samples": (0..16).filter(|s| s % 4 == g).collect::<Vec<_>>(), "wins": 3 - g,
                       "outputs": (0..4).map(|k| format!("{}\n", (g + k) * 1_000_003).repeat(300)).collect::<Vec<_>>()})
            })
            .collect();
        let comparisons: Vec<_> = (0..4)
            .flat_map(|a| ((a + 1)..4).map(move |b| (a, b)))
            .map(|(a, b)| json!({"a": a, "b": b, "input": 1, "answers": ["A", "B"], "winner": a, "decided_by": "model"}))
            .collect();
        std::fs::write(
            dir.join("selection.json"),
            json!({
                "method": "sstar", "model_free": false, "analysis_only": false, "finals": finals,
                "candidates": (0..16).collect::<Vec<_>>(), "inputs": inputs, "groups": groups,
                "always_failing": [], "comparisons": comparisons, "distinguishing": [0, 1, 2, 3],
                "pick": {"final_index": 0, "sample": 0, "reason": "won 3 of 3 pairwise judgements on real outputs"},
                "input_counts": {"generated": 40, "run": 40, "kept": 40, "executions": 640, "budget": 2000},
            })
            .to_string(),
        )?;
        let accepted = p % 3 != 0;
        let (difficulty, source) = (
            ["easy", "medium", "hard"][p % 3],
            ["leetcode", "atcoder"][p % 2],
        );
        results.push_str(
            &json!({"id": id, "status": "selected", "public_passed": true, "samples": 16, "llm_calls": 40,
                    "prompt_tokens": 60_000, "completion_tokens": 20_000, "seconds": 30.0, "select": "sstar",
                    "candidates": 16, "groups": 4, "cost_usd": 0.12, "executions": 700, "sandbox_seconds": 4.0,
                    "difficulty": difficulty, "source": source})
            .to_string(),
        );
        results.push('\n');
        eval_problems.insert(
            id,
            json!({"verdict": if accepted { "accepted" } else { "wrong_answer" }, "passed": 10, "total": 12,
                   "any_candidate_accepted": true, "finals": 16, "finals_accepted": 9}),
        );
    }
    std::fs::write(root.join("results.jsonl"), results)?;
    let rate = json!({"rate": 0.66, "low": 0.6, "high": 0.72, "successes": 133, "count": 200});
    std::fs::write(
        root.join("eval.json"),
        json!({"problems": eval_problems, "summary": {
            "pass_at_1": 0.66, "pass_at_n": 1.0, "count": problems, "total": problems, "complete": true,
            "pass_at_1_interval": rate, "pass_at_n_interval": rate,
            "by_difficulty": {"easy": {"pass_at_1": rate, "pass_at_n": rate}, "hard": {"pass_at_1": rate, "pass_at_n": rate}},
            "by_source": {"leetcode": {"pass_at_1": rate, "pass_at_n": rate}}}})
        .to_string(),
    )?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let problems: usize = std::env::args().nth(1).map_or(Ok(200), |n| n.parse())?;
    let dir = tempfile::tempdir()?;
    let run = dir.path().join("run");
    write_run(&run, problems)?;
    let on_disk: u64 = walk(&run)?;
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let path = sstar::report::write_report(&run, None)?;
        times.push(started.elapsed().as_secs_f64());
        size = std::fs::metadata(path)?.len();
    }
    times.sort_by(f64::total_cmp);
    if let Some(keep) = std::env::args().nth(2) {
        std::fs::copy(sstar::report::default_path(&run), keep)?;
    }
    println!(
        "{problems} problems ({:.1} MB of run files): report.html {:.2} MB, rendered in {:.0} ms (median of 5; min {:.0} ms, max {:.0} ms)",
        on_disk as f64 / 1e6,
        size as f64 / 1e6,
        times[2] * 1000.0,
        times[0] * 1000.0,
        times[4] * 1000.0
    );
    Ok(())
}

fn walk(path: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        total += if entry.file_type()?.is_dir() {
            walk(&entry.path())?
        } else {
            entry.metadata()?.len()
        };
    }
    Ok(total)
}
