//! Runs one Python file in the sandbox with stdin from ours and prints the outcome (a dev aid):
//! `run [--wasm] PROGRAM.py [ENTRY_POINT]` (`--wasm` needs the `wasm` feature).

use std::io::Read;
use std::time::Duration;

use sstar_sandbox::{Backend, Execution, Interpreter, Limits, ProgramKind, Sandbox, SandboxConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let backend = match args.iter().position(|a| a == "--wasm") {
        Some(at) => {
            args.remove(at);
            Backend::Wasm
        }
        None => Backend::Process,
    };
    let mut args = args.into_iter();
    let path = args
        .next()
        .ok_or("usage: run [--wasm] PROGRAM.py [ENTRY_POINT]")?;
    let kind = match args.next() {
        Some(entry_point) => ProgramKind::Function { entry_point },
        None => ProgramKind::Stdio,
    };
    let code = std::fs::read_to_string(&path)?;
    let mut stdin = Vec::new();
    std::io::stdin().read_to_end(&mut stdin)?;
    let mut config = SandboxConfig::new(Interpreter::from_env()?);
    config.backend = backend;
    let sandbox = Sandbox::start(config)?;
    eprintln!("isolation: {:?}", sandbox.isolation());
    eprintln!("python: {}", sandbox.python_version());
    let limits = Limits::new(Duration::from_secs(2), 256, 1);
    let outcome = sandbox.run(&Execution::new(kind, &code, &stdin, limits))?;
    println!("{:?}", outcome.termination);
    println!(
        "cpu {:?} wall {:?} mem {} kB exit {:?} signal {:?}",
        outcome.cpu, outcome.wall, outcome.memory_kb, outcome.exit_code, outcome.signal
    );
    println!("returned: {:?}", outcome.returned);
    println!("--- stdout\n{}", String::from_utf8_lossy(&outcome.stdout));
    println!("--- stderr\n{}", String::from_utf8_lossy(&outcome.stderr));
    Ok(())
}
