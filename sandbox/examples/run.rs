//! Runs one Python file in the sandbox with stdin from ours and prints the outcome (a dev aid).

use std::io::Read;
use std::time::Duration;

use sstar_sandbox::{Execution, Limits, ProgramKind, Sandbox};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: run PROGRAM.py [ENTRY_POINT]")?;
    let kind = match std::env::args().nth(2) {
        Some(entry_point) => ProgramKind::Function { entry_point },
        None => ProgramKind::Stdio,
    };
    let code = std::fs::read_to_string(&path)?;
    let mut stdin = Vec::new();
    std::io::stdin().read_to_end(&mut stdin)?;
    let sandbox = Sandbox::from_env()?;
    eprintln!("isolation: {:?}", sandbox.isolation());
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
