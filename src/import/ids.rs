//! Problem ids: a benchmark's id kept as the directory name when it is a safe one, else a
//! sanitised name recorded in `<SET>/ids.json` (the format lives in [`crate::problem`], where
//! the pipeline and eval read it too).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::error::{ImportError, SkipReason};
use crate::problem::{original_id, read_ids, IDS_FILE};

const MAX_LEN: usize = 100;

/// A directory name safe on every filesystem and shell: ASCII letters, digits, `_`, `-`, `.`,
/// other runs replaced by `_`, no leading or trailing punctuation, at most 100 bytes.
pub(crate) fn sanitize(original: &str) -> String {
    let mut out = String::with_capacity(original.len());
    for c in original.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_matches(|c| matches!(c, '_' | '-' | '.'));
    let mut safe: String = trimmed.chars().take(MAX_LEN).collect();
    safe.truncate(safe.trim_end_matches(['_', '-', '.']).len());
    if safe.is_empty() {
        "problem".to_owned()
    } else {
        safe
    }
}

/// Hands out directory names for one import, consistent with what the set already maps.
#[derive(Debug, Default)]
pub(crate) struct IdAllocator {
    /// dir id -> original id, for the set as it was plus this import.
    taken: HashMap<String, String>,
    /// Entries of `ids.json` (only the renamed ones).
    renamed: BTreeMap<String, String>,
    /// Originals seen in this import.
    seen: HashMap<String, String>,
}

impl IdAllocator {
    /// Starts from the set's existing problems and mapping.
    pub fn for_set(set: &Path) -> Result<Self, ImportError> {
        let renamed = read_ids(set)?;
        let mut taken: HashMap<String, String> = HashMap::new();
        if let Ok(entries) = std::fs::read_dir(set) {
            for entry in entries.flatten() {
                if entry.path().join("problem.toml").is_file() {
                    if let Some(name) = entry.file_name().to_str() {
                        taken.insert(name.to_owned(), original_id(&renamed, name));
                    }
                }
            }
        }
        Ok(Self {
            taken,
            renamed,
            seen: HashMap::new(),
        })
    }

    /// The directory for `original`: its own name when safe, else a sanitised one made unique
    /// with a `-2`, `-3`, ... suffix. A directory already holding the same original is reused.
    pub fn allocate(&mut self, original: &str) -> Result<String, SkipReason> {
        if self.seen.contains_key(original) {
            return Err(SkipReason::DuplicateId(original.to_owned()));
        }
        let base = sanitize(original);
        let mut dir = base.clone();
        let mut n = 1;
        while self.taken.get(&dir).is_some_and(|o| o != original) {
            n += 1;
            dir = format!("{base}-{n}");
        }
        self.taken.insert(dir.clone(), original.to_owned());
        self.seen.insert(original.to_owned(), dir.clone());
        if dir == original {
            self.renamed.remove(&dir);
        } else {
            self.renamed.insert(dir.clone(), original.to_owned());
        }
        Ok(dir)
    }

    /// Writes `ids.json` when any problem's directory name differs from its original id
    /// (entries for directories that hold no problem, e.g. skipped rows, are left out).
    pub fn write(&self, set: &Path) -> Result<(), ImportError> {
        let path = set.join(IDS_FILE);
        let renamed: BTreeMap<&String, &String> = self
            .renamed
            .iter()
            .filter(|(dir, _)| set.join(dir).join("problem.toml").is_file())
            .collect();
        if renamed.is_empty() {
            return match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(ImportError::Write { path, source: e })
                }
                _ => Ok(()),
            };
        }
        let mut text = serde_json::to_string_pretty(&renamed).map_err(|e| ImportError::Write {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        text.push('\n');
        std::fs::write(&path, text).map_err(ImportError::write(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_ids_are_kept_and_others_sanitised() {
        assert_eq!(sanitize("abc301_a"), "abc301_a");
        assert_eq!(sanitize("2727"), "2727");
        assert_eq!(sanitize("HumanEval/0"), "HumanEval_0");
        assert_eq!(sanitize("Mbpp/2"), "Mbpp_2");
        assert_eq!(
            sanitize("1548_E. Gregor and the Two Painters"),
            "1548_E._Gregor_and_the_Two_Painters"
        );
        assert_eq!(sanitize("../../etc"), "etc");
        assert_eq!(sanitize("///"), "problem");
        assert_eq!(sanitize(&"x".repeat(300)).len(), MAX_LEN);
    }

    #[test]
    fn collisions_get_suffixes_and_duplicates_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut ids = IdAllocator::for_set(dir.path()).expect("empty set");
        assert_eq!(ids.allocate("a/b").expect("new"), "a_b");
        assert_eq!(ids.allocate("a b").expect("new"), "a_b-2");
        assert_eq!(ids.allocate("plain").expect("new"), "plain");
        assert_eq!(ids.allocate("never/written").expect("new"), "never_written");
        assert_eq!(
            ids.allocate("a/b"),
            Err(SkipReason::DuplicateId("a/b".into()))
        );
        for written in ["a_b", "a_b-2", "plain"] {
            std::fs::create_dir_all(dir.path().join(written)).expect("mkdir");
            std::fs::write(dir.path().join(written).join("problem.toml"), "").expect("write");
        }
        ids.write(dir.path()).expect("write");
        let written = read_ids(dir.path()).expect("read");
        assert_eq!(written.len(), 2, "{written:?}");
        assert_eq!(original_id(&written, "a_b-2"), "a b");
        assert_eq!(original_id(&written, "plain"), "plain");
    }

    #[test]
    fn reimport_reuses_the_directory_of_the_same_original() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("a_b")).expect("mkdir");
        std::fs::write(dir.path().join("a_b/problem.toml"), "").expect("write");
        std::fs::write(dir.path().join(IDS_FILE), r#"{"a_b": "a/b"}"#).expect("write");
        let mut ids = IdAllocator::for_set(dir.path()).expect("set");
        assert_eq!(ids.allocate("a b").expect("other"), "a_b-2");
        assert_eq!(ids.allocate("a/b").expect("same"), "a_b");
    }
}
