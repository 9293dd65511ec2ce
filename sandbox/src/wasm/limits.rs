//! How the process backend's limits map onto a wasm guest: CPU time onto fuel, wall time onto
//! the run's elapsed time as the process backend would count it, memory onto the size of
//! linear memory.
//!
//! # The fuel mapping
//!
//! [`FUEL_PER_CPU_MS`] fuel (executed wasm instructions, counted by wasmtime) stand for one
//! millisecond of CPU time of the native interpreter the process backend runs. It was measured
//! with `examples/calibrate.rs` on the pinned build (VMware Wasm Labs CPython 3.12.0, `-O0`,
//! sha256 [`CALIBRATED_SHA256`]) against the process backend's CPython 3.11.7 running the same
//! 13 programs (CPU time of the program alone, interpreter start-up excluded on both sides; the
//! native time is the least of 3 runs, as the machine's noise only adds). Fuel per native
//! millisecond, by workload (2-vCPU VM, 2026-11):
//!
//! | workload | fuel / native ms | | workload | fuel / native ms |
//! |---|---|---|---|---|
//! | `sorted` with a key | 3.1e7 - 3.3e7 | | dict counting | 5.8e7 - 6.2e7 |
//! | heapq Dijkstra | 3.6e7 - 3.8e7 | | function calls | 6.4e7 - 6.5e7 |
//! | parse, sort, print | 3.6e7 - 3.9e7 | | arithmetic loop | 6.5e7 - 6.7e7 |
//! | `input()` lines, regex | 4.2e7 - 4.5e7 | | comprehensions, sets | 7.7e7 - 8.0e7 |
//! | strings, recursion, bigint | 4.4e7 - 5.0e7 | | 2-D DP | 5.1e7 - 5.2e7 |
//!
//! The ratio depends on the workload (about 2.5x from end to end), so the constant sits near
//! the top of the range: a program within about 80% of its limit natively (on the heaviest
//! workload measured; about 95% at typical, not best, native timings) is within it under
//! wasm, at the price of letting C-heavy programs run up to about twice their limit. The
//! interpreter's and the driver's own start-up (and, for function problems, the prelude's
//! imports) are measured when the sandbox starts and granted on top, as the process backend's
//! warm workers have them for free: about 2.5e8 fuel (stdio) and 6.8e8 (function).
//!
//! Fuel is deterministic: the guest runs with a fixed hash seed, a seeded `random`, fixed
//! "random" bytes, no threads and the same memory layout every time, so the same program on
//! the same input burns the same fuel on any machine and under any load (the calibration runs
//! and the tests check it), and its CPU verdict never flakes. Its reported `cpu` is this fuel
//! converted back to milliseconds. In wall time the guest runs 6-10x slower than native (fuel
//! and epoch checks included), so a time-limit verdict takes that much longer to reach.

use std::time::Duration;

/// Fuel standing for one millisecond of native CPU time (see the module documentation).
pub const FUEL_PER_CPU_MS: u64 = 65_000_000;

/// The python.wasm the calibration was made with.
pub(crate) const CALIBRATED_SHA256: &str =
    "e5dc5a398b07b54ea8fdb503bf68fb583d533f10ec3f930963e02b9505f7a763";

/// The real-time backstop over the wall limit: a guest is stopped once its real elapsed time
/// passes this many times the wall limit. Fuel and the sleep check decide every ordinary
/// program long before; this only catches time spent where neither looks (e.g. the host
/// copying huge outputs), and is far above the guest's interpretive slowdown (6-8x).
pub(crate) const WALL_BACKSTOP_FACTOR: u32 = 30;

/// wasm32's ceiling: linear memory cannot pass 4 GiB whatever the limit.
pub(crate) const ADDRESS_SPACE: u64 = 1 << 32;

/// A run stopped at its wall limit (by the sleep check or the backstop).
#[derive(Debug, thiserror::Error)]
#[error("wall time limit exceeded")]
pub(crate) struct WallTimeExceeded;

