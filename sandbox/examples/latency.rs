//! Sequential per-execution latency of one warm worker on a trivial program (a dev aid for
//! the sandbox's hot path): `cargo run --release -p sstar-sandbox --example latency [N]`.
//! Bare runs (sstar's own helpers) and judged runs (the prelude first, as candidates run)
//! alternate, so both see the same machine; the difference is what the prelude costs a run.

use std::time::{Duration, Instant};

use sstar_sandbox::{
    Environment, Execution, Interpreter, Limits, ProgramKind, Sandbox, SandboxConfig,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args().nth(1).map_or(Ok(500), |n| n.parse())?;
    let mut config = SandboxConfig::new(Interpreter::from_env()?);
    config.workers = 1;
    let started = Instant::now();
    let sandbox = Sandbox::start(config)?;
    println!("pool start: {:?}", started.elapsed());
    let limits = Limits::new(Duration::from_secs(2), 256, 16);
    let program = "a, b = map(int, input().split())\nprint(a + b)\n";
    let mut times = [Vec::with_capacity(runs), Vec::with_capacity(runs)];
    for i in 0..runs {
        let input = format!("{i} {i}\n");
        for (judged, times) in times.iter_mut().enumerate() {
            let mut execution =
                Execution::new(ProgramKind::Stdio, program, input.as_bytes(), limits);
            if judged == 1 {
                execution.environment = Environment::judged(&[]);
            }
            let t = Instant::now();
            let outcome = sandbox.run(&execution)?;
            times.push(t.elapsed());
            assert_eq!(outcome.stdout, format!("{}\n", 2 * i).as_bytes());
        }
    }
    let mut medians = Vec::new();
    for (name, times) in ["bare", "judged"].into_iter().zip(&mut times) {
        times.sort();
        let mean = times.iter().sum::<Duration>() / runs as u32;
        println!(
            "{name:>6}: {runs} runs: mean {mean:?}, median {:?}, p90 {:?}",
            times[runs / 2],
            times[runs * 9 / 10]
        );
        medians.push(times[runs / 2]);
    }
    println!(
        "judged / bare (medians): {:.3}x, +{:?} a run",
        medians[1].as_secs_f64() / medians[0].as_secs_f64(),
        medians[1].saturating_sub(medians[0])
    );
    Ok(())
}
