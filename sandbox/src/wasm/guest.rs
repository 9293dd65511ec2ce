//! One guest instance's setting: its store (the WASI context with stdin in memory, the
//! captures, the run's clock, fixed entropy, and the two read-only preopens every instance
//! shares with the snapshot), its memory limit, fuel and real-time backstop, and the run's
//! private files and report marker.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use wasmtime::{Engine, Store};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, HostMonotonicClock, WasiCtxBuilder};

use super::engine::TICK;
use super::host_calls::Now;
use super::limits::{MemoryLimiter, Meter, WALL_BACKSTOP_FACTOR};
use super::snapshot;
use super::streams::Capture;
use crate::execution::Limits;
use crate::pool::SandboxError;

/// The interpreter's command line at init (runs inherit it: a snapshot does not read it again).
pub(super) const ARGV: [&str; 4] = ["python", "-S", "-c", snapshot::INIT];

/// Where the pinned packages' store appears in the guest, read-only (an empty directory when
/// there is none); a run's packages are on its `sys.path` below it.
pub(super) const PACKAGES_AT: &str = "/.sstar-packages";

/// The bytes `os.urandom` and friends return, cycled: a fixed stream, so every run of a
/// program sees the same "random" bytes and burns the same fuel.
pub(super) fn entropy() -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..16 << 10)
        .map(|_| {
            // xorshift64*: plenty for bytes nobody may rely on being secret.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

/// The store's data: the WASI context and this crate's accounting.
pub(crate) struct Guest {
    pub wasi: WasiP1Ctx,
    pub limiter: MemoryLimiter,
    pub meter: Meter,
    pub clock: RunClock,
    /// The sleep check stopped the run at its wall limit.
    pub wall_time_exceeded: bool,
}

/// The guest's monotonic clock, counted from the start of its run; also read by `poll_oneoff`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunClock {
    origin: Instant,
}

impl RunClock {
    pub(super) fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }

    /// The guest's clocks now.
    pub(crate) fn now(&self) -> Now {
        let realtime = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        Now {
            realtime_ns: u64::try_from(realtime.as_nanos()).unwrap_or(u64::MAX),
            monotonic_ns: u64::try_from(self.origin.elapsed().as_nanos()).unwrap_or(u64::MAX),
        }
    }
}

impl HostMonotonicClock for RunClock {
    fn resolution(&self) -> u64 {
        1
    }

    fn now(&self) -> u64 {
        RunClock::now(self).monotonic_ns
    }
}

/// What a kind of program costs before its own code runs: measured at start.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Startup {
    /// Fuel of the interpreter's start, the driver and (function problems) the prelude.
    pub fuel: u64,
    /// Linear memory at the end of a trivial program: the memory limit counts from here.
    pub memory: u64,
}

/// What to start an instance with.
pub(super) struct Launch<'a> {
    pub stdin: bytes::Bytes,
    /// The environment (only the init reads one).
    pub env: &'a [(&'a str, &'a str)],
    /// A directory shared read-only as the guest's `/`: the run's files, or an empty one.
    pub files: &'a Path,
    pub limits: &'a Limits,
    pub startup: Startup,
}

/// Where a package's directory (under the store's `root`) appears in the guest, on `sys.path`
/// when a run asks for it.
pub(super) fn guest_package_dir(root: &Path, dir: &Path) -> Result<String, SandboxError> {
    let inside = dir.strip_prefix(root).map_err(|_| {
        SandboxError::Internal(format!(
            "package directory {} is not under the store {}",
            dir.display(),
            root.display()
        ))
    })?;
    Ok(format!("{PACKAGES_AT}/{}", inside.display()))
}

/// A store for one instance: its WASI context (stdin from `launch`, the captures, the run's
/// clock, the fixed entropy, `/` and the packages' store preopened read-only, in the order
/// the snapshot was taken with), its memory limit, fuel and real-time backstop.
pub(super) fn new_store(
    engine: &Engine,
    launch: &Launch<'_>,
    packages_root: &Path,
    entropy: &[u8],
    stdout: &Capture,
    stderr: &Capture,
) -> Result<Store<Guest>, SandboxError> {
    let internal = |what: &str, e: wasmtime::Error| {
        SandboxError::Internal(format!("wasm sandbox: {what}: {e:#}"))
    };
    let limits = launch.limits;
    let clock = RunClock::new();
    let mut wasi = WasiCtxBuilder::new();
    wasi.args(&ARGV)
        .envs(launch.env)
        .stdin(MemoryInputPipe::new(launch.stdin.clone()))
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .monotonic_clock(clock)
        .secure_random(wasmtime_wasi::Deterministic::new(entropy.to_vec()))
        .insecure_random(wasmtime_wasi::Deterministic::new(entropy.to_vec()));
    wasi.preopened_dir(launch.files, "/", FsPerms::ReadOnly)
        .map_err(|e| internal("cannot share the run's files", e))?;
    wasi.preopened_dir(packages_root, PACKAGES_AT, FsPerms::ReadOnly)
        .map_err(|e| internal("cannot share the packages", e))?;
    let meter = Meter::new(limits.cpu, limits.wall, launch.startup.fuel);
    let budget = meter.budget;
    let memory = launch.startup.memory.saturating_add(limits.memory_bytes);
    let mut store = Store::new(
        engine,
        Guest {
            wasi: wasi.build_p1(),
            limiter: MemoryLimiter::new(memory),
            meter,
            clock,
            wall_time_exceeded: false,
        },
    );
    store.limiter(|guest| &mut guest.limiter);
    store
        .set_fuel(budget)
        .map_err(|e| internal("cannot set fuel", e))?;
    store.set_epoch_deadline(backstop_ticks(limits.wall));
    store.epoch_deadline_trap();
    Ok(store)
}

/// Epoch ticks of the real-time backstop for a wall limit.
fn backstop_ticks(wall: Duration) -> u64 {
    let backstop = wall.saturating_mul(WALL_BACKSTOP_FACTOR);
    let ticks = backstop.as_millis() / TICK.as_millis().max(1) + 1;
    u64::try_from(ticks).unwrap_or(u64::MAX).min(1 << 40)
}

/// A per-run random marker the driver writes before its report; a program cannot guess it.
pub(super) fn marker() -> Result<Vec<u8>, SandboxError> {
    let mut random = [0u8; 16];
    // SAFETY: the buffer is valid and writable for its length; getrandom writes at most that.
    let got = unsafe { libc::getrandom(random.as_mut_ptr().cast(), random.len(), 0) };
    if got != random.len() as isize {
        return Err(SandboxError::Internal(format!(
            "getrandom: {}",
            std::io::Error::last_os_error()
        )));
    }
    Ok(format!("\x1esstar-report-{}\x1e", hex::encode(random)).into_bytes())
}

/// A private directory holding the run's files, shared read-only as the guest's `/` (its
/// working directory); `None` without files.
pub(super) fn scratch(
    files: &[(String, Vec<u8>)],
) -> Result<Option<tempfile::TempDir>, SandboxError> {
    if files.is_empty() {
        return Ok(None);
    }
    let failed = |e: std::io::Error| SandboxError::Internal(format!("wasm scratch files: {e}"));
    let dir = tempfile::Builder::new()
        .prefix("sstar-wasm-")
        .tempdir()
        .map_err(failed)?;
    for (name, data) in files {
        if name.contains('/') || name.contains('\0') || matches!(name.as_str(), "" | "." | "..") {
            return Err(SandboxError::Internal(format!(
                "bad scratch file name {name:?}"
            )));
        }
        std::fs::write(dir.path().join(name), data).map_err(failed)?;
    }
    Ok(Some(dir))
}
