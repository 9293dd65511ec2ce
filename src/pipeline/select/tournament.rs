//! Pairwise judgement between behaviour groups (S*'s adaptive selection), as a knockout: for
//! each pair, an input where they differ, both programs and both real outputs shown to the
//! model, asked in both orders. A judge is noisy and biased to a position, so a pair is asked
//! again, on the next input that tells them apart and in both orders, until one side leads by
//! [`LEAD`] votes ([`NOISY_LEAD`] once the judge contradicted itself) or [`MAX_ROUNDS`]
//! rounds are spent. Groups rank by pairs won, then by their share of all votes, and only
//! then by size.

use std::sync::Arc;

use futures::future::join_all;

use super::behaviour::{Behaviour, Failure};
use super::groups::Group;
use super::inputs::SynthInput;
use crate::llm::{extract_verdict, CompletionRequest, Message, Role, Winner};
use crate::pipeline::context::{Context, Counters};
use crate::pipeline::generate::FinalProgram;
use crate::pipeline::prompts;
use crate::problem::Problem;
use crate::program::Program;
use crate::schema::{Comparison, DecidedBy, Source, Vote, VoteSummary};

/// Votes one side must lead by to win a pair while every answer so far named it: two rounds
/// whose two orders agree. A judge that never errs pays two rounds per pair.
pub const LEAD: usize = 4;

/// The lead needed once any answer went the other way: the judge has shown itself noisy or
/// biased to a position, so it takes three agreeing rounds net of the others. With answers
/// flipped at random at rate p, a pair then ends the right way 98.8% of the time at p = 0.2
/// (0.3% wrong, the rest even) and 82% at p = 0.35 (7.5% wrong), in 4.1 and 5.6 rounds on
/// average; deciding on one agreeing round, as the S* paper does, gets 64% and 42% right, and
/// ties the rest but 4% and 12%.
pub const NOISY_LEAD: usize = 6;

/// Most rounds (two votes each, positions swapped) asked about one pair; then the majority
/// of the votes decides, and an even split is a tie.
pub const MAX_ROUNDS: usize = 7;

impl VoteSummary {
    /// The summary of `comparisons`; `None` when nobody was asked.
    pub fn of(comparisons: &[Comparison]) -> Option<Self> {
        let asked: Vec<&Comparison> = comparisons.iter().filter(|c| !c.votes.is_empty()).collect();
        let rounds: Vec<[&Vote; 2]> = asked
            .iter()
            .flat_map(|c| c.votes.chunks_exact(2).map(|v| [&v[0], &v[1]]))
            .collect();
        if rounds.is_empty() {
            return None;
        }
        let split_rounds = rounds
            .iter()
            .filter(|[x, y]| x.group.is_none() || x.group != y.group)
            .count();
        Some(Self {
            pairs: asked.len(),
            rounds: rounds.len(),
            votes: rounds
                .iter()
                .flatten()
                .filter(|v| v.group.is_some())
                .count(),
            split_rounds,
            flip_rate: split_rounds as f64 / rounds.len() as f64,
        })
    }
}

/// One round on a pair: the input shown and the answers in both orders.
#[derive(Debug, Clone)]
pub(crate) struct Round {
    pub input: Option<usize>,
    pub answers: [Option<Winner>; 2],
}

/// What one problem's judging works with: the candidates, their behaviour groups, and the
/// kept inputs the groups' signatures are over.
pub struct Bout<'a> {
    pub ctx: &'a Context,
    pub problem: &'a Arc<Problem>,
    pub candidates: &'a [&'a FinalProgram],
    pub groups: &'a [Group],
    pub kept: &'a [usize],
    pub inputs: &'a [SynthInput],
    pub counter: &'a Counters,
}

