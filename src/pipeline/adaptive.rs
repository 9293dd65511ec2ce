//! Adaptive sampling: samples (or given candidates, in the file's order) are taken in waves,
//! and sampling stops once more of them are unlikely to change the pick.
//!
//! The rule, after each wave: group the programs that pass the public tests by behaviour on
//! the synthesized inputs, and stop when the largest group's lead over the next is clear. A
//! group of `a` programs against one of `b` is clear when, with a uniform prior on the
//! leader's share of the two, the posterior puts that share above one half with probability
//! [`CONFIDENCE`] (Adaptive-Consistency's Beta rule): 4 against 0, 6 against 1, 8 against 2.
//! Sampling also stops when the samples left under the cap could not close the gap.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::context::{Context, Counters};
use super::generate::{generate_and_debug, FinalProgram};
use super::select::groups::{group_candidates, BATCH};
use super::select::inputs::{synthesize, SynthInput};
use super::solve::judge_given;
use crate::judge::JudgeError;
use crate::problem::Problem;
use crate::program::Program;
pub use crate::schema::SamplingStop;

/// Samples drawn (or candidates taken) at a time.
pub const WAVE: usize = 4;

/// How sure the leading group must be of leading (see the module's rule).
pub const CONFIDENCE: f64 = 0.95;

/// Stage 1's programs, however they were taken.
pub struct Sampled {
    /// Every sample's last program, in sample order.
    pub finals: Vec<FinalProgram>,
    /// Samples drawn or candidates taken.
    pub used: usize,
    pub stopped: SamplingStop,
    /// Inputs synthesized to apply the rule, for selection to reuse.
    pub inputs: Option<Vec<SynthInput>>,
}

/// Takes samples in waves of [`WAVE`] (from `given` when set) until the rule holds, at most
/// `cap` of them (no more than `given` holds).
pub async fn sample(
    ctx: &Context,
    problem: &Arc<Problem>,
    given: Option<Vec<Program>>,
    cap: usize,
    counter: &Counters,
) -> Result<Sampled, JudgeError> {
    let mut sampled = Sampled {
        finals: Vec::new(),
        used: 0,
        stopped: SamplingStop::MaxSamples,
        inputs: None,
    };
    // Given candidates cost the model nothing: only drawn samples stop for a budget.
    let drawn = given.is_none();
    while sampled.used < cap {
        if drawn && counter.exhausted().is_some() {
            sampled.stopped = SamplingStop::Budget;
            break;
        }
        let wave = sampled.used..(sampled.used + WAVE).min(cap);
        let answers = counter.answers.load(Ordering::Relaxed);
        let new = match &given {
            Some(programs) => {
                judge_given(ctx, problem, &programs[wave.clone()], wave.start, counter).await?
            }
            None => generate_and_debug(ctx, problem, wave.clone(), counter)
                .await?
                .into_iter()
                .flatten()
                .collect(),
        };
        sampled.finals.extend(new);
        sampled.used = wave.end;
        if drawn && counter.answers.load(Ordering::Relaxed) == answers {
            sampled.stopped = if counter.exhausted().is_some() {
                SamplingStop::Budget
            } else {
                SamplingStop::ModelError
            };
            break;
        }
        if settled(ctx, problem, &mut sampled, cap, counter).await? {
            sampled.stopped = SamplingStop::Agreement;
            break;
        }
    }
    if drawn && sampled.stopped == SamplingStop::MaxSamples && counter.exhausted().is_some() {
        sampled.stopped = SamplingStop::Budget;
    }
    Ok(sampled)
}

/// Whether the programs so far satisfy the stopping rule.
async fn settled(
    ctx: &Context,
    problem: &Arc<Problem>,
    sampled: &mut Sampled,
    cap: usize,
    counter: &Counters,
) -> Result<bool, JudgeError> {
    let candidates: Vec<&FinalProgram> = sampled
        .finals
        .iter()
        .filter(|f| f.passes_public())
        .collect();
    if candidates.len() < 2 {
        return Ok(false);
    }
    let mut codes: Vec<&str> = candidates.iter().map(|c| &*c.program.code).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut sizes = if codes.len() == 1 {
        vec![candidates.len()]
    } else {
        if sampled.inputs.is_none() {
            sampled.inputs = Some(synthesize(ctx, problem, counter).await?);
        }
        // The rule looks at the first inputs and one ladder batch: enough to see who agrees,
        // and the runs are remembered for selection, which goes on down the ladder once.
        let inputs = sampled.inputs.as_deref().unwrap_or_default();
        let first = inputs.iter().take_while(|i| !i.source.is_ladder()).count();
        let inputs = &inputs[..(first + BATCH).min(inputs.len())];
        let behaviours = group_candidates(ctx, problem, &candidates, inputs, counter).await?;
        behaviours.groups.iter().map(|g| g.members.len()).collect()
    };
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let (lead, next) = (
        sizes.first().copied().unwrap_or(0),
        sizes.get(1).copied().unwrap_or(0),
    );
    let left = cap - sampled.used;
    tracing::debug!(
        "{}: {} samples, public-passing groups {sizes:?}",
        problem.id,
        sampled.used
    );
    Ok(clear_lead(lead, next) || (left > 0 && lead > next + left))
}

/// Whether `a` programs against `b` lead clearly: P(p > 1/2) for p ~ Beta(a + 1, b + 1),
/// which is P(Binomial(a + b + 1, 1/2) <= a), at least [`CONFIDENCE`].
pub fn clear_lead(a: usize, b: usize) -> bool {
    let n = a + b + 1;
    // C(n, k) / 2^n term by term; 2^-n stays a normal f64 up to n = 1022.
    let mut term = 0.5f64.powi(n as i32);
    let mut sum = 0.0;
    for k in 0..=a {
        sum += term;
        term *= (n - k) as f64 / (k + 1) as f64;
    }
    sum >= CONFIDENCE
}

#[cfg(test)]
mod tests {
    use super::clear_lead;

    #[test]
    fn a_lead_is_clear_at_four_to_none_six_to_one_and_eight_to_two() {
        assert!(!clear_lead(3, 0));
        assert!(clear_lead(4, 0));
        assert!(!clear_lead(5, 1));
        assert!(clear_lead(6, 1));
        assert!(!clear_lead(7, 2));
        assert!(clear_lead(8, 2));
        assert!(!clear_lead(10, 10));
        assert!(clear_lead(60, 35));
    }
}