/// The run's time accounting, in the process backend's terms.
#[derive(Debug, Clone)]
pub(crate) struct Meter {
    /// Fuel the store started with.
    pub budget: u64,
    /// Fuel granted for start-up, not counted as the program's CPU time.
    pub startup: u64,
    /// The wall limit as the process backend applies it.
    pub wall: Duration,
    /// Time the guest spent sleeping so far.
    pub slept: Duration,
}

impl Meter {
    /// The budget for a program allowed `cpu` of CPU time after a start-up of `startup` fuel.
    pub(crate) fn new(cpu: Duration, wall: Duration, startup: u64) -> Self {
        let program = u64::try_from(cpu.as_millis())
            .unwrap_or(u64::MAX)
            .saturating_mul(FUEL_PER_CPU_MS);
        Self {
            budget: startup.saturating_add(program),
            startup,
            wall,
            slept: Duration::ZERO,
        }
    }

    /// The program's CPU time so far, given the fuel left.
    pub(crate) fn cpu(&self, remaining: u64) -> Duration {
        let used = self
            .budget
            .saturating_sub(remaining)
            .saturating_sub(self.startup);
        fuel_to_cpu(used)
    }

    /// Whether the guest may sleep `wait` more without passing its wall limit (and if so,
    /// counts it as slept).
    pub(crate) fn may_sleep(&mut self, remaining: u64, wait: Duration) -> bool {
        let elapsed = self.cpu(remaining).saturating_add(self.slept);
        if elapsed.saturating_add(wait) > self.wall {
            return false;
        }
        self.slept += wait;
        true
    }
}

/// Native-equivalent CPU time of `fuel`.
pub(crate) fn fuel_to_cpu(fuel: u64) -> Duration {
    Duration::from_nanos(fuel.saturating_mul(1_000_000) / FUEL_PER_CPU_MS)
}

/// Caps linear memory and records its peak and any refused growth.
#[derive(Debug, Clone)]
pub(crate) struct MemoryLimiter {
    /// Bytes linear memory may reach.
    pub limit: usize,
    /// Largest size granted.
    pub peak: usize,
    /// A growth was refused: the guest hit its memory limit.
    pub refused: bool,
}

impl MemoryLimiter {
    pub(crate) fn new(limit: u64) -> Self {
        Self {
            limit: usize::try_from(limit.min(ADDRESS_SPACE)).unwrap_or(usize::MAX),
            peak: 0,
            refused: false,
        }
    }
}

/// Tables hold function references; CPython's never grows, so this only stops abuse.
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.refused = true;
            return Ok(false);
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        4
    }

    fn memories(&self) -> usize {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::ResourceLimiter as _;

    #[test]
    fn cpu_time_counts_after_startup() {
        let meter = Meter::new(Duration::from_millis(100), Duration::from_secs(1), 1_000);
        assert_eq!(meter.budget, 1_000 + 100 * FUEL_PER_CPU_MS);
        assert_eq!(meter.cpu(meter.budget), Duration::ZERO);
        assert_eq!(meter.cpu(meter.budget - 500), Duration::ZERO);
        assert_eq!(meter.cpu(0), Duration::from_millis(100));
    }

    #[test]
    fn sleeps_are_held_to_the_wall_limit_with_cpu_time() {
        let mut meter = Meter::new(Duration::from_millis(100), Duration::from_millis(300), 0);
        let half_cpu = meter.budget / 2; // 50 ms of CPU used
        assert!(meter.may_sleep(half_cpu, Duration::from_millis(200)));
        assert!(!meter.may_sleep(half_cpu, Duration::from_millis(60)));
        assert!(meter.may_sleep(half_cpu, Duration::from_millis(50)));
        assert_eq!(meter.slept, Duration::from_millis(250));
    }

    #[test]
    fn memory_growth_past_the_limit_is_refused_and_remembered() {
        let mut limiter = MemoryLimiter::new(1 << 20);
        assert!(limiter.memory_growing(0, 1 << 19, None).expect("grow"));
        assert!(!limiter
            .memory_growing(1 << 19, 2 << 20, None)
            .expect("grow"));
        assert!(limiter.refused);
        assert_eq!(limiter.peak, 1 << 19);
        assert_eq!(MemoryLimiter::new(u64::MAX).limit as u64, ADDRESS_SPACE);
    }
}
