//! Run every candidate on every synthesized input, drop inputs no one survives, and group
//! candidates whose behaviour is identical everywhere.

use std::collections::HashMap;
use std::sync::Arc;

use futures::future::join_all;
use serde::Serialize;

use super::behaviour::Behaviour;
use super::context::{Context, Counters};
use super::executor::Observed;
use super::generate::FinalProgram;
use super::inputs::SynthInput;
use crate::judge::JudgeError;
use crate::problem::Problem;

/// Candidates with one behaviour; `members` index the candidate list, best (lowest sample) first.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub members: Vec<usize>,
    #[serde(skip)]
    pub signature: Vec<Behaviour>,
    /// Observed output per kept input, of the representative.
    #[serde(skip)]
    pub shown: Vec<Observed>,
    /// Kept inputs whose given expected output this group produces (`None`: none was given).
    pub agreements: Option<usize>,
}

impl Group {
    pub fn representative(&self) -> usize {
        self.members[0]
    }
}

/// The behaviour matrix reduced to groups, and which inputs survived.
#[derive(Debug)]
pub struct Behaviours {
    /// Indices (into the synthesized inputs) of inputs at least one candidate survives.
    pub kept: Vec<usize>,
    /// Largest first; ties by lowest member. Only groups that answer somewhere, if any do.
    pub groups: Vec<Group>,
    /// Candidates (indices) left out because they failed on every kept input.
    pub always_failing: Vec<usize>,
}

pub async fn group_candidates(
    ctx: &Context,
    problem: &Arc<Problem>,
    candidates: &[&FinalProgram],
    inputs: &[SynthInput],
    counters: &Counters,
) -> Result<Behaviours, JudgeError> {
    // Identical programs behave identically: run each distinct one once.
    let mut distinct: Vec<&str> = Vec::new();
    let mut code_of = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        let position = distinct
            .iter()
            .position(|c| **c == *candidate.code)
            .unwrap_or_else(|| {
                distinct.push(&candidate.code);
                distinct.len() - 1
            });
        code_of.push(position);
    }
    let runs = distinct.iter().flat_map(|code| {
        inputs
            .iter()
            .map(move |input| ctx.executor.observe(problem, code, &input.data, counters))
    });
    let observed: Vec<Observed> = join_all(runs).await.into_iter().collect::<Result<_, _>>()?;
    let at = |code: usize, input: usize| &observed[code * inputs.len() + input];
    let kept: Vec<usize> = (0..inputs.len())
        .filter(|&k| (0..distinct.len()).any(|c| !at(c, k).behaviour.is_failure()))
        .collect();
    let mut by_signature: HashMap<Vec<Behaviour>, usize> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    for (member, &code) in code_of.iter().enumerate() {
        let signature: Vec<Behaviour> = kept
            .iter()
            .map(|&k| at(code, k).behaviour.clone())
            .collect();
        match by_signature.get(&signature) {
            Some(&g) => groups[g].members.push(member),
            None => {
                by_signature.insert(signature.clone(), groups.len());
                let shown = kept.iter().map(|&k| at(code, k).clone()).collect();
                groups.push(Group {
                    members: vec![member],
                    signature,
                    shown,
                    agreements: None,
                });
            }
        }
    }
    count_agreements(problem, inputs, &kept, &mut groups);
    groups.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then(a.members[0].cmp(&b.members[0]))
    });
    // A group that fails on every kept input (a syntax error, an import of a missing module, a
    // crash at start) must not win by size while some candidate produces answers.
    let answers = |g: &Group| g.signature.iter().any(|b| !b.is_failure());
    let mut always_failing = Vec::new();
    if groups.iter().any(answers) {
        for group in groups.iter().filter(|g| !answers(g)) {
            always_failing.extend(group.members.iter().copied());
        }
        groups.retain(answers);
    }
    Ok(Behaviours {
        kept,
        groups,
        always_failing,
    })
}

/// How many given expected outputs each group reproduces, when any were given.
fn count_agreements(
    problem: &Problem,
    inputs: &[SynthInput],
    kept: &[usize],
    groups: &mut [Group],
) {
    let expected: Vec<Option<Behaviour>> = kept
        .iter()
        .map(|&k| {
            let output = inputs[k].expected.as_deref()?;
            Behaviour::expected(problem, output)
        })
        .collect();
    if expected.iter().all(Option::is_none) {
        return;
    }
    for group in groups {
        let agreeing = group
            .signature
            .iter()
            .zip(&expected)
            .filter(|(got, want)| want.as_ref() == Some(got))
            .count();
        group.agreements = Some(agreeing);
    }
}