impl Bout<'_> {
    /// A knockout over the groups (largest first): the champion meets each next group and
    /// the winner stays. `n - 1` pairs, each with the champion, instead of a round robin's
    /// `n (n - 1) / 2`, most of them between two wrong groups that a judge cannot tell
    /// apart and that cost every round. Returns the pairs in the order judged, and the
    /// champion (an even pair keeps it).
    pub async fn knockout(&self) -> (Vec<Comparison>, usize) {
        let mut champion = 0;
        let mut comparisons = Vec::new();
        for challenger in 1..self.groups.len() {
            let c = self.pair(champion, challenger).await;
            if let Some(winner) = c.winner {
                champion = winner;
            }
            comparisons.push(c);
        }
        (comparisons, champion)
    }

    /// One pair of groups, on real outputs.
    async fn pair(&self, a: usize, b: usize) -> Comparison {
        let (ga, gb) = (&self.groups[a], &self.groups[b]);
        let (kept, inputs) = (self.kept, self.inputs);
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
                    votes: Vec::new(),
                    winner: Some(winner),
                    decided_by: DecidedBy::TimeLimit,
                };
            }
        }
        // Shown smallest ordinary input first; later rounds take the next ones.
        let mut shown = differing;
        shown.sort_by_key(|&k| {
            (
                inputs[kept[k]].source == Source::Stress,
                inputs[kept[k]].data.len(),
            )
        });
        if shown.is_empty() {
            return tally(a, b, Vec::new());
        }
        let code = |g: &Group| &self.candidates[g.representative()].program;
        let question = |round: usize| {
            let k = shown[round % shown.len()];
            let input = &inputs[kept[k]].data;
            let first = prompts::pairwise(
                self.problem,
                (code(ga), &ga.shown[k].shown),
                (code(gb), &gb.shown[k].shown),
                input,
            );
            let second = prompts::pairwise(
                self.problem,
                (code(gb), &gb.shown[k].shown),
                (code(ga), &ga.shown[k].shown),
                input,
            );
            (Some(kept[k]), first, second)
        };
        judge_pair(self.ctx, self.problem, self.counter, (a, b), question).await
    }
}

/// Asks about the pair `(a, b)` round by round until it is [`settled`] or [`MAX_ROUNDS`]
/// are spent; `question(round)` is the input shown and the prompt in both orders. A budget
/// that runs out leaves the pair as far as it got.
async fn judge_pair(
    ctx: &Context,
    problem: &Problem,
    counter: &Counters,
    (a, b): (usize, usize),
    question: impl Fn(usize) -> (Option<usize>, Vec<Message>, Vec<Message>),
) -> Comparison {
    let mut rounds = Vec::new();
    for round in 0..MAX_ROUNDS {
        if !ctx.may_ask(&problem.id, Role::Judge, counter) {
            break;
        }
        let (input, first, second) = question(round);
        let answers = ask_both(ctx, problem, counter, round, first, second).await;
        rounds.push(Round { input, answers });
        if settled(a, b, &rounds) {
            break;
        }
    }
    tally(a, b, rounds)
}

/// `llm-judge`: compares programs from their code alone.
pub async fn by_code(
    ctx: &Context,
    problem: &Arc<Problem>,
    codes: &[&Program],
    counter: &Counters,
) -> Vec<Comparison> {
    join_all(pairs(codes.len()).into_iter().map(|(a, b)| {
        let question = move |_round: usize| {
            let first = prompts::pairwise_code_only(problem, codes[a], codes[b]);
            let second = prompts::pairwise_code_only(problem, codes[b], codes[a]);
            (None, first, second)
        };
        judge_pair(ctx, problem, counter, (a, b), question)
    }))
    .await
}

pub(crate) fn pairs(n: usize) -> Vec<(usize, usize)> {
    (0..n)
        .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
        .collect()
}

/// One round: the two orders asked at once. Round `round` asks the model's sample `round`,
/// so a repeated question is a new answer, not the cached one.
async fn ask_both(
    ctx: &Context,
    problem: &Problem,
    counter: &Counters,
    round: usize,
    first: Vec<Message>,
    second: Vec<Message>,
) -> [Option<Winner>; 2] {
    let sample = u32::try_from(round).unwrap_or(u32::MAX);
    let ask = |messages| {
        let request = CompletionRequest::new(Role::Judge, &problem.id, messages)
            .stage("judge")
            .first_sample(sample);
        async move {
            ctx.ask_one(request, counter)
                .await
                .and_then(|answer| extract_verdict(&answer.text))
        }
    };
    let (x, y) = tokio::join!(ask(first), ask(second));
    [x, y]
}

