//! Stage 2 of a fix, the S* way: group the surviving fixes by what they do on the
//! distinguishing calls, then let the model judge pairs of groups on their real results, each
//! pair asked in both orders. Wins rank the groups; ties prefer the smaller change.

use std::cmp::Reverse;

use futures::future::join_all;

use super::candidates::{fatal, Passing, LEDGER_ID};
use super::error::FixError;
use super::inputs::{CallResult, Probe};
use super::prompts::{self, Task};
use crate::llm::{extract_verdict, CompletionRequest, LlmClient, Role, Winner};
use crate::pipeline::{decide, pairs, rank};
use crate::schema::Comparison;
use crate::schema::FixGroup as GroupRecord;

/// Groups of survivors with equal results on the kept calls, members by smallest change first.
/// `kept` are the calls where some survivor returned a value (a call every fix rejects is
/// likely invalid). `results[s][p]` as [`super::inputs::observe`] gives them.
pub(crate) fn group(
    results: &[Vec<CallResult>],
    change_lines: &[usize],
) -> (Vec<usize>, Vec<GroupRecord>) {
    let probes = results.first().map_or(0, Vec::len);
    let kept: Vec<usize> = (0..probes)
        .filter(|&p| results.iter().any(|r| r[p].returned))
        .collect();
    let mut groups: Vec<GroupRecord> = Vec::new();
    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by_key(|&s| (change_lines[s], s));
    for s in order {
        let signature: Vec<String> = kept.iter().map(|&p| results[s][p].shown.clone()).collect();
        match groups.iter_mut().find(|g| g.results == signature) {
            Some(group) => group.members.push(s),
            None => groups.push(GroupRecord {
                members: vec![s],
                change_lines: change_lines[s],
                results: signature,
            }),
        }
    }
    (kept, groups)
}

/// Judges every pair of groups on the first (shortest) kept call where they differ.
pub(crate) async fn tournament(
    llm: &LlmClient,
    task: &Task<'_>,
    survivors: &[Passing],
    groups: &[GroupRecord],
    calls: &[&Probe],
) -> Result<Vec<Comparison>, FixError> {
    let judged = pairs(groups.len()).into_iter().map(|(a, b)| async move {
        let (ga, gb) = (&groups[a], &groups[b]);
        let differing = (0..calls.len())
            .filter(|&k| ga.results[k] != gb.results[k])
            .min_by_key(|&k| (calls[k].arguments.len(), k));
        let Some(k) = differing else {
            return Ok(decide(a, b, None, [None, None]));
        };
        let code = |g: &GroupRecord| survivors[g.members[0]].definition.as_str();
        let arguments = &calls[k].arguments;
        let first = prompts::judge(
            task,
            arguments,
            (code(ga), &ga.results[k]),
            (code(gb), &gb.results[k]),
        );
        let second = prompts::judge(
            task,
            arguments,
            (code(gb), &gb.results[k]),
            (code(ga), &ga.results[k]),
        );
        let (x, y) = tokio::join!(ask(llm, first), ask(llm, second));
        Ok::<_, FixError>(decide(a, b, Some(k), [x?, y?]))
    });
    join_all(judged).await.into_iter().collect()
}

async fn ask(
    llm: &LlmClient,
    messages: Vec<crate::llm::Message>,
) -> Result<Option<Winner>, FixError> {
    let answers = llm
        .complete(&CompletionRequest::new(Role::Judge, LEDGER_ID, messages))
        .await;
    fatal(&answers)?;
    Ok(answers
        .into_iter()
        .flatten()
        .next()
        .and_then(|a| extract_verdict(&a.text)))
}

/// The winning group: most wins, then the smaller change, then a seeded choice.
pub(crate) fn best(
    groups: &[GroupRecord],
    comparisons: &[Comparison],
    seed: u64,
) -> (usize, Vec<usize>) {
    let keys: Vec<Reverse<usize>> = groups.iter().map(|g| Reverse(g.change_lines)).collect();
    rank(&keys, comparisons, seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Results as shown; a value is `returned ...`.
    fn results(rows: &[&[&str]]) -> Vec<Vec<CallResult>> {
        rows.iter()
            .map(|r| {
                r.iter()
                    .map(|s| CallResult {
                        returned: s.starts_with("returned "),
                        shown: (*s).to_owned(),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn equal_results_share_a_group_led_by_the_smallest_change() {
        let r = results(&[
            &[
                "returned 1",
                "runtime error: ValueError",
                "runtime error: TypeError",
            ],
            &[
                "returned 2",
                "runtime error: ValueError",
                "runtime error: TypeError",
            ],
            &[
                "returned 1",
                "runtime error: ValueError",
                "runtime error: KeyError",
            ],
        ]);
        let (kept, groups) = group(&r, &[9, 4, 2]);
        assert_eq!(kept, [0], "calls no fix returns from are dropped");
        let members: Vec<&[usize]> = groups.iter().map(|g| g.members.as_slice()).collect();
        assert_eq!(members, [&[2, 0][..], &[1][..]]);
        assert_eq!(groups[0].change_lines, 2);
    }

    #[test]
    fn without_wins_the_smaller_change_wins() {
        let g = |lines| GroupRecord {
            members: vec![0],
            change_lines: lines,
            results: Vec::new(),
        };
        let tie = decide(0, 1, Some(0), [Some(Winner::A), Some(Winner::A)]);
        assert_eq!(best(&[g(8), g(3)], &[tie], 0).0, 1);
        let won = decide(0, 1, Some(0), [Some(Winner::A), Some(Winner::B)]);
        assert_eq!(
            best(&[g(8), g(3)], &[won], 0).0,
            0,
            "a win beats a smaller change"
        );
    }
}
