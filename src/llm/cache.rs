//! On-disk answer cache: one JSON file per sample, keyed by a hash of the whole request, written atomically.

use std::io::Write;
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::types::RawAnswer;

/// Bumped when the entry format or the key recipe changes.
const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Entry {
    version: u32,
    key: String,
    answer: RawAnswer,
}

/// The hash naming a request: endpoint and the request body as sent (model,
/// messages, sampling parameters), without the sample count and without any
/// credential.
pub(crate) fn fingerprint(base_url: &str, request: &impl Serialize) -> String {
    let body = serde_json::to_string(request).unwrap_or_default();
    let mut h = Sha256::new();
    h.update(format!("sstar-llm-cache v{FORMAT_VERSION}\n{base_url}\n").as_bytes());
    h.update(body.as_bytes());
    hex::encode(h.finalize())
}

/// The key of sample `index` of the request named `fingerprint`.
pub(crate) fn sample_key(fingerprint: &str, index: u32) -> String {
    let mut h = Sha256::new();
    h.update(fingerprint.as_bytes());
    h.update(format!("\nsample {index}").as_bytes());
    hex::encode(h.finalize())
}

/// A directory of cached answers.
#[derive(Clone, Debug)]
pub(crate) struct ResponseCache {
    dir: PathBuf,
}

impl ResponseCache {
    pub(crate) fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    fn path(&self, key: &str) -> PathBuf {
        let shard = key.get(..2).unwrap_or("00");
        self.dir.join(shard).join(format!("{key}.json"))
    }

    /// The cached answer for `key`; `None` when absent, unreadable or
    /// corrupt (a corrupt entry is overwritten by the next store).
    pub(crate) fn load(&self, key: &str) -> Option<RawAnswer> {
        let path = self.path(key);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot read cached answer");
                return None;
            }
        };
        match serde_json::from_slice::<Entry>(&bytes) {
            Ok(entry) if entry.version == FORMAT_VERSION && entry.key == key => Some(entry.answer),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "ignoring corrupt cached answer");
                None
            }
        }
    }

    /// Stores `answer` under `key`: written to a temporary file in the same
    /// directory, synced, then renamed over the entry, so a kill never leaves
    /// half an entry.
    pub(crate) fn store(&self, key: &str, answer: &RawAnswer) -> Result<(), CacheWriteError> {
        let path = self.path(key);
        let dir = path.parent().unwrap_or(&self.dir);
        let fail = |source: std::io::Error| CacheWriteError {
            path: path.clone(),
            source,
        };
        // Never writable by group or others, whatever the umask: what it holds is believed.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(dir)
            .map_err(fail)?;
        let entry = Entry {
            version: FORMAT_VERSION,
            key: key.to_owned(),
            answer: answer.clone(),
        };
        let bytes = serde_json::to_vec(&entry).map_err(|e| fail(e.into()))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(dir)
            .map_err(fail)?;
        tmp.write_all(&bytes).map_err(fail)?;
        tmp.as_file().sync_all().map_err(fail)?;
        tmp.persist(&path).map_err(|e| fail(e.error))?;
        Ok(())
    }

    /// The cache directory.
    #[cfg(test)]
    pub(crate) fn dir(&self) -> &std::path::Path {
        &self.dir
    }
}

/// A cached answer could not be written (the call itself still succeeds).
#[derive(Debug, thiserror::Error)]
#[error("cannot write cached answer {path}")]
pub(crate) struct CacheWriteError {
    path: PathBuf,
    #[source]
    source: std::io::Error,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    use crate::llm::types::Usage;

    fn answer(text: &str) -> RawAnswer {
        RawAnswer {
            content: Some(text.into()),
            reasoning_content: None,
            finish_reason: Some("stop".into()),
            usage: Usage {
                prompt_tokens: 3,
                completion_tokens: 4,
                reasoning_tokens: 0,
                cached_tokens: 0,
            },
            latency_ms: 5,
        }
    }

    #[test]
    fn keys_depend_on_request_endpoint_and_index() {
        let a = fingerprint("http://a/v1", &serde_json::json!({"model": "m"}));
        let b = fingerprint("http://b/v1", &serde_json::json!({"model": "m"}));
        let c = fingerprint("http://a/v1", &serde_json::json!({"model": "n"}));
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_ne!(sample_key(&a, 0), sample_key(&a, 1));
        assert_eq!(sample_key(&a, 1), sample_key(&a, 1));
    }

    #[test]
    fn store_then_load() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = ResponseCache::new(dir.path().join("cache"));
        let key = sample_key(&fingerprint("u", &1), 0);
        assert_eq!(cache.load(&key), None);
        cache.store(&key, &answer("hi")).expect("stores");
        assert_eq!(cache.load(&key), Some(answer("hi")));
        cache.store(&key, &answer("again")).expect("overwrites");
        assert_eq!(cache.load(&key), Some(answer("again")));
        let leftovers: Vec<_> = walk(cache.dir())
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(".tmp"))
            })
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn corrupt_entries_are_ignored_then_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = ResponseCache::new(dir.path().to_owned());
        let key = sample_key(&fingerprint("u", &2), 0);
        let path = cache.path(&key);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, b"{\"version\":1,\"key\":").expect("write");
        assert_eq!(cache.load(&key), None);
        cache.store(&key, &answer("fixed")).expect("stores");
        assert_eq!(cache.load(&key), Some(answer("fixed")));
    }

    #[test]
    fn an_entry_under_the_wrong_name_is_not_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = ResponseCache::new(dir.path().to_owned());
        let k1 = sample_key("f", 0);
        let k2 = sample_key("f", 1);
        cache.store(&k1, &answer("one")).expect("stores");
        std::fs::create_dir_all(cache.path(&k2).parent().expect("parent")).expect("mkdir");
        std::fs::copy(cache.path(&k1), cache.path(&k2)).expect("copy");
        assert_eq!(cache.load(&k2), None);
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
