//! The pre-initialised interpreter every wasm run starts from: CPython started once with the
//! driver loaded and the prelude's modules imported, frozen (a Wizer snapshot of its memory and
//! globals) into a module of its own, then compiled and cached like any module.
//!
//! python.wasm exports only `_start`, which starts CPython, runs `-c` and tears it down, so
//! the module first gets an entry of its own ([`with_entry`]): `sstar-run`, which calls
//! through the function table the function whose index is in the global `sstar-entry`, with
//! the three arguments held in `sstar-arg0..2`. At init ([`freeze`]) the driver's bootstrap
//! ends in `os._exit`, which unwinds the guest with the interpreter live and the GIL held;
//! before that it says where its `_sstar_run` function and the function type are. The host
//! reads the type's `tp_call` slot (`PyVectorcall_Call`, a table index) from guest memory,
//! sets the globals and takes the snapshot. A run is then one call of `sstar-run`:
//! `PyVectorcall_Call(_sstar_run, (), NULL)`, which ends in `os._exit` too. Nothing of one run
//! reaches another: each is a fresh instance of the snapshot.

use std::future::Future;
use std::task::{Context, Poll, Waker};

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{
    CodeSection, ConstExpr, ExportKind, ExportSection, Function, FunctionSection, GlobalSection,
    GlobalType, Instruction, RawSection, TypeSection, ValType,
};
use wasmparser::{Parser, Payload, TypeRef};
use wasmtime::{Instance, Linker, Module, Store, Val};
use wasmtime_wizer::{InstanceState, SnapshotVal, Wizer};

use super::guest::Guest;

/// The export a run calls: `() -> i32` (it never returns normally; see the module docs).
pub(crate) const ENTRY: &str = "sstar-run";

/// The globals [`ENTRY`] reads: the table index of the function it calls, then its arguments.
const ENTRY_GLOBALS: [&str; 4] = ["sstar-entry", "sstar-arg0", "sstar-arg1", "sstar-arg2"];

/// What the interpreter runs at init (`-c`): stdin holds the driver's source, a NUL, then the
/// prelude. The last line the init prints gives the addresses of `_sstar_run`, its type and
/// the empty tuple (the arguments of the call each run makes).
pub(crate) const INIT: &str = "import os, sys
_source, _prelude = sys.stdin.buffer.read().split(b'\\0', 1)
exec(compile(_source, 'worker.py', 'exec'))
_warm(_prelude)
del _source, _prelude
os.write(1, b'sstar-entry %d %d %d\\n' % (id(_sstar_run), id(type(_sstar_run)), id(())))
os._exit(0)
";

/// Where `tp_call` sits in a `PyTypeObject` on wasm32: after the variable-size object header
/// (3 words) and 13 more pointer-sized fields, `tp_name` to `tp_hash`.
const TP_CALL_OFFSET: u32 = 64;

/// `wasm` with custom sections (debug info, names) dropped and the entry added: one function
/// type, one function, four globals and their exports, appended so that no index in the
/// module moves.
pub(crate) fn with_entry(wasm: &[u8]) -> Result<Vec<u8>, String> {
    let bad = |e: wasmparser::BinaryReaderError| format!("cannot read python.wasm: {e}");
    let reencode = |e: wasm_encoder::reencode::Error| format!("cannot re-encode python.wasm: {e}");
    let mut module = wasm_encoder::Module::new();
    let (mut types, mut imported_funcs, mut defined_funcs, mut globals) = (0u32, 0u32, 0u32, 0u32);
    let mut code: Option<CodeSection> = None;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(bad)?;
        if let Some(section) = code.take_if(|_| !matches!(payload, Payload::CodeSectionEntry(_))) {
            module.section(&section);
        }
        let raw = payload.as_section();
        match payload {
            Payload::TypeSection(reader) => {
                let mut section = TypeSection::new();
                RoundtripReencoder
                    .parse_type_section(&mut section, reader)
                    .map_err(reencode)?;
                types = section.len();
                // The callee's type (`PyVectorcall_Call`), then the entry's own.
                section.ty().function([ValType::I32; 3], [ValType::I32]);
                section.ty().function([], [ValType::I32]);
                module.section(&section);
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if matches!(import.map_err(bad)?.ty, TypeRef::Func(_)) {
                        imported_funcs += 1;
                    }
                }
                copy(&mut module, wasm, raw);
            }
            Payload::FunctionSection(reader) => {
                let mut section = FunctionSection::new();
                RoundtripReencoder
                    .parse_function_section(&mut section, reader)
                    .map_err(reencode)?;
                defined_funcs = section.len();
                section.function(types + 1);
                module.section(&section);
            }
            Payload::GlobalSection(reader) => {
                let mut section = GlobalSection::new();
                RoundtripReencoder
                    .parse_global_section(&mut section, reader)
                    .map_err(reencode)?;
                globals = section.len();
                for _ in ENTRY_GLOBALS {
                    let ty = GlobalType {
                        val_type: ValType::I32,
                        mutable: true,
                        shared: false,
                    };
                    section.global(ty, &ConstExpr::i32_const(0));
                }
                module.section(&section);
            }
            Payload::ExportSection(reader) => {
                let mut section = ExportSection::new();
                RoundtripReencoder
                    .parse_export_section(&mut section, reader)
                    .map_err(reencode)?;
                section.export(ENTRY, ExportKind::Func, imported_funcs + defined_funcs);
                for (i, name) in (0u32..).zip(ENTRY_GLOBALS) {
                    section.export(name, ExportKind::Global, globals + i);
                }
                module.section(&section);
            }
            Payload::CodeSectionStart { .. } => code = Some(CodeSection::new()),
            Payload::CodeSectionEntry(body) => {
                let section = code
                    .as_mut()
                    .ok_or("a function body outside the code section")?;
                section.raw(body.as_bytes());
                if section.len() == defined_funcs {
                    let mut entry = Function::new([]);
                    for i in [1, 2, 3, 0] {
                        entry.instruction(&Instruction::GlobalGet(globals + i));
                    }
                    entry.instruction(&Instruction::CallIndirect {
                        type_index: types,
                        table_index: 0,
                    });
                    entry.instruction(&Instruction::End);
                    section.function(&entry);
                }
            }
            Payload::CustomSection(_) | Payload::Version { .. } | Payload::End(_) => {}
            _ => copy(&mut module, wasm, raw),
        }
    }
    Ok(module.finish())
}

