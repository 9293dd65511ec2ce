//! The two backends side by side in one run, with ratios: start-up, per-run overhead of a
//! trivial stdio and function program, the same with every core busy (wall time per run), and
//! CPU-bound programs.
//! `scripts/bench-wasm` (or `cargo run --release -p sstar-sandbox --features wasm --example
//! backends [ROUNDS]`). Times are medians (overhead) or the least of the rounds (CPU-bound:
//! noise only ever adds); README quotes a run.

use std::time::{Duration, Instant};

use sstar_sandbox::{Backend, Interpreter, ProgramKind, Sandbox, SandboxConfig};

#[path = "shared/workloads.rs"]
mod workloads;
use workloads::{input_for, timed_run, WORKLOADS};

/// The CPU-bound workloads timed (a spread of what contest programs do).
const CPU_BOUND: &[&str] = &[
    "arith-loop",
    "parse-sort-print",
    "dict-count",
    "dp-grid",
    "strings",
    "bigint",
    "regex",
];

type Error = Box<dyn std::error::Error>;

/// The wall time of one run, which must finish.
fn run_once(
    sandbox: &Sandbox,
    kind: &ProgramKind,
    code: &str,
    input: &[u8],
) -> Result<Duration, String> {
    timed_run(sandbox, kind, code, input).map(|(_, wall)| wall)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One row: the measure for each backend and their ratio.
fn row(name: &str, process: f64, wasm: f64, unit: &str) {
    println!(
        "{name:<28} {process:>10.2}{unit:<4} {wasm:>10.2}{unit:<4} {:>8.1}x",
        wasm / process
    );
}

/// Runs of a trivial program on `workers` threads at once, per second of wall time.
fn throughput(sandbox: &Sandbox, workers: usize, runs: usize) -> Result<f64, Error> {
    let started = Instant::now();
    std::thread::scope(|scope| -> Result<(), Error> {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    for i in 0..runs / workers {
                        let input = format!("{i} {i}\n");
                        run_once(sandbox, &ProgramKind::Stdio, STDIO_ADD, input.as_bytes())
                            .map_err(|e| e.to_string())?;
                    }
                    Ok::<(), String>(())
                })
            })
            .collect();
        for handle in handles {
            handle.join().map_err(|_| "thread panicked")??;
        }
        Ok(())
    })?;
    Ok(runs as f64 / started.elapsed().as_secs_f64())
}

const STDIO_ADD: &str = "a, b = map(int, input().split())\nprint(a + b)\n";

fn main() -> Result<(), Error> {
    let rounds: usize = std::env::args().nth(1).map_or(Ok(3), |n| n.parse())?;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let config = SandboxConfig::new(Interpreter::from_env()?);
    let mut sandboxes = Vec::new();
    let mut starts = Vec::new();
    for backend in [Backend::Process, Backend::Wasm] {
        let config = SandboxConfig {
            backend,
            workers: cores,
            ..config.clone()
        };
        let started = Instant::now();
        sandboxes.push(Sandbox::start(config)?);
        starts.push(ms(started.elapsed()));
    }
    let (process, wasm) = (&sandboxes[0], &sandboxes[1]);
    println!(
        "process: python {}; wasm: python {}; {cores} workers each",
        process.python_version(),
        wasm.python_version()
    );
    println!(
        "{:<28} {:>14} {:>14} {:>9}",
        "measure", "process", "wasm", "wasm/proc"
    );
    row("start (module cached)", starts[0], starts[1], "ms");

    let function = ProgramKind::Function {
        entry_point: "add".into(),
    };
    let overhead =
        |sandbox: &Sandbox, kind: &ProgramKind, code: &str, input: &[u8]| -> Result<f64, Error> {
            let times = (0..50 * rounds)
                .map(|_| run_once(sandbox, kind, code, input))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ms(median(times)))
        };
    row(
        "trivial stdio run",
        overhead(process, &ProgramKind::Stdio, STDIO_ADD, b"1 2\n")?,
        overhead(wasm, &ProgramKind::Stdio, STDIO_ADD, b"1 2\n")?,
        "ms",
    );
    let add = "def add(a, b):\n    return a + b\n";
    row(
        "trivial function call",
        overhead(process, &function, add, b"1\n2\n")?,
        overhead(wasm, &function, add, b"1\n2\n")?,
        "ms",
    );
    let runs = 100 * rounds;
    let (p, w) = (
        throughput(process, cores, runs)?,
        throughput(wasm, cores, runs)?,
    );
    row(
        &format!("stdio run, {cores} at a time"),
        1000.0 / p,
        1000.0 / w,
        "ms",
    );

    for name in CPU_BOUND {
        let (_, code, input) = WORKLOADS
            .iter()
            .find(|(n, _, _)| n == name)
            .ok_or("unknown workload")?;
        let input = input_for(input);
        let best = |sandbox: &Sandbox| -> Result<f64, Error> {
            let times = (0..rounds)
                .map(|_| run_once(sandbox, &ProgramKind::Stdio, code, &input))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ms(times.into_iter().min().unwrap_or_default()))
        };
        row(
            &format!("cpu-bound: {name}"),
            best(process)?,
            best(wasm)?,
            "ms",
        );
    }
    Ok(())
}
