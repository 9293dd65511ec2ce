//! The WASI calls this crate replaces in wasmtime-wasi's set:
//!
//! - `poll_oneoff`, the one call that can block (`time.sleep`, `select`, lock timeouts), so a
//!   sleeping guest is held to its wall limit: the limit is checked before it sleeps, against
//!   the run's elapsed time as the process backend would see it (its CPU time, from fuel, plus
//!   what it slept), so sleepers get the same verdict on any machine. Regular files and memory
//!   pipes are always ready, so a poll on descriptors returns at once.
//! - `proc_exit`, which takes any status, as a Linux process's exit does (its low 8 bits);
//!   wasmtime-wasi refuses statuses from 126 on with an error instead.

use std::time::Duration;

use wasmtime::{Caller, Extern, Linker};
use wasmtime_wasi::I32Exit;

use super::guest::Guest;
use super::limits::WallTimeExceeded;

const MODULE: &str = "wasi_snapshot_preview1";

const SUBSCRIPTION_SIZE: usize = 48;
const EVENT_SIZE: usize = 32;

const ERRNO_SUCCESS: i32 = 0;
const ERRNO_FAULT: i32 = 21;
const ERRNO_INVAL: i32 = 28;

const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;

const CLOCK_REALTIME: u32 = 0;
const CLOCK_MONOTONIC: u32 = 1;
const SUBCLOCK_ABSTIME: u16 = 1;

/// One decoded subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subscription {
    /// Wake after this long.
    Clock { userdata: u64, after: Duration },
    /// Readiness of a descriptor (`kind` is the event type to answer with).
    Fd { userdata: u64, kind: u8 },
}

/// Replaces wasmtime-wasi's `poll_oneoff` and `proc_exit` in `linker` (added after it).
pub(crate) fn add_to_linker(linker: &mut Linker<Guest>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    linker.func_wrap(MODULE, "poll_oneoff", poll_oneoff)?;
    linker.func_wrap(MODULE, "proc_exit", proc_exit)?;
    linker.allow_shadowing(false);
    Ok(())
}

fn proc_exit(status: i32) -> wasmtime::Result<()> {
    Err(I32Exit(status & 0xFF).into())
}

fn poll_oneoff(
    mut caller: Caller<'_, Guest>,
    subscriptions: i32,
    events: i32,
    count: i32,
    events_written: i32,
) -> wasmtime::Result<i32> {
    let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
        return Ok(ERRNO_FAULT);
    };
    let count = count as u32 as usize;
    if count == 0 {
        return Ok(ERRNO_INVAL); // sleeping forever is not supported by WASI p1 either
    }
    let now = caller.data().clock.now();
    let parsed = {
        let data = memory.data(&caller);
        let Some(raw) = slice(data, subscriptions, count.saturating_mul(SUBSCRIPTION_SIZE)) else {
            return Ok(ERRNO_FAULT);
        };
        raw.chunks_exact(SUBSCRIPTION_SIZE)
            .map(|sub| decode(sub, now))
            .collect::<Option<Vec<_>>>()
    };
    let Some(parsed) = parsed else {
        return Ok(ERRNO_INVAL);
    };
    let ready: Vec<(u64, u8)> = if parsed.iter().any(|s| matches!(s, Subscription::Fd { .. })) {
        // Files and in-memory stdio never block: answer every descriptor now.
        parsed
            .iter()
            .filter_map(|s| match *s {
                Subscription::Fd { userdata, kind } => Some((userdata, kind)),
                Subscription::Clock { .. } => None,
            })
            .collect()
    } else {
        let wait = parsed
            .iter()
            .filter_map(|s| match *s {
                Subscription::Clock { after, .. } => Some(after),
                Subscription::Fd { .. } => None,
            })
            .min()
            .unwrap_or_default();
        let fuel = caller.get_fuel()?;
        if !caller.data_mut().meter.may_sleep(fuel, wait) {
            caller.data_mut().wall_time_exceeded = true;
            return Err(wasmtime::Error::new(WallTimeExceeded));
        }
        std::thread::sleep(wait);
        parsed
            .iter()
            .filter_map(|s| match *s {
                Subscription::Clock { userdata, after } if after <= wait => {
                    Some((userdata, EVENTTYPE_CLOCK))
                }
                _ => None,
            })
            .collect()
    };
    let data = memory.data_mut(&mut caller);
    let Some(out) = slice_mut(data, events, ready.len() * EVENT_SIZE) else {
        return Ok(ERRNO_FAULT);
    };
    for (event, (userdata, kind)) in out.chunks_exact_mut(EVENT_SIZE).zip(&ready) {
        event.fill(0);
        event[0..8].copy_from_slice(&userdata.to_le_bytes());
        event[10] = *kind;
    }
    let Some(written) = slice_mut(data, events_written, 4) else {
        return Ok(ERRNO_FAULT);
    };
    written.copy_from_slice(&(ready.len() as u32).to_le_bytes());
    Ok(ERRNO_SUCCESS)
}

