//! Model-free choice among behaviour groups by execution agreement (minimum Bayes risk): the
//! program whose answers agree with the other candidates' on the most inputs wins. Unlike the
//! largest exact group, one invalid input that splits the right programs does not undo them,
//! and a time limit or crash agrees with nothing, so a too-slow program loses on large inputs.

use std::cmp::Reverse;

use sha2::{Digest, Sha256};

use super::groups::Group;

/// Each group's agreement: over every kept input, the other candidates (counted with their
/// group's size, a member's own group less itself) whose answer the checker accepts against this
/// group's answer there. A program never agrees with itself: an answer no other candidate gives
/// (say, on an input outside the constraints that the others loop on) earns nothing.
pub fn scores(groups: &[Group]) -> Vec<usize> {
    groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            group
                .signature
                .iter()
                .enumerate()
                .filter(|(_, b)| !b.is_failure())
                .map(|(k, mine)| {
                    groups
                        .iter()
                        .enumerate()
                        .filter(|(_, h)| {
                            h.signature.get(k).is_some_and(|theirs| mine.agrees(theirs))
                        })
                        .map(|(i, h)| h.members.len() - usize::from(i == g))
                        .sum::<usize>()
                })
                .sum()
        })
        .collect()
}

/// The best group: most agreement, then most inputs answered, then the larger group, then the
/// smallest seeded hash of its chosen member's code. Nothing depends on the order in which
/// the candidates were listed. `code(m)` is candidate `m`'s program.
pub fn best<'a>(
    groups: &[Group],
    scores: &[usize],
    seed: u64,
    code: impl Fn(usize) -> &'a str,
) -> usize {
    (0..groups.len())
        .max_by_key(|&g| {
            let answered = groups[g]
                .signature
                .iter()
                .filter(|b| !b.is_failure())
                .count();
            let member = member(&groups[g], seed, &code);
            (
                scores[g],
                answered,
                groups[g].members.len(),
                Reverse(key(seed, code(member))),
            )
        })
        .unwrap_or(0)
}

/// The member of a group that stands for it: the smallest seeded hash of the code (members
/// behave alike on every input, so any is as good; this one does not depend on order).
pub fn member<'a>(group: &Group, seed: u64, code: impl Fn(usize) -> &'a str) -> usize {
    group
        .members
        .iter()
        .copied()
        .min_by_key(|&m| key(seed, code(m)))
        .unwrap_or_else(|| group.representative())
}

fn key(seed: u64, code: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(seed.to_le_bytes());
    hash.update(code.as_bytes());
    hash.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::output_answer;
    use crate::pipeline::select::behaviour::{Behaviour, Failure};
    use crate::problem::Checker;

    fn group(members: &[usize], outputs: &[Option<&str>]) -> Group {
        Group {
            members: members.to_vec(),
            signature: outputs
                .iter()
                .map(|o| match o {
                    Some(text) => {
                        Behaviour::Output(output_answer(Checker::Tokens, 1e-6, text.as_bytes()))
                    }
                    None => Behaviour::Failed(Failure::TimeLimit),
                })
                .collect(),
            shown: Vec::new(),
            agreements: None,
        }
    }

    #[test]
    fn agreement_beats_exact_group_size() {
        // Right programs split in two on one input (outside the constraints); the wrong group is
        // the largest exact group but disagrees with everyone on the other inputs.
        let groups = [
            group(&[0, 1, 2], &[Some("x"), Some("w"), Some("w")]),
            group(&[3, 4], &[Some("a"), Some("b"), Some("c")]),
            group(&[5, 6], &[Some("a"), Some("b"), Some("d")]),
        ];
        let scores = scores(&groups);
        assert_eq!(scores, [6, 7, 7]);
        let codes = ["p0", "p1", "p2", "p3", "p4", "p5", "p6"];
        assert_ne!(best(&groups, &scores, 0, |m| codes[m]), 0);
    }

    #[test]
    fn a_time_limit_agrees_with_nothing() {
        let groups = [
            group(&[0, 1], &[Some("1"), None]),
            group(&[2], &[Some("1"), Some("9")]),
        ];
        let scores = scores(&groups);
        // The second input earns neither anything: one side failed, the other answered alone.
        assert_eq!(scores, [2, 2]);
        // Then the group that answered more inputs wins.
        let codes = ["p0", "p1", "p2"];
        assert_eq!(best(&groups, &scores, 0, |m| codes[m]), 1);
    }

    #[test]
    fn answering_alone_where_the_others_fail_earns_nothing() {
        // Two programs that agree everywhere but loop on two inputs outside the constraints;
        // a third answers those inputs too, but disagrees on the others.
        let groups = [
            group(&[0, 1], &[Some("1"), Some("2"), Some("3"), None, None]),
            group(
                &[2],
                &[Some("1"), Some("2"), Some("4"), Some("0"), Some("0")],
            ),
        ];
        let scores = scores(&groups);
        assert_eq!(scores, [5, 4]);
        let codes = ["p0", "p1", "p2"];
        assert_eq!(best(&groups, &scores, 0, |m| codes[m]), 0);
    }

    #[test]
    fn ties_do_not_depend_on_the_order_of_candidates() {
        let codes = ["alpha", "beta"];
        let forward = [group(&[0], &[Some("1")]), group(&[1], &[Some("2")])];
        let backward = [group(&[1], &[Some("2")]), group(&[0], &[Some("1")])];
        let a = best(&forward, &scores(&forward), 3, |m| codes[m]);
        let b = best(&backward, &scores(&backward), 3, |m| codes[m]);
        assert_eq!(forward[a].members, backward[b].members);
    }
}
