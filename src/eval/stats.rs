//! Confidence intervals leaderboard users ask for: Wilson intervals for a pass rate, and a
//! paired-difference interval for comparing two runs on the same problems.

use serde::{Deserialize, Serialize};

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A rate with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub rate: f64,
    pub low: f64,
    pub high: f64,
    pub successes: usize,
    pub count: usize,
}

/// Wilson score interval: well-behaved at 0%, 100% and small counts, unlike the normal one.
pub fn wilson(successes: usize, count: usize) -> Rate {
    if count == 0 {
        return Rate {
            rate: 0.0,
            low: 0.0,
            high: 0.0,
            successes,
            count,
        };
    }
    let n = count as f64;
    let p = successes as f64 / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    Rate {
        rate: p,
        low: (centre - half).max(0.0),
        high: (centre + half).min(1.0),
        successes,
        count,
    }
}

/// Run A minus run B on the problems both solved-or-not: mean paired difference of pass@1
/// with a 95% interval (normal approximation on the per-problem differences).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairedDifference {
    pub difference: f64,
    pub low: f64,
    pub high: f64,
    /// Problems only A passes, only B passes, and both / neither.
    pub only_a: usize,
    pub only_b: usize,
    pub same: usize,
    pub count: usize,
}

pub fn paired(pairs: &[(bool, bool)]) -> PairedDifference {
    let n = pairs.len();
    let only_a = pairs.iter().filter(|(a, b)| *a && !*b).count();
    let only_b = pairs.iter().filter(|(a, b)| !*a && *b).count();
    if n == 0 {
        return PairedDifference {
            difference: 0.0,
            low: 0.0,
            high: 0.0,
            only_a,
            only_b,
            same: 0,
            count: 0,
        };
    }
    let nf = n as f64;
    let mean = (only_a as f64 - only_b as f64) / nf;
    // Differences are +1, -1 or 0: their sample variance in closed form.
    let second_moment = (only_a + only_b) as f64 / nf;
    let variance = if n > 1 {
        (second_moment - mean * mean) * nf / (nf - 1.0)
    } else {
        0.0
    };
    let half = Z95 * (variance.max(0.0) / nf).sqrt();
    PairedDifference {
        difference: mean,
        low: (mean - half).max(-1.0),
        high: (mean + half).min(1.0),
        only_a,
        only_b,
        same: n - only_a - only_b,
        count: n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_known_value() {
        // 8 of 10: Wilson 95% interval is about [0.490, 0.943].
        let r = wilson(8, 10);
        assert!(
            (r.low - 0.4902).abs() < 1e-3 && (r.high - 0.9433).abs() < 1e-3,
            "{r:?}"
        );
        let zero = wilson(0, 20);
        assert_eq!(zero.low, 0.0);
        assert!(zero.high > 0.1 && zero.high < 0.2);
    }

    #[test]
    fn paired_difference_counts_discordant_problems() {
        let pairs = [
            (true, false),
            (true, false),
            (false, true),
            (true, true),
            (false, false),
        ];
        let d = paired(&pairs);
        assert_eq!((d.only_a, d.only_b, d.same), (2, 1, 2));
        assert!((d.difference - 0.2).abs() < 1e-12);
        assert!(
            d.low < 0.0 && d.high > 0.2,
            "five problems cannot settle it: {d:?}"
        );
        let identical = paired(&[(true, true), (false, false)]);
        assert_eq!((identical.low, identical.high), (0.0, 0.0));
    }
}
