//! The `wasm` backend: CPython compiled to wasm32-wasi, run by wasmtime (cargo feature `wasm`).

mod engine;
mod limits;
mod module_cache;
mod poll;
mod runtime;
mod streams;

pub use limits::FUEL_PER_CPU_MS;
#[cfg(test)]
pub(crate) use module_cache::Compiled;
pub(crate) use runtime::WasmRuntime;

#[cfg(test)]
mod tests;