/// The group each answer of `rounds` votes for (in the swapped order "A" means group `b`).
fn votes(a: usize, b: usize, rounds: &[Round]) -> Vec<Vote> {
    let letter = |w: &Winner| if *w == Winner::A { 'A' } else { 'B' };
    rounds
        .iter()
        .enumerate()
        .flat_map(|(round, r)| {
            r.answers.iter().enumerate().map(move |(order, answer)| {
                let swapped = order == 1;
                let group = answer.as_ref().map(|w| match (w, swapped) {
                    (Winner::A, false) | (Winner::B, true) => a,
                    _ => b,
                });
                Vote {
                    round,
                    input: r.input,
                    swapped,
                    answer: answer.as_ref().map(letter),
                    group,
                }
            })
        })
        .collect()
}

/// Votes for `a` and for `b`.
fn counts(a: usize, votes: &[Vote]) -> (usize, usize) {
    let for_a = votes.iter().filter(|v| v.group == Some(a)).count();
    let answered = votes.iter().filter(|v| v.group.is_some()).count();
    (for_a, answered - for_a)
}

/// Whether one side of the pair leads by [`LEAD`] votes, every vote its own, or else by
/// [`NOISY_LEAD`].
fn settled(a: usize, b: usize, rounds: &[Round]) -> bool {
    let votes = votes(a, b, rounds);
    let (x, y) = counts(a, &votes);
    let clean = (x == 0 || y == 0) && votes.iter().all(|v| v.group.is_some());
    x.abs_diff(y) >= if clean { LEAD } else { NOISY_LEAD }
}

/// The pair's result from its rounds: the side with more votes (a lead or, once the rounds
/// ran out, the majority), else a tie.
pub(crate) fn tally(a: usize, b: usize, rounds: Vec<Round>) -> Comparison {
    let votes = votes(a, b, &rounds);
    let (x, y) = counts(a, &votes);
    let winner = match x.cmp(&y) {
        std::cmp::Ordering::Greater => Some(a),
        std::cmp::Ordering::Less => Some(b),
        std::cmp::Ordering::Equal => None,
    };
    let unanimous = x == 0 || y == 0;
    let decided_by = match winner {
        None => DecidedBy::Tie,
        Some(_) if unanimous && votes.iter().all(|v| v.group.is_some()) => DecidedBy::Model,
        Some(_) => DecidedBy::Votes,
    };
    let answer = |k: usize| votes.get(k).and_then(|v| v.answer);
    Comparison {
        a,
        b,
        input: rounds.first().and_then(|r| r.input),
        answers: [answer(0), answer(1)],
        votes,
        winner,
        decided_by,
    }
}

/// One round's result (`sstar fix` asks one round per pair).
pub(crate) fn decide(
    a: usize,
    b: usize,
    input: Option<usize>,
    answers: [Option<Winner>; 2],
) -> Comparison {
    let comparison = tally(a, b, vec![Round { input, answers }]);
    // One round decides only when both orders agree.
    if comparison.decided_by == DecidedBy::Model {
        comparison
    } else {
        Comparison {
            winner: None,
            decided_by: DecidedBy::Tie,
            ..comparison
        }
    }
}

/// Pairs won by each of `n` groups.
pub fn wins(n: usize, comparisons: &[Comparison]) -> Vec<usize> {
    let mut wins = vec![0usize; n];
    for w in comparisons.iter().filter_map(|c| c.winner) {
        wins[w] += 1;
    }
    wins
}

