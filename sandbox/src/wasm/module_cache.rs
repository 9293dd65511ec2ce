//! Compiling the interpreter's snapshot once: the machine code is kept on disk as a `.cwasm`
//! under the sstar cache directory, keyed by everything that makes it valid (a key naming what
//! the module was made from, the engine's precompile-compatibility hash, which covers the
//! wasmtime version, its configuration and the host CPU's features, and this file's format),
//! written atomically, and checked against
//! its own digest before wasmtime maps it: a torn or corrupted file is compiled again, never
//! loaded (loading a `.cwasm` runs its machine code as is).

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::{Engine, Module};

use crate::pool::SandboxError;

/// Opens every cache file; the format version is the last byte.
const MAGIC: &[u8; 8] = b"sstarcw\x01";
const DIGEST: usize = 32;

/// How the compiled module was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Compiled {
    /// Loaded from the cache file.
    Cached,
    /// Compiled; the cache file was absent.
    Fresh,
    /// Compiled; the cache file was unusable for the reason given, and was replaced.
    Replaced(String),
    /// Compiled; there is no private cache directory to keep it in.
    Uncached,
}

/// The module `make` builds (`key` names everything it is made from) compiled for `engine`,
/// from the cache directory `dir` if it holds a valid copy, else built and compiled (and
/// stored there when `dir` is given). Processes starting at once build it once: the builder
/// holds a lock beside the file, and the others wait for it and then load its work.
pub(crate) fn load(
    engine: &Engine,
    key: &str,
    dir: Option<&Path>,
    make: impl FnOnce() -> Result<Vec<u8>, SandboxError>,
) -> Result<(Module, Compiled), SandboxError> {
    let Some(dir) = dir else {
        return Ok((compile(engine, &make()?)?, Compiled::Uncached));
    };
    let path = cache_file(engine, key, dir);
    if let Ok(module) = cached(engine, &path) {
        return Ok((module, Compiled::Cached));
    }
    let lock_path = path.with_extension("lock");
    let _lock = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .and_then(|file| file.lock().map(|()| file))
        .inspect_err(|e| tracing::warn!("cannot lock {}: {e}", lock_path.display()));
    let problem = match cached(engine, &path) {
        Ok(module) => return Ok((module, Compiled::Cached)),
        Err(problem) => problem,
    };
    if let Some(problem) = &problem {
        tracing::warn!(
            "rebuilding the python.wasm snapshot: cache file {}: {problem}",
            path.display()
        );
    }
    let module = compile(engine, &make()?)?;
    let stored = module
        .serialize()
        .map_err(|e| e.to_string())
        .and_then(|payload| store(&path, &payload).map_err(|e| e.to_string()));
    if let Err(e) = stored {
        tracing::warn!(
            "cannot keep the compiled python.wasm snapshot in {}: {e}",
            path.display()
        );
    }
    Ok((module, problem.map_or(Compiled::Fresh, Compiled::Replaced)))
}

/// The module kept at `path`, or why not (`None`: there is no file).
fn cached(engine: &Engine, path: &Path) -> Result<Module, Option<String>> {
    let bytes = match std::fs::read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(None),
        Err(e) => return Err(Some(e.to_string())),
        Ok(bytes) => bytes,
    };
    let payload = verified(&bytes).map_err(Some)?;
    // SAFETY: the bytes are exactly what `Module::serialize` wrote for an engine with the same
    // compatibility hash (it is in the file name), as the digest stored with them proves; the
    // cache directory is private to this user (see `private_dir`).
    unsafe { Module::deserialize(engine, payload) }.map_err(|e| Some(format!("{e:#}")))
}

fn compile(engine: &Engine, wasm: &[u8]) -> Result<Module, SandboxError> {
    Module::new(engine, wasm)
        .map_err(|e| SandboxError::Wasm(format!("cannot compile the python.wasm snapshot: {e:#}")))
}

/// `snapshot-<hash>.cwasm`, the hash covering the key, the engine and the file format.
pub(crate) fn cache_file(engine: &Engine, key_text: &str, dir: &Path) -> PathBuf {
    let mut engine_hash = std::collections::hash_map::DefaultHasher::new();
    engine
        .precompile_compatibility_hash()
        .hash(&mut engine_hash);
    let mut key = Sha256::new();
    key.update(key_text.as_bytes());
    key.update(engine_hash.finish().to_le_bytes());
    key.update(MAGIC);
    let key = hex::encode(key.finalize());
    dir.join(format!("snapshot-{}.cwasm", &key[..32]))
}

/// The payload of a cache file, if its header and digest hold.
fn verified(bytes: &[u8]) -> Result<&[u8], String> {
    let header = MAGIC.len() + DIGEST;
    if bytes.len() < header || &bytes[..MAGIC.len()] != MAGIC {
        return Err("not a cache file of this version".into());
    }
    let (digest, payload) = bytes[MAGIC.len()..].split_at(DIGEST);
    if Sha256::digest(payload).as_slice() != digest {
        return Err("digest mismatch (torn or corrupted)".into());
    }
    Ok(payload)
}

/// Writes the cache file through a temporary file in the same directory and a rename, so a
/// reader sees the old file, the new one, or none, never a part.
fn store(path: &Path, payload: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(MAGIC)?;
    file.write_all(&Sha256::digest(payload))?;
    file.write_all(payload)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest valid module: the header and no sections.
    const EMPTY_MODULE: &[u8] = b"\0asm\x01\0\0\0";

    #[test]
    fn a_second_load_uses_the_cache_and_a_corrupted_file_is_recompiled() {
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = super::super::engine::engine().expect("engine");
        let load = || {
            load(&engine, "empty", Some(dir.path()), || {
                Ok(EMPTY_MODULE.to_vec())
            })
            .expect("load")
            .1
        };
        assert_eq!(load(), Compiled::Fresh);
        assert_eq!(load(), Compiled::Cached);
        let path = cache_file(&engine, "empty", dir.path());
        let mut bytes = std::fs::read(&path).expect("read");
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&path, &bytes).expect("corrupt");
        assert!(matches!(load(), Compiled::Replaced(why) if why.contains("digest")));
        assert_eq!(load(), Compiled::Cached);
        std::fs::write(&path, &bytes[..20]).expect("truncate");
        assert!(matches!(load(), Compiled::Replaced(_)));
        assert_eq!(load(), Compiled::Cached);
        // Another module, another file.
        assert_ne!(cache_file(&engine, "other", dir.path()), path);
    }
}