/// Copies a section as it is.
fn copy(
    module: &mut wasm_encoder::Module,
    wasm: &[u8],
    section: Option<(u8, std::ops::Range<usize>)>,
) {
    if let Some((id, range)) = section {
        module.section(&RawSection {
            id,
            data: &wasm[range],
        });
    }
}

/// Runs the init of `wasm` (a module [`with_entry`] made) in `store`, whose WASI context gives
/// the init [`INIT`] as `-c` and its input on stdin, and returns the snapshot.
/// `stdout` reads back what the init printed.
pub(crate) fn freeze(
    wasm: &[u8],
    linker: &Linker<Guest>,
    store: &mut Store<Guest>,
    stdout: impl FnOnce() -> Vec<u8>,
    stderr: impl FnOnce() -> Vec<u8>,
) -> Result<Vec<u8>, String> {
    let wizer = Wizer::new();
    let (context, instrumented) = wizer
        .instrument(wasm)
        .map_err(|e| format!("cannot instrument: {e:#}"))?;
    let module = Module::new(store.engine(), &instrumented)
        .map_err(|e| format!("cannot compile the instrumented module: {e:#}"))?;
    let instance = linker
        .instantiate(&mut *store, &module)
        .map_err(|e| format!("cannot instantiate: {e:#}"))?;
    let start = instance
        .get_typed_func::<(), ()>(&mut *store, "_start")
        .map_err(|e| format!("no `_start`: {e:#}"))?;
    let ended = start.call(&mut *store, ());
    let exited = match &ended {
        Err(e) => e
            .downcast_ref::<wasmtime_wasi::I32Exit>()
            .map(|exit| exit.0),
        Ok(()) => None,
    };
    let said = String::from_utf8_lossy(&stdout()).into_owned();
    let entry = said
        .lines()
        .last()
        .and_then(|line| line.strip_prefix("sstar-entry "))
        .and_then(|rest| {
            let numbers: Vec<u32> = rest
                .split(' ')
                .map(|n| n.parse().ok())
                .collect::<Option<_>>()?;
            <[u32; 3]>::try_from(numbers).ok()
        });
    let (Some(0), Some([function, function_type, empty_tuple])) = (exited, entry) else {
        return Err(format!(
            "the interpreter's init did not finish ({}): {}",
            match ended {
                Ok(()) => "it returned".to_owned(),
                Err(e) => format!("{e:#}"),
            },
            String::from_utf8_lossy(&stderr()).trim()
        ));
    };
    let memory = instance
        .get_memory(&mut *store, "memory")
        .ok_or("no exported memory")?;
    let mut slot = [0u8; 4];
    memory
        .read(
            &*store,
            (function_type + TP_CALL_OFFSET) as usize,
            &mut slot,
        )
        .map_err(|e| format!("cannot read the function type's tp_call: {e}"))?;
    // `PyVectorcall_Call(callable, args, kwargs)`: no arguments, no keywords (NULL).
    let values = [u32::from_le_bytes(slot), function, empty_tuple, 0];
    for (name, value) in ENTRY_GLOBALS.into_iter().zip(values) {
        let global = instance
            .get_global(&mut *store, name)
            .ok_or_else(|| format!("no global `{name}`"))?;
        global
            .set(&mut *store, Val::I32(value as i32))
            .map_err(|e| format!("cannot set `{name}`: {e:#}"))?;
    }
    let mut state = Frozen { store, instance };
    ready(wizer.snapshot(&context, &mut state))?.map_err(|e| format!("cannot snapshot: {e:#}"))
}

