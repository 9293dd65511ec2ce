//! The `wasm` backend: CPython compiled to wasm32-wasi, run by wasmtime (cargo feature `wasm`).
//!
//! Each run is a fresh instance of one snapshot (`snapshot`): python.wasm (the VMware Wasm Labs
//! CPython 3.12.0 build, standard library packed inside) started once as `python -S -c INIT`
//! with `PYTHONHASHSEED=0`, the driver (`python/wasm_driver.py`) loaded and the prelude's
//! modules imported, then frozen. A run maps the snapshot's memory copy-on-write and calls the
//! driver, so it costs milliseconds, not CPython's start; nothing of one run reaches the next.
//! The guest has no environment, stdin, stdout and stderr in memory, fixed "random" bytes, no
//! network, and two read-only directories: `/` (its working directory), a private host
//! directory holding the run's `Execution::files` or an empty one, and the pinned packages'
//! store at `/.sstar-packages`, of which only the packages the run asks for are on
//! `sys.path`. The driver runs a program through the runner the process worker runs it
//! through too (`python/runner.py`), so verdicts are the same; `limits` says how the limits
//! map.
//!
//! What this build cannot do like CPython on Linux, and what a program then gets:
//!
//! - **Deep recursion through C frames** (`functools.lru_cache`, `sorted`/`map` callbacks
//!   recursing) overflows the guest's small, fixed C stack at a depth of about 75: a runtime
//!   error whose detail says so (`C_STACK_EXHAUSTED`). Deep `repr`, `json` or `pickle` of
//!   nested data stops at the build's C recursion limit (500) with a `RecursionError` whose
//!   detail says so too. Plain Python recursion is fine (it does not use the C stack in 3.12).
//! - **Threads** cannot start: a started `threading.Thread` runs its target to completion at
//!   once, so `stack_size` + `Thread(target=main).start()` works; threads that wait for one
//!   another (queues, executors) spin until the CPU limit (a time limit). `_thread` used
//!   directly raises `RuntimeError: can't start new thread`.
//! - **Processes, sockets, ctypes, `resource`, `multiprocessing`, `mmap`, `lzma`, numpy** are
//!   absent: the usual `ImportError`/`OSError` traceback (a runtime error).
//! - **Writing files** fails (`PermissionError`): the working directory is read-only.
//!   `/dev/stdin` and the like do not exist (`open(0)` and `sys.stdin` work).
//! - **wasm32**: `sys.maxsize` is 2**31-1, so one object above 2 GiB raises `OverflowError`,
//!   and memory cannot pass 4 GiB whatever the limit; string hashes differ from 64-bit
//!   CPython, so the iteration order of sets of strings can differ from the process backend.
//! - **Speed**: 6-10x slower than native in wall time; CPU limits are counted in fuel and
//!   scaled (see `limits`), so verdicts do not depend on it.

mod engine;
mod guest;
mod host_calls;
mod limits;
mod module_cache;
mod runtime;
mod snapshot;
mod streams;

pub use limits::FUEL_PER_CPU_MS;
#[cfg(test)]
pub(crate) use module_cache::Compiled;
pub(crate) use runtime::WasmRuntime;

#[cfg(test)]
mod tests;