/// Round-robin ranking: pairs won, then the share of all votes cast on the group's pairs
/// that went its way (so a pair left undecided still counts what the judge said), then
/// `sizes` (group sizes, or any ordered key), then a seeded shuffle. Returns the best index
/// and the pairs won.
pub fn rank<K: Ord>(sizes: &[K], comparisons: &[Comparison], seed: u64) -> (usize, Vec<usize>) {
    use rand::seq::SliceRandom;
    let n = sizes.len();
    let wins = wins(n, comparisons);
    let (mut won_votes, mut cast) = (vec![0usize; n], vec![0usize; n]);
    for c in comparisons {
        for v in &c.votes {
            if let Some(g) = v.group {
                won_votes[g] += 1;
                cast[c.a] += 1;
                cast[c.b] += 1;
            }
        }
    }
    // A group no vote was cast on has a share of 0.
    let share: Vec<f64> = (0..n)
        .map(|g| won_votes[g] as f64 / cast[g].max(1) as f64)
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut crate::seeded::seeded(seed));
    order.sort_by(|&x, &y| {
        wins[y]
            .cmp(&wins[x])
            .then(share[y].total_cmp(&share[x]))
            .then(sizes[y].cmp(&sizes[x]))
    });
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
            votes: Vec::new(),
            winner: w,
            decided_by: DecidedBy::Model,
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

    fn round(first: Winner, second: Winner) -> Round {
        Round {
            input: Some(0),
            answers: [Some(first), Some(second)],
        }
    }

    #[test]
    fn a_pair_the_orders_split_is_decided_by_the_lead_of_later_rounds() {
        use Winner::{A, B};
        // Round 1: "A" both times, a position bias (a, then b). Then b both ways.
        let rounds = vec![round(A, A), round(B, A), round(B, A), round(B, A)];
        assert!(!settled(0, 1, &rounds[..2]), "a lead of 2 is not enough");
        assert!(
            !settled(0, 1, &rounds[..3]),
            "nor 4 from a judge that contradicted itself"
        );
        assert!(settled(0, 1, &rounds));
        let c = tally(0, 1, rounds);
        assert_eq!((c.winner, c.decided_by), (Some(1), DecidedBy::Votes));
        assert_eq!(c.votes.len(), 8);
        assert_eq!(
            c.answers,
            [Some('A'), Some('A')],
            "the first round as before"
        );
        let groups: Vec<Option<usize>> = c.votes.iter().map(|v| v.group).collect();
        assert_eq!(groups[..3], [Some(0), Some(1), Some(1)]);
        // A judge that never errs settles a pair in two rounds.
        assert!(!settled(0, 1, &[round(B, A)]));
        assert!(settled(0, 1, &[round(B, A), round(B, A)]));
        let summary = VoteSummary::of(&[c, tally(0, 1, vec![round(B, A)])]).expect("votes");
        assert_eq!(
            (summary.pairs, summary.rounds, summary.split_rounds),
            (2, 5, 1)
        );
        // Three split rounds: a tie. Two split and one for a: a, by the majority.
        let split = vec![round(A, A), round(B, B), round(A, A)];
        assert_eq!(tally(0, 1, split).winner, None);
        let c = tally(0, 1, vec![round(A, A), round(B, B), round(A, B)]);
        assert_eq!((c.winner, c.decided_by), (Some(0), DecidedBy::Votes));
        // One consistent round is decided by the model, as before.
        let c = tally(0, 1, vec![round(B, A)]);
        assert_eq!((c.winner, c.decided_by), (Some(1), DecidedBy::Model));
    }

    #[test]
    fn an_undecided_pair_ranks_by_the_share_of_votes_before_size() {
        use Winner::{A, B};
        // Groups 0 (large) and 1 (small) tie their pair 3-3, but against group 2 the small
        // one won every vote and the large one only half.
        let comparisons = vec![
            tally(0, 1, vec![round(A, A), round(B, B), round(A, A)]),
            tally(0, 2, vec![round(A, A), round(B, B), round(B, A)]),
            tally(1, 2, vec![round(A, B)]),
        ];
        assert_eq!(comparisons[1].winner, Some(2));
        let (best, wins) = rank(&[10, 1, 3], &comparisons, 7);
        assert_eq!(wins, [0, 1, 1]);
        assert_eq!(best, 1, "votes, not size, break the tie on wins");
    }
}