/// The instance being frozen, as Wizer reads it.
struct Frozen<'a> {
    store: &'a mut Store<Guest>,
    instance: Instance,
}

impl InstanceState for Frozen<'_> {
    fn global_get(
        &mut self,
        name: &str,
        _type_hint: wasmtime_wizer::ValType,
    ) -> impl Future<Output = SnapshotVal> + Send {
        let value = match self.instance.get_global(&mut *self.store, name) {
            Some(global) => global.get(&mut *self.store),
            None => panic!("wizer asked for a global the module does not export: {name}"),
        };
        std::future::ready(match value {
            Val::I32(x) => SnapshotVal::I32(x),
            Val::I64(x) => SnapshotVal::I64(x),
            Val::F32(x) => SnapshotVal::F32(x),
            Val::F64(x) => SnapshotVal::F64(x),
            Val::V128(x) => SnapshotVal::V128(x.as_u128()),
            other => panic!("a global of a type wizer cannot keep: {other:?}"),
        })
    }

    fn memory_contents(
        &mut self,
        name: &str,
        contents: impl FnOnce(&[u8]) + Send,
    ) -> impl Future<Output = ()> + Send {
        match self.instance.get_memory(&mut *self.store, name) {
            Some(memory) => contents(memory.data(&*self.store)),
            None => panic!("wizer asked for a memory the module does not export: {name}"),
        }
        std::future::ready(())
    }
}

/// Runs a future that never waits: Wizer's snapshot is `async` for other hosts, and this
/// crate's [`InstanceState`] answers at once.
fn ready<F: Future>(future: F) -> Result<F::Output, String> {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => Ok(output),
        Poll::Pending => Err("the snapshot waited on something".into()),
    }
}

#[cfg(test)]
mod tests {
    use wasm_encoder::{
        ElementSection, Elements, MemorySection, MemoryType, Module as Encoded, RefType,
        TableSection, TableType,
    };
    use wasmtime::{Engine, Instance, Module, Store};

    use super::*;

    /// A module shaped like python.wasm where it matters: a table holding a three-argument
    /// function (it returns `a * 100 + b * 10 + c`), a memory, an export, a mutable global.
    fn module() -> Vec<u8> {
        let mut types = TypeSection::new();
        types.ty().function([ValType::I32; 3], [ValType::I32]);
        let mut functions = FunctionSection::new();
        functions.function(0);
        let mut tables = TableSection::new();
        tables.table(TableType {
            element_type: RefType::FUNCREF,
            table64: false,
            minimum: 2,
            maximum: Some(2),
            shared: false,
        });
        let mut memories = MemorySection::new();
        memories.memory(MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        let mut globals = GlobalSection::new();
        let ty = GlobalType {
            val_type: ValType::I32,
            mutable: true,
            shared: false,
        };
        globals.global(ty, &ConstExpr::i32_const(7));
        let mut exports = ExportSection::new();
        exports.export("memory", ExportKind::Memory, 0);
        let mut elements = ElementSection::new();
        elements.active(
            Some(0),
            &ConstExpr::i32_const(1),
            Elements::Functions(std::borrow::Cow::Borrowed(&[0])),
        );
        let mut code = CodeSection::new();
        let mut body = Function::new([]);
        for (arg, scale) in [(0, 100), (1, 10), (2, 1)] {
            body.instruction(&Instruction::LocalGet(arg));
            body.instruction(&Instruction::I32Const(scale));
            body.instruction(&Instruction::I32Mul);
            if arg > 0 {
                body.instruction(&Instruction::I32Add);
            }
        }
        body.instruction(&Instruction::End);
        code.function(&body);
        let mut module = Encoded::new();
        module
            .section(&types)
            .section(&functions)
            .section(&tables)
            .section(&memories)
            .section(&globals)
            .section(&exports)
            .section(&elements)
            .section(&code);
        module.finish()
    }

    #[test]
    fn the_entry_calls_the_table_function_its_globals_name_and_nothing_else_moves() {
        let wasm = with_entry(&module()).expect("adds the entry");
        let engine = Engine::default();
        let module = Module::new(&engine, &wasm).expect("valid");
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).expect("instantiates");
        assert!(instance.get_memory(&mut store, "memory").is_some());
        for (name, value) in ENTRY_GLOBALS.into_iter().zip([1, 3, 4, 5]) {
            let global = instance.get_global(&mut store, name).expect(name);
            assert_eq!(global.get(&mut store).i32(), Some(0));
            global.set(&mut store, Val::I32(value)).expect("set");
        }
        let entry = instance
            .get_typed_func::<(), i32>(&mut store, ENTRY)
            .expect("the entry");
        assert_eq!(entry.call(&mut store, ()).expect("runs"), 345);
        // A table index holding no function is a trap, never a call of something else.
        let callee = instance
            .get_global(&mut store, "sstar-entry")
            .expect("global");
        callee.set(&mut store, Val::I32(0)).expect("set");
        assert!(entry.call(&mut store, ()).is_err());
    }
}
