//! Which shards of `solve --shard K/N` a merge was given: the missing ones, the repeated ones,
//! and runs that do not belong to the split.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::schema::Shard;

/// What a merge's inputs cover of their split(s); empty when every input is unsharded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShardCoverage {
    /// Every N seen (more than one: runs of different splits were mixed).
    pub counts: BTreeSet<usize>,
    /// Shards of a seen split that no input is.
    pub missing: Vec<Shard>,
    /// Shards given more than once, with the runs that claim them.
    pub repeated: BTreeMap<Shard, Vec<PathBuf>>,
    /// Inputs made without `--shard`, when others were sharded.
    pub unsharded: Vec<PathBuf>,
}

impl ShardCoverage {
    /// Checks `runs` (directory, recorded shard).
    pub fn of(runs: &[(PathBuf, Option<Shard>)]) -> Self {
        let mut by_shard: BTreeMap<Shard, Vec<PathBuf>> = BTreeMap::new();
        let mut unsharded = Vec::new();
        for (dir, shard) in runs {
            match shard {
                Some(shard) => by_shard.entry(*shard).or_default().push(dir.clone()),
                None => unsharded.push(dir.clone()),
            }
        }
        if by_shard.is_empty() {
            return Self::default();
        }
        let counts: BTreeSet<usize> = by_shard.keys().map(|s| s.count).collect();
        let missing = counts
            .iter()
            .flat_map(|&count| (1..=count).map(move |index| Shard { index, count }))
            .filter(|s| !by_shard.contains_key(s))
            .collect();
        let repeated = by_shard.into_iter().filter(|(_, d)| d.len() > 1).collect();
        Self {
            counts,
            missing,
            repeated,
            unsharded,
        }
    }

    /// Nothing to warn about.
    pub fn is_complete(&self) -> bool {
        self.counts.len() <= 1
            && self.missing.is_empty()
            && self.repeated.is_empty()
            && self.unsharded.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(index: usize, count: usize) -> Option<Shard> {
        Some(Shard { index, count })
    }

    #[test]
    fn names_missing_repeated_and_foreign_runs() {
        let runs = [
            ("a".into(), shard(1, 4)),
            ("b".into(), shard(3, 4)),
            ("c".into(), shard(3, 4)),
            ("d".into(), None),
        ];
        let c = ShardCoverage::of(&runs);
        assert_eq!(c.missing, [shard(2, 4).unwrap(), shard(4, 4).unwrap()]);
        assert_eq!(
            c.repeated[&shard(3, 4).unwrap()],
            [PathBuf::from("b"), PathBuf::from("c")]
        );
        assert_eq!(c.unsharded, [PathBuf::from("d")]);
        assert!(!c.is_complete());
        let whole = ShardCoverage::of(&[("a".into(), shard(1, 2)), ("b".into(), shard(2, 2))]);
        assert!(whole.is_complete());
        assert!(ShardCoverage::of(&[("a".into(), None), ("b".into(), None)]).is_complete());
    }
}
