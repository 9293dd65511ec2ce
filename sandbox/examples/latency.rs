//! Per-execution latency of warm workers on a trivial program (a dev aid for the sandbox's
//! hot path): `cargo run --release -p sstar-sandbox --example latency [N] [--busy]`.
//! Sequential: one worker; bare runs (sstar's own helpers) and judged runs (the prelude first,
//! as candidates run) alternate, so both see the same machine; the difference is what the
//! prelude costs a run. `--busy`: then judged runs from one thread per core at once, on as many
//! workers, as a judge keeps them busy; per-run latency and throughput.

use std::time::{Duration, Instant};

use sstar_sandbox::{
    Environment, Execution, Interpreter, Limits, ProgramKind, Sandbox, SandboxConfig,
};

const PROGRAM: &str = "a, b = map(int, input().split())\nprint(a + b)\n";

fn limits() -> Limits {
    Limits::new(Duration::from_secs(2), 256, 16)
}

/// One judged run of [`PROGRAM`] on input `i i`; its wall time.
fn judged_run(sandbox: &Sandbox, i: usize) -> Result<Duration, Box<dyn std::error::Error>> {
    let input = format!("{i} {i}\n");
    let mut execution = Execution::new(ProgramKind::Stdio, PROGRAM, input.as_bytes(), limits());
    execution.environment = Environment::judged(&[]);
    let t = Instant::now();
    let outcome = sandbox.run(&execution)?;
    let took = t.elapsed();
    assert_eq!(outcome.stdout, format!("{}\n", 2 * i).as_bytes());
    Ok(took)
}

/// Mean, median and p90 of `times` (sorted here), printed under `name`; the median.
fn summary(name: &str, times: &mut [Duration]) -> Duration {
    times.sort();
    let runs = times.len();
    let mean = times.iter().sum::<Duration>() / runs as u32;
    println!(
        "{name:>6}: {runs} runs: mean {mean:?}, median {:?}, p90 {:?}",
        times[runs / 2],
        times[runs * 9 / 10]
    );
    times[runs / 2]
}

fn sequential(runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = SandboxConfig::new(Interpreter::from_env()?);
    config.workers = 1;
    let started = Instant::now();
    let sandbox = Sandbox::start(config)?;
    println!("pool start: {:?}", started.elapsed());
    let mut times = [Vec::with_capacity(runs), Vec::with_capacity(runs)];
    for i in 0..runs {
        let input = format!("{i} {i}\n");
        let bare = Execution::new(ProgramKind::Stdio, PROGRAM, input.as_bytes(), limits());
        let t = Instant::now();
        let outcome = sandbox.run(&bare)?;
        times[0].push(t.elapsed());
        assert_eq!(outcome.stdout, format!("{}\n", 2 * i).as_bytes());
        times[1].push(judged_run(&sandbox, i)?);
    }
    let bare = summary("bare", &mut times[0]);
    let judged = summary("judged", &mut times[1]);
    println!(
        "judged / bare (medians): {:.3}x, +{:?} a run",
        judged.as_secs_f64() / bare.as_secs_f64(),
        judged.saturating_sub(bare)
    );
    Ok(())
}

fn busy(runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut config = SandboxConfig::new(Interpreter::from_env()?);
    config.workers = threads;
    let sandbox = Sandbox::start(config)?;
    let started = Instant::now();
    let mut times: Vec<Duration> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let sandbox = &sandbox;
                scope.spawn(move || {
                    (0..runs)
                        .map(|i| judged_run(sandbox, t * runs + i).map_err(|e| e.to_string()))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("run thread"))
            .collect::<Result<Vec<Vec<_>>, _>>()
    })?
    .concat();
    let elapsed = started.elapsed();
    summary("busy", &mut times);
    println!(
        "{threads} threads on {threads} workers: {} runs in {elapsed:?}, {:?} a run of wall time",
        times.len(),
        elapsed / times.len() as u32
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs = match args.iter().find(|a| !a.starts_with("--")) {
        Some(n) => n.parse()?,
        None => 500,
    };
    sequential(runs)?;
    if args.iter().any(|a| a == "--busy") {
        busy(runs)?;
    }
    Ok(())
}
