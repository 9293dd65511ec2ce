//! Pairwise judgement between behaviour groups (S*'s adaptive selection): for each pair, an
//! input where they differ, both programs and both real outputs shown to the model, asked
//! twice with A and B swapped. Inconsistent answers are ties. Round robin scoring.

use std::sync::Arc;

use futures::future::join_all;
use serde::Serialize;

use super::behaviour::{Behaviour, Failure};
use super::context::{Context, Counters};
use super::generate::FinalProgram;
use super::groups::Group;
use super::inputs::{Source, SynthInput};
use super::prompts;
use crate::llm::{extract_verdict, CompletionRequest, Role, Winner};
use crate::problem::Problem;

/// One pair's result, as `selection.json` records it.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub a: usize,
    pub b: usize,
    /// Index of the synthesized input shown (none for code-only judging).
    pub input: Option<usize>,
    /// The model's answers: asked as (A, B), then swapped (B shown as A).
    pub answers: [Option<char>; 2],
    pub winner: Option<usize>,
    /// `model`, `time_limit` (the other timed out on the stress input) or `tie`.
    pub decided_by: &'static str,
}

/// Compares every pair of `groups[..]` (indices into `groups`) using real outputs.
pub async fn by_execution(
    ctx: &Context,
    problem: &Arc<Problem>,
    candidates: &[&FinalProgram],
    groups: &[Group],
    kept: &[usize],
    inputs: &[SynthInput],
    counter: &Counters,
) -> Vec<Comparison> {
    let pairs = pairs(groups.len());
    join_all(pairs.into_iter().map(|(a, b)| async move {
        let (ga, gb) = (&groups[a], &groups[b]);
        let differing: Vec<usize> = (0..kept.len())
            // Differing by the checker's rule, either way round (a tolerance is relative).
            .filter(|&k| {
                !(ga.signature[k].agrees(&gb.signature[k])
                    && gb.signature[k].agrees(&ga.signature[k]))
            })
            .collect();
        let timed_out =
            |g: &Group, k: usize| g.signature[k] == Behaviour::Failed(Failure::TimeLimit);
        // A time limit on the stress input counts against a group without asking anyone.
        for &k in &differing {
            if inputs[kept[k]].source == Source::Stress && timed_out(ga, k) != timed_out(gb, k) {
                let winner = if timed_out(ga, k) { b } else { a };
                return Comparison {
                    a,
                    b,
                    input: Some(kept[k]),
                    answers: [None, None],
                    winner: Some(winner),
                    decided_by: "time_limit",
                };
            }
        }
        // Show the smallest ordinary input where they differ.
        let Some(&k) = differing.iter().min_by_key(|&&k| {
            (
                inputs[kept[k]].source == Source::Stress,
                inputs[kept[k]].data.len(),
            )
        }) else {
            return Comparison {
                a,
                b,
                input: None,
                answers: [None, None],
                winner: None,
                decided_by: "tie",
            };
        };
        let input = &inputs[kept[k]].data;
        let code = |g: &Group| &*candidates[g.representative()].code;
        let first = prompts::pairwise(
            problem,
            (code(ga), &ga.shown[k].shown),
            (code(gb), &gb.shown[k].shown),
            input,
        );
        let second = prompts::pairwise(
            problem,
            (code(gb), &gb.shown[k].shown),
            (code(ga), &ga.shown[k].shown),
            input,
        );
        let answers = ask_both(ctx, problem, counter, first, second).await;
        decide(a, b, Some(kept[k]), answers)
    }))
    .await
}

/// `llm-judge`: compares programs from their code alone.
pub async fn by_code(
    ctx: &Context,
    problem: &Arc<Problem>,
    codes: &[&str],
    counter: &Counters,
) -> Vec<Comparison> {
    join_all(pairs(codes.len()).into_iter().map(|(a, b)| async move {
        let first = prompts::pairwise_code_only(problem, codes[a], codes[b]);
        let second = prompts::pairwise_code_only(problem, codes[b], codes[a]);
        decide(
            a,
            b,
            None,
            ask_both(ctx, problem, counter, first, second).await,
        )
    }))
    .await
}

pub(crate) fn pairs(n: usize) -> Vec<(usize, usize)> {
    (0..n)
        .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
        .collect()
}

async fn ask_both(
    ctx: &Context,
    problem: &Problem,
    counter: &Counters,
    first: Vec<crate::llm::Message>,
    second: Vec<crate::llm::Message>,
) -> [Option<Winner>; 2] {
    let ask = |messages| {
        let request = CompletionRequest::new(Role::Judge, &problem.id, messages).stage("judge");
        async move {
            ctx.ask_one(request, counter)
                .await
                .and_then(|answer| extract_verdict(&answer.text))
        }
    };
    let (x, y) = tokio::join!(ask(first), ask(second));
    [x, y]
}

pub(crate) fn decide(
    a: usize,
    b: usize,
    input: Option<usize>,
    answers: [Option<Winner>; 2],
) -> Comparison {
    let letter = |w: &Option<Winner>| w.as_ref().map(|w| if *w == Winner::A { 'A' } else { 'B' });
    // In the second question the roles are swapped: "A" there means group b.
    let first = answers[0]
        .as_ref()
        .map(|w| if *w == Winner::A { a } else { b });
    let second = answers[1]
        .as_ref()
        .map(|w| if *w == Winner::A { b } else { a });
    let winner = match (first, second) {
        (Some(x), Some(y)) if x == y => Some(x),
        _ => None,
    };
    Comparison {
        a,
        b,
        input,
        answers: [letter(&answers[0]), letter(&answers[1])],
        winner,
        decided_by: if winner.is_some() { "model" } else { "tie" },
    }
}

/// Round-robin ranking: wins, then `sizes` (group sizes, or any ordered key), then a seeded
/// shuffle. Returns the best index and the wins.
pub fn rank<K: Ord>(sizes: &[K], comparisons: &[Comparison], seed: u64) -> (usize, Vec<usize>) {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    let mut wins = vec![0usize; sizes.len()];
    for c in comparisons {
        if let Some(w) = c.winner {
            wins[w] += 1;
        }
    }
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
    order.sort_by(|&x, &y| wins[y].cmp(&wins[x]).then(sizes[y].cmp(&sizes[x])));
    (order.first().copied().unwrap_or(0), wins)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consistent_answers_win_and_inconsistent_ones_tie() {
        assert_eq!(
            decide(0, 1, None, [Some(Winner::B), Some(Winner::A)]).winner,
            Some(1)
        );
        assert_eq!(
            decide(0, 1, None, [Some(Winner::A), Some(Winner::B)]).winner,
            Some(0)
        );
        assert_eq!(
            decide(0, 1, None, [Some(Winner::A), Some(Winner::A)]).winner,
            None
        );
        assert_eq!(decide(0, 1, None, [None, Some(Winner::A)]).winner, None);
    }

    #[test]
    fn ranking_prefers_wins_then_size() {
        let c = |a, b, w| Comparison {
            a,
            b,
            input: None,
            answers: [None, None],
            winner: w,
            decided_by: "model",
        };
        let (best, _) = rank(
            &[5, 1, 1],
            &[c(0, 1, Some(1)), c(0, 2, None), c(1, 2, None)],
            7,
        );
        assert_eq!(best, 1, "a small group that wins beats a large one");
        let (best, _) = rank(
            &[2, 5, 1],
            &[c(0, 1, None), c(0, 2, None), c(1, 2, None)],
            7,
        );
        assert_eq!(best, 1, "no wins: largest group");
    }
}