/// Decodes one subscription; `None` for a clock or kind WASI p1 does not poll on.
fn decode(raw: &[u8], now: Now) -> Option<Subscription> {
    let u64_at = |at: usize| u64::from_le_bytes(raw[at..at + 8].try_into().unwrap_or([0; 8]));
    let u32_at = |at: usize| u32::from_le_bytes(raw[at..at + 4].try_into().unwrap_or([0; 4]));
    let userdata = u64_at(0);
    match raw[8] {
        EVENTTYPE_CLOCK => {
            let (id, timeout) = (u32_at(16), u64_at(24));
            let absolute = u16::from_le_bytes([raw[40], raw[41]]) & SUBCLOCK_ABSTIME != 0;
            let reference = match (id, absolute) {
                (CLOCK_REALTIME | CLOCK_MONOTONIC, false) => 0,
                (CLOCK_REALTIME, true) => now.realtime_ns,
                (CLOCK_MONOTONIC, true) => now.monotonic_ns,
                _ => return None,
            };
            let after = Duration::from_nanos(timeout.saturating_sub(reference));
            Some(Subscription::Clock { userdata, after })
        }
        kind @ (EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE) => {
            Some(Subscription::Fd { userdata, kind })
        }
        _ => None,
    }
}

/// The guest's clocks at one instant, in nanoseconds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Now {
    pub realtime_ns: u64,
    pub monotonic_ns: u64,
}

fn slice(data: &[u8], at: i32, len: usize) -> Option<&[u8]> {
    let start = at as u32 as usize;
    data.get(start..start.checked_add(len)?)
}

fn slice_mut(data: &mut [u8], at: i32, len: usize) -> Option<&mut [u8]> {
    let start = at as u32 as usize;
    data.get_mut(start..start.checked_add(len)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(id: u32, timeout: u64, flags: u16) -> [u8; SUBSCRIPTION_SIZE] {
        let mut raw = [0u8; SUBSCRIPTION_SIZE];
        raw[0..8].copy_from_slice(&7u64.to_le_bytes());
        raw[8] = EVENTTYPE_CLOCK;
        raw[16..20].copy_from_slice(&id.to_le_bytes());
        raw[24..32].copy_from_slice(&timeout.to_le_bytes());
        raw[40..42].copy_from_slice(&flags.to_le_bytes());
        raw
    }

    #[test]
    fn clocks_decode_relative_to_now() {
        let now = Now {
            realtime_ns: 5_000,
            monotonic_ns: 1_000,
        };
        let sub = |raw: [u8; SUBSCRIPTION_SIZE]| decode(&raw, now);
        let after = |ns| {
            Some(Subscription::Clock {
                userdata: 7,
                after: Duration::from_nanos(ns),
            })
        };
        assert_eq!(sub(clock(CLOCK_MONOTONIC, 300, 0)), after(300));
        assert_eq!(
            sub(clock(CLOCK_MONOTONIC, 1_300, SUBCLOCK_ABSTIME)),
            after(300)
        );
        assert_eq!(
            sub(clock(CLOCK_REALTIME, 5_200, SUBCLOCK_ABSTIME)),
            after(200)
        );
        // A deadline in the past is due now.
        assert_eq!(sub(clock(CLOCK_MONOTONIC, 10, SUBCLOCK_ABSTIME)), after(0));
        // CPU-time clocks cannot be waited on.
        assert_eq!(sub(clock(2, 10, 0)), None);
        let mut fd = [0u8; SUBSCRIPTION_SIZE];
        fd[8] = EVENTTYPE_FD_READ;
        assert_eq!(
            decode(&fd, now),
            Some(Subscription::Fd {
                userdata: 0,
                kind: EVENTTYPE_FD_READ
            })
        );
    }
}
