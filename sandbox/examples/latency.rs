//! Sequential per-execution latency of one warm worker on a trivial program (a dev aid for
//! the sandbox's hot path): `cargo run --release -p sstar-sandbox --example latency [N]`.

use std::time::{Duration, Instant};

use sstar_sandbox::{Execution, Interpreter, Limits, ProgramKind, Sandbox, SandboxConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args().nth(1).map_or(Ok(500), |n| n.parse())?;
    let mut config = SandboxConfig::new(Interpreter::from_env()?);
    config.workers = 1;
    let started = Instant::now();
    let sandbox = Sandbox::start(config)?;
    println!("pool start: {:?}", started.elapsed());
    let limits = Limits::new(Duration::from_secs(2), 256, 16);
    let program = "a, b = map(int, input().split())\nprint(a + b)\n";
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let input = format!("{i} {i}\n");
        let t = Instant::now();
        let outcome = sandbox.run(&Execution::new(
            ProgramKind::Stdio,
            program,
            input.as_bytes(),
            limits,
        ))?;
        times.push(t.elapsed());
        assert_eq!(outcome.stdout, format!("{}\n", 2 * i).as_bytes());
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / runs as u32;
    println!(
        "{runs} runs: mean {mean:?}, median {:?}, p90 {:?}",
        times[runs / 2],
        times[runs * 9 / 10]
    );
    Ok(())
}
