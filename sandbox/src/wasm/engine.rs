//! The one wasmtime `Engine` of a wasm sandbox and its epoch ticker: fuel counts the guest's
//! CPU work deterministically, epochs give the real-time backstop (see `limits`).

use std::sync::mpsc;
use std::time::Duration;

use wasmtime::{Config, Engine};

use crate::pool::SandboxError;

/// How often the epoch advances; the real-time backstop is counted in these ticks.
pub(crate) const TICK: Duration = Duration::from_millis(10);

/// An engine with fuel and epoch interruption on. Both change the generated code, so they are
/// part of the compiled module's cache key (through the engine's compatibility hash).
pub(crate) fn engine() -> Result<Engine, SandboxError> {
    let mut config = Config::new();
    config
        .consume_fuel(true)
        .epoch_interruption(true)
        .parallel_compilation(true);
    Engine::new(&config).map_err(|e| SandboxError::Wasm(format!("cannot create engine: {e:#}")))
}

/// A thread advancing the engine's epoch every [`TICK`]; it stops when dropped.
#[derive(Debug)]
pub(crate) struct Ticker {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Ticker {
    pub(crate) fn start(engine: &Engine) -> Result<Self, SandboxError> {
        let engine = engine.weak();
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sstar-wasm-epoch".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(TICK) {
                    match engine.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => return,
                    }
                }
            })
            .map_err(|e| SandboxError::Wasm(format!("cannot start the epoch ticker: {e}")))?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
