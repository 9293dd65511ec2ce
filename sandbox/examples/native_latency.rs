//! Per-run latency of a compiled C++ program in the sandbox against a plain fork+exec of the
//! same binary (what a one-process-per-test harness pays), side by side:
//! `cargo run --release -p sstar-sandbox --example native_latency [N]`.
//! The sandbox compiles the program once (its first run, not timed); the plain runs use a
//! binary g++ builds here with the same flags. Runs alternate, so both see the same machine.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sstar_sandbox::{
    Execution, Interpreter, Language, Limits, ProgramKind, Sandbox, SandboxConfig,
    DEFAULT_CXX_FLAGS,
};

const PROGRAM: &str = "#include <cstdio>\nint main(){ long long a, b; if (scanf(\"%lld %lld\", &a, &b) != 2) return 1; printf(\"%lld\\n\", a + b); }\n";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args().nth(1).map_or(Ok(500), |n| n.parse())?;
    let mut config = SandboxConfig::new(Interpreter::from_env()?);
    config.workers = 1;
    let sandbox = Sandbox::start(config)?;
    let limits = Limits::new(Duration::from_secs(2), 256, 16);
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("a.cpp"), PROGRAM)?;
    let binary = dir.path().join("a.out");
    let built = Command::new("g++")
        .args(DEFAULT_CXX_FLAGS)
        .arg(dir.path().join("a.cpp"))
        .arg("-o")
        .arg(&binary)
        .status()?;
    assert!(built.success(), "g++ failed");
    let started = Instant::now();
    let mut first = Execution::new(ProgramKind::Stdio, PROGRAM, b"1 2\n", limits);
    first.language = Language::Cpp;
    let outcome = sandbox.run(&first)?;
    assert_eq!(outcome.stdout, b"3\n", "{outcome:?}");
    println!("first sandbox run (compiles): {:?}", started.elapsed());
    let mut times = [Vec::with_capacity(runs), Vec::with_capacity(runs)];
    for i in 0..runs {
        let input = format!("{i} {i}\n");
        let expected = format!("{}\n", 2 * i);
        let mut execution = Execution::new(ProgramKind::Stdio, PROGRAM, input.as_bytes(), limits);
        execution.language = Language::Cpp;
        let t = Instant::now();
        let outcome = sandbox.run(&execution)?;
        times[0].push(t.elapsed());
        assert_eq!(outcome.stdout, expected.as_bytes());
        let t = Instant::now();
        let mut child = Command::new(&binary)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        child
            .stdin
            .take()
            .ok_or("no stdin")?
            .write_all(input.as_bytes())?;
        let output = child.wait_with_output()?;
        times[1].push(t.elapsed());
        assert_eq!(output.stdout, expected.as_bytes());
    }
    let mut medians = Vec::new();
    for (name, times) in ["sandbox", "fork+exec"].into_iter().zip(&mut times) {
        times.sort();
        let mean = times.iter().sum::<Duration>() / runs as u32;
        println!(
            "{name:>9}: {runs} runs: mean {mean:?}, median {:?}, p90 {:?}",
            times[runs / 2],
            times[runs * 9 / 10]
        );
        medians.push(times[runs / 2]);
    }
    println!(
        "sandbox / fork+exec (medians): {:.2}x, +{:?} a run; compiles: {:?}",
        medians[0].as_secs_f64() / medians[1].as_secs_f64(),
        medians[0].saturating_sub(medians[1]),
        sandbox.compile_stats()
    );
    Ok(())
}
