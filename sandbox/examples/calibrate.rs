//! Measures the wasm backend's fuel against the process backend's CPU time on a set of
//! workloads, side by side in one run (how `FUEL_PER_CPU_MS` in `src/wasm/limits.rs` was
//! chosen), plus each backend's wall time per run:
//! `cargo run --release -p sstar-sandbox --features wasm --example calibrate [ROUNDS]`.
//!
//! For each workload it prints the process backend's CPU time (the least of the rounds: the
//! machine's noise only ever adds), the wasm fuel (the same every round, which it checks), the
//! fuel per native CPU millisecond, and the wall times.

use std::time::Duration;

use sstar_sandbox::{
    Backend, Interpreter, ProgramKind, Sandbox, SandboxConfig, WASM_FUEL_PER_CPU_MS,
};

#[path = "shared/workloads.rs"]
mod workloads;
use workloads::{input_for, timed_run, WORKLOADS};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args().nth(1).map_or(Ok(3), |n| n.parse())?;
    let mut config = SandboxConfig::new(Interpreter::from_env()?);
    config.workers = 1;
    let process = Sandbox::start(config.clone())?;
    config.backend = Backend::Wasm;
    let wasm = Sandbox::start(config)?;
    println!(
        "process: python {}; wasm: python {}",
        process.python_version(),
        wasm.python_version()
    );
    println!(
        "{:<18} {:>10} {:>14} {:>12} {:>12} {:>12}",
        "workload", "native ms", "wasm fuel", "fuel/ms", "proc wall", "wasm wall"
    );
    for (name, code, input) in WORKLOADS {
        let input = input_for(input);
        let mut native = Duration::MAX;
        let mut wasm_cpu = None;
        let (mut proc_wall, mut wasm_wall) = (Duration::MAX, Duration::MAX);
        for _ in 0..rounds {
            let (p, pw) = timed_run(&process, &ProgramKind::Stdio, code, &input)?;
            let (w, ww) = timed_run(&wasm, &ProgramKind::Stdio, code, &input)?;
            if p.stdout != w.stdout {
                return Err(format!("{name}: the backends disagree on the output").into());
            }
            native = native.min(p.cpu);
            proc_wall = proc_wall.min(pw);
            wasm_wall = wasm_wall.min(ww);
            match wasm_cpu {
                None => wasm_cpu = Some(w.cpu),
                Some(cpu) if cpu != w.cpu => {
                    println!(
                        "  {name}: wasm CPU differs between rounds: {cpu:?} vs {:?}",
                        w.cpu
                    );
                }
                Some(_) => {}
            }
        }
        let wasm_cpu = wasm_cpu.unwrap_or_default();
        // The wasm outcome's CPU time is its fuel divided by the mapping: multiply it back.
        let fuel = wasm_cpu.as_nanos() as f64 * WASM_FUEL_PER_CPU_MS as f64 / 1e6;
        let native_ms = native.as_secs_f64() * 1000.0;
        println!(
            "{name:<18} {native_ms:>10.1} {fuel:>14.3e} {:>12.3e} {:>10.1}ms {:>10.1}ms",
            if native_ms > 0.5 {
                fuel / native_ms
            } else {
                f64::NAN
            },
            proc_wall.as_secs_f64() * 1000.0,
            wasm_wall.as_secs_f64() * 1000.0,
        );
    }
    Ok(())
}
