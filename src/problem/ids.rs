//! `<SET>/ids.json`: a set's map from problem directory names to the benchmark's own ids
//! (`{dir_id: original_id}`), written by `sstar import` and read wherever results are reported
//! under the original id (e.g. LiveCodeBench's `question_id` in `submission.json`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::files::{read_regular, Refusal};

/// The mapping file of a set: directory name -> the benchmark's own id, for every problem
/// whose directory name differs from it.
pub const IDS_FILE: &str = "ids.json";

/// Largest `ids.json` read: a few hundred bytes per renamed problem, so room for 100k of them.
const MAX_IDS_BYTES: u64 = 64 << 20;

/// `ids.json` exists but cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum IdsError {
    /// It cannot be read (or is a link, a device, over its cap).
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The mapping file.
        path: PathBuf,
        /// The underlying failure.
        source: std::io::Error,
    },
    /// It is not a JSON object of strings.
    #[error("{}: not a json object of strings: {source}", path.display())]
    Malformed {
        /// The mapping file.
        path: PathBuf,
        /// The JSON parser's error.
        source: serde_json::Error,
    },
}

/// The benchmark id a problem directory was imported from: the `ids.json` entry, else the
/// directory name itself.
pub fn original_id(ids: &BTreeMap<String, String>, dir_id: &str) -> String {
    ids.get(dir_id)
        .cloned()
        .unwrap_or_else(|| dir_id.to_owned())
}

/// `ids.json` read backwards, for files that name problems by the benchmark's ids: the
/// benchmark's id -> the problem directory name.
pub fn dir_ids(ids: &BTreeMap<String, String>) -> BTreeMap<&str, &str> {
    ids.iter()
        .map(|(dir, original)| (original.as_str(), dir.as_str()))
        .collect()
}

/// The directory of a problem named by the benchmark's id (through [`dir_ids`]) or already by
/// its directory name.
pub fn dir_id(dir_ids: &BTreeMap<&str, &str>, id: String) -> String {
    dir_ids.get(id.as_str()).map_or(id, |dir| (*dir).to_owned())
}

/// Reads `<set>/ids.json`; a set without one maps nothing. Like a problem's files, it is read
/// only as a regular file under its cap (never through a link, from a device or a pipe).
pub fn read_ids(set: &Path) -> Result<BTreeMap<String, String>, IdsError> {
    let path = set.join(IDS_FILE);
    match read_regular(&path, MAX_IDS_BYTES) {
        Ok(Some(bytes)) => {
            serde_json::from_slice(&bytes).map_err(|source| IdsError::Malformed { path, source })
        }
        Ok(None) => Ok(BTreeMap::new()),
        Err(Refusal::Io(source)) => Err(IdsError::Read { path, source }),
        Err(refusal @ (Refusal::NotRegular(_) | Refusal::TooLarge)) => Err(IdsError::Read {
            path,
            source: std::io::Error::other(refusal.to_string()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_maps_nothing_and_a_malformed_one_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(read_ids(dir.path()).expect("no file").is_empty());
        std::fs::write(dir.path().join(IDS_FILE), r#"{"a_b": "a/b"}"#).expect("write");
        let ids = read_ids(dir.path()).expect("read");
        assert_eq!(original_id(&ids, "a_b"), "a/b");
        assert_eq!(original_id(&ids, "plain"), "plain");
        let dirs = dir_ids(&ids);
        assert_eq!(dir_id(&dirs, "a/b".into()), "a_b");
        assert_eq!(dir_id(&dirs, "plain".into()), "plain");
        std::fs::write(dir.path().join(IDS_FILE), r#"{"a_b": 1}"#).expect("write");
        let err = read_ids(dir.path()).expect_err("not strings");
        assert!(matches!(err, IdsError::Malformed { .. }), "{err}");
    }

    #[test]
    fn a_linked_or_device_ids_file_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let host = dir.path().join("host.json");
        std::fs::write(&host, r#"{"a": "b"}"#).expect("write");
        let set = dir.path().join("set");
        std::fs::create_dir(&set).expect("mkdir");
        std::os::unix::fs::symlink(&host, set.join(IDS_FILE)).expect("symlink");
        let err = read_ids(&set).expect_err("linked");
        assert!(err.to_string().contains("a symbolic link"), "{err}");
        std::fs::remove_file(set.join(IDS_FILE)).expect("remove");
        std::os::unix::fs::symlink("/dev/zero", set.join(IDS_FILE)).expect("symlink");
        assert!(read_ids(&set).is_err(), "never read until memory runs out");
    }
}
