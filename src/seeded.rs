//! Seeded randomness that draws the same on every machine and build (`--select-seed`, input
//! mutation, tournament order): ChaCha8, whose output the algorithm fixes, seeded with the
//! seed's eight little-endian bytes and zeros. rand's `StdRng` promises no such thing, and
//! its `seed_from_u64` expands a seed by a rule of its own.

use rand::SeedableRng;

/// The generator behind every seeded choice.
pub type SeededRng = rand_chacha::ChaCha8Rng;

/// The generator for `seed`.
pub fn seeded(seed: u64) -> SeededRng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    SeededRng::from_seed(key)
}

#[cfg(test)]
mod tests {
    use rand::seq::SliceRandom;
    use rand::{Rng, RngCore};

    use super::*;

    /// Pinned draws: a change of generator, seeding or rand's shuffle and range rules (which a
    /// rand upgrade may bring) changes what `--select-seed` picks, and must be seen here.
    #[test]
    fn a_seed_draws_what_it_always_drew() {
        let mut rng = seeded(42);
        let words: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(words, PINNED_WORDS);
        let mut order: Vec<u32> = (0..10).collect();
        order.shuffle(&mut seeded(7));
        assert_eq!(order, PINNED_SHUFFLE);
        let mut rng = seeded(0);
        let picks: Vec<usize> = (0..5).map(|_| rng.gen_range(0..100)).collect();
        assert_eq!(picks, PINNED_RANGE);
    }

    const PINNED_WORDS: [u64; 3] = [
        6424161053832095879,
        5270208426312333099,
        9102960255288774902,
    ];
    const PINNED_SHUFFLE: [u32; 10] = [6, 2, 3, 1, 8, 5, 7, 0, 4, 9];
    const PINNED_RANGE: [usize; 5] = [83, 63, 23, 11, 25];
}
