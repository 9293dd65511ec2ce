//! Run every candidate on the synthesized inputs (the ladder's tail only while it still splits
//! groups, within an execution budget), drop inputs most candidates crash on, and group
//! candidates whose answers the problem's checker calls equal everywhere.

use std::collections::HashMap;
use std::sync::Arc;

use futures::future::join_all;
use serde::Serialize;

use super::behaviour::{Behaviour, Failure};
use super::inputs::SynthInput;
use crate::judge::JudgeError;
use crate::pipeline::context::{Context, Counters};
use crate::pipeline::executor::Observed;
use crate::pipeline::generate::FinalProgram;
use crate::problem::Problem;
use crate::program::Program;
use crate::schema::LadderStop;
use crate::schema::Source;

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
    /// Inputs run: a prefix of the inputs (the ladder's tail is cut early).
    pub run: usize,
    /// Per input run: behaviour classes it split off (0 for a dropped input).
    pub splits: Vec<usize>,
    /// Why the ladder stopped before its end, if it did.
    pub stopped: Option<LadderStop>,
}

/// A program that hit the time limit on this many inputs that every other program answered
/// is taken to hang: it is not run again on this problem's inputs, and counts as timed out on
/// them. One hanging sample would otherwise cost a full time limit on every input (on real
/// CodeContests samples, one such program took 169 of a problem's 288 sandbox seconds).
const HANG_AFTER: usize = 2;

/// What a program taken to hang shows for an input it was not run on.
const NOT_RUN: &str = "(not run: it timed out on inputs every other program answered)";

/// What a program shows for an input it was not run on because the probes all hit a limit
/// on it (the input is then dropped: nobody answered it).
const PROBED_OUT: &str = "(not run: the first programs run on it all hit a limit)";

/// Programs that run a synthesized input before the others (the most shared first).
const PROBES: usize = 2;

/// The others' CPU limit on a probed input is this many times the CPU time of the first
/// probe that answered it (at least [`FLOOR`], at most the problem's limit): a program that
/// slow where another answered counts as timed out, and pays no more than that.
const SLACK: u32 = 4;
const FLOOR: std::time::Duration = std::time::Duration::from_secs(1);

/// The first (always run) inputs run at a time between checks for programs that hang.
const FIRST_BATCH: usize = 4;

/// Ladder inputs run at a time between checks for new splits (and for programs that hang).
pub const BATCH: usize = 16;
/// Batches in a row that split nothing before the ladder stops.
const QUIET_BATCHES: usize = 3;
/// Executions per problem: inputs stop once the next would pass it (the first inputs, most
/// telling first, always run up to `MIN_INPUTS`).
pub const EXECUTION_BUDGET: usize = 2000;
const MIN_INPUTS: usize = 12;

pub async fn group_candidates(
    ctx: &Context,
    problem: &Arc<Problem>,
    candidates: &[&FinalProgram],
    inputs: &[SynthInput],
    counters: &Counters,
) -> Result<Behaviours, JudgeError> {
    // Identical programs behave identically: run each distinct one once.
    let mut distinct: Vec<&Program> = Vec::new();
    let mut code_of = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        let position = distinct
            .iter()
            .position(|c| **c == candidate.program)
            .unwrap_or_else(|| {
                distinct.push(&candidate.program);
                distinct.len() - 1
            });
        code_of.push(position);
    }
    // Counts per distinct program: the keep rule weighs candidates, not programs.
    let mut weight = vec![0usize; distinct.len()];
    for &code in &code_of {
        weight[code] += 1;
    }
    let always = inputs.iter().take_while(|i| !i.source.is_ladder()).count();
    let mut columns: Vec<Vec<Observed>> = Vec::new();
    let mut kept: Vec<usize> = Vec::new();
    let mut splits: Vec<usize> = Vec::new();
    let mut class = vec![0usize; distinct.len()];
    let cap = (EXECUTION_BUDGET / distinct.len().max(1)).max(MIN_INPUTS);
    let (mut quiet, mut stopped) = (0, None);
    // Per program: inputs it hit the time limit on while every other program answered.
    let mut hung = vec![0usize; distinct.len()];
    // The programs most candidates share run an input first.
    let mut probes: Vec<usize> = (0..distinct.len()).collect();
    probes.sort_by_key(|&c| (std::cmp::Reverse(weight[c]), c));
    probes.truncate(PROBES);
    while columns.len() < inputs.len() {
        let start = columns.len();
        if start >= cap {
            stopped = Some(LadderStop::ExecutionBudget);
            break;
        }
        // Unanimous after one ladder batch: more inputs would only confirm it.
        if start > always && answering_classes(&class, &columns) == 1 {
            stopped = Some(LadderStop::EveryProgramAgrees);
            break;
        }
        if start >= always && quiet >= QUIET_BATCHES {
            stopped = Some(LadderStop::GroupsStoppedSplitting);
            break;
        }
        // The first inputs in small batches, so a program that hangs is found early.
        let end = if start < always {
            (start + FIRST_BATCH).min(always)
        } else {
            (start + BATCH).min(inputs.len())
        }
        .min(cap);
        let hung_now: Vec<bool> = hung.iter().map(|&n| n >= HANG_AFTER).collect();
        let column = Column {
            ctx,
            problem,
            programs: &distinct,
            probes: &probes,
            hung: &hung_now,
            counters,
        };
        let runner = &column;
        let batch = (start..end).map(|k| {
            let source = inputs[k].source;
            // The stress input exists to find who times out; a given one is the user's.
            let probed = !matches!(source, Source::Stress | Source::Given);
            runner.run(&inputs[k].data, probed)
        });
        let before = distinct_classes(&class);
        for column in join_all(batch).await {
            let column = column?;
            for (c, count) in hung.iter_mut().enumerate() {
                if timed_out_alone(&column, c) {
                    *count += 1;
                }
            }
            // Provisional, for the stop rule: the final keep rule needs every column.
            if column.iter().any(|o| !o.behaviour.is_failure()) {
                class = refine(&class, &column);
            }
            columns.push(column);
        }
        if start >= always {
            quiet = if distinct_classes(&class) > before {
                0
            } else {
                quiet + 1
            };
        }
    }
    // Programs that answer somewhere: only their crashes make an input look invalid (a program
    // that dies on every input says nothing about any one of them).
    let alive: Vec<bool> = (0..distinct.len())
        .map(|c| columns.iter().any(|col| !col[c].behaviour.is_failure()))
        .collect();
    let weight: Vec<usize> = weight
        .iter()
        .zip(&alive)
        .map(|(&w, &a)| if a { w } else { 0 })
        .collect();
    let mut class = vec![0usize; distinct.len()];
    for (k, column) in columns.iter().enumerate() {
        let split = if keep(column, &weight) {
            kept.push(k);
            let was = distinct_classes(&class);
            class = refine(&class, column);
            distinct_classes(&class) - was
        } else {
            0
        };
        splits.push(split);
    }
    let run = columns.len();
    let at = |code: usize, input: usize| &columns[input][code];
    let signatures: Vec<Vec<Behaviour>> = (0..distinct.len())
        .map(|code| {
            kept.iter()
                .map(|&k| at(code, k).behaviour.clone())
                .collect()
        })
        .collect();
    let mut groups: Vec<Group> = partition(&code_of, &signatures)
        .into_iter()
        .map(|members| {
            let code = code_of[members[0]];
            Group {
                members,
                signature: signatures[code].clone(),
                shown: kept.iter().map(|&k| at(code, k).clone()).collect(),
                agreements: None,
            }
        })
        .collect();
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
        run,
        splits,
        stopped,
    })
}

/// Runs one input on every program of a problem.
struct Column<'a> {
    ctx: &'a Context,
    problem: &'a Problem,
    programs: &'a [&'a Program],
    probes: &'a [usize],
    /// Programs taken to hang: not run again.
    hung: &'a [bool],
    counters: &'a Counters,
}

impl Column<'_> {
    /// Every program's behaviour on `input`. A `probed` input runs on the probes first, one
    /// at a time: if they all hit a limit, no one else runs it; once one answers, the others
    /// run it under a limit derived from its time.
    async fn run(&self, input: &[u8], probed: bool) -> Result<Vec<Observed>, JudgeError> {
        let mut column: Vec<Option<Observed>> = vec![None; self.programs.len()];
        let probing = probed && self.programs.len() > self.probes.len() + 1;
        let mut limit = None;
        if probing {
            // One probe at a time: the first that answers sets everyone else's limit.
            let cap = std::time::Duration::from_millis(self.problem.limits.time_limit_ms);
            let mut answered = false;
            for &c in self.probes.iter().filter(|&&c| !self.hung[c]) {
                let observed = self.observe(c, input, None).await?;
                let cpu = observed.cpu;
                let fails = observed.behaviour.is_failure();
                column[c] = Some(observed);
                if !fails {
                    answered = true;
                    limit = Some((cpu * SLACK).max(FLOOR)).filter(|l| *l < cap);
                    break;
                }
            }
            let ran: Vec<&Observed> = column.iter().flatten().collect();
            if !answered && !ran.is_empty() && ran.iter().all(|o| o.behaviour.is_limit()) {
                return Ok(self.fill(column, PROBED_OUT));
            }
        }
        let rest = (0..self.programs.len()).filter(|&c| column[c].is_none() && !self.hung[c]);
        let runs = rest.map(|c| async move { (c, self.observe(c, input, limit).await) });
        for (c, observed) in join_all(runs).await {
            column[c] = Some(observed?);
        }
        Ok(self.fill(column, NOT_RUN))
    }

    async fn observe(
        &self,
        c: usize,
        input: &[u8],
        limit: Option<std::time::Duration>,
    ) -> Result<Observed, JudgeError> {
        self.ctx
            .executor
            .observe_within(self.problem, self.programs[c], input, limit, self.counters)
            .await
    }

    /// The column with every program not run shown as timed out, with `why`.
    fn fill(&self, column: Vec<Option<Observed>>, why: &str) -> Vec<Observed> {
        column
            .into_iter()
            .map(|o| {
                o.unwrap_or_else(|| Observed {
                    behaviour: Behaviour::Failed(Failure::TimeLimit),
                    shown: why.to_owned(),
                    cpu: std::time::Duration::ZERO,
                    limit: std::time::Duration::ZERO,
                })
            })
            .collect()
    }
}

/// Whether program `c` timed out on this input while every other program answered it.
fn timed_out_alone(column: &[Observed], c: usize) -> bool {
    column.len() > 1
        && column[c].behaviour == Behaviour::Failed(Failure::TimeLimit)
        && column[c].shown != NOT_RUN
        && column
            .iter()
            .enumerate()
            .all(|(other, o)| other == c || matches!(o.behaviour, Behaviour::Output(_)))
}

/// An input is kept when at least one candidate answers it and at most half of them crash on
/// it (an input most programs reject is likely outside the problem's constraints). A time
/// limit is not a crash: a stress input that most candidates are too slow for stays.
fn keep(column: &[Observed], weight: &[usize]) -> bool {
    let total: usize = weight.iter().sum();
    let crashed: usize = column
        .iter()
        .zip(weight)
        .filter(|(o, _)| match &o.behaviour {
            Behaviour::Output(_) | Behaviour::Failed(Failure::TimeLimit) => false,
            Behaviour::Failed(
                Failure::CompileError
                | Failure::RuntimeError
                | Failure::MemoryLimit
                | Failure::OutputLimit,
            ) => true,
        })
        .map(|(_, w)| w)
        .sum();
    column.iter().any(|o| !o.behaviour.is_failure()) && 2 * crashed <= total
}

/// Behaviour classes of the programs after one more input: same class before and the same
/// behaviour on it (exact equality: a count of splits for the report and the stop rule).
fn refine(class: &[usize], column: &[Observed]) -> Vec<usize> {
    let mut ids: HashMap<(usize, &Behaviour), usize> = HashMap::new();
    class
        .iter()
        .zip(column)
        .map(|(&c, o)| {
            let next = ids.len();
            *ids.entry((c, &o.behaviour)).or_insert(next)
        })
        .collect()
}

/// Classes among the programs that answered some input (one that failed everywhere is left
/// out of the groups anyway).
fn answering_classes(class: &[usize], columns: &[Vec<Observed>]) -> usize {
    let answering: Vec<usize> = (0..class.len())
        .filter(|&c| columns.iter().any(|col| !col[c].behaviour.is_failure()))
        .map(|c| class[c])
        .collect();
    distinct_classes(&answering)
}

fn distinct_classes(class: &[usize]) -> usize {
    let mut seen: Vec<usize> = class.to_vec();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// Members (indices into `code_of`) grouped by behaviour; `signatures[code_of[m]]` is member
/// `m`'s behaviour on every kept input. Groups come in order of founding, members in order.
///
/// The rule, deterministic although tolerance-equality is not transitive: members are taken in
/// order (best first); each joins the first group, in order of founding, whose representative
/// (its first member) the problem's checker would accept it against on every input, the
/// representative's answer taken as the expected one; a member no group accepts founds a new
/// group. So every member is within the tolerance of its representative, not necessarily of
/// the other members. Identical programs and identical signatures are found by hash; only the
/// rest is compared group by group.
fn partition(code_of: &[usize], signatures: &[Vec<Behaviour>]) -> Vec<Vec<usize>> {
    let mut group_of_code: Vec<Option<usize>> = vec![None; signatures.len()];
    let mut by_signature: HashMap<&[Behaviour], usize> = HashMap::new();
    // (representative's code, members)
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for (member, &code) in code_of.iter().enumerate() {
        let group = match group_of_code[code] {
            Some(group) => group,
            None => {
                let signature = signatures[code].as_slice();
                let group = by_signature
                    .get(signature)
                    .copied()
                    .or_else(|| {
                        groups.iter().position(|(representative, _)| {
                            agrees_everywhere(&signatures[*representative], signature)
                        })
                    })
                    .unwrap_or_else(|| {
                        groups.push((code, Vec::new()));
                        groups.len() - 1
                    });
                by_signature.entry(signature).or_insert(group);
                group_of_code[code] = Some(group);
                group
            }
        };
        groups[group].1.push(member);
    }
    groups.into_iter().map(|(_, members)| members).collect()
}

/// Whether the checker accepts `actual` against `expected` on every input.
fn agrees_everywhere(expected: &[Behaviour], actual: &[Behaviour]) -> bool {
    expected.len() == actual.len() && expected.iter().zip(actual).all(|(e, a)| e.agrees(a))
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
            .filter(|(got, want)| want.as_ref().is_some_and(|want| want.agrees(got)))
            .count();
        group.agreements = Some(agreeing);
    }
}

#[cfg(test)]
mod tests {
    use sstar_pyjson as pyjson;
    use sstar_sandbox::{Outcome, Termination};

    use super::*;
    use crate::problem::{Checker, Kind};

    fn problem(kind: Kind, checker: Checker) -> Problem {
        Problem::bare(kind, checker)
    }

    /// A program's behaviour on each input: printed text, or `!` for a runtime error.
    fn signature(problem: &Problem, outputs: &[&str]) -> Vec<Behaviour> {
        outputs
            .iter()
            .map(|text| {
                let (termination, returned) = match (*text, problem.kind) {
                    ("!", _) => (Termination::RuntimeError { detail: "x".into() }, None),
                    (text, Kind::Function) => (
                        Termination::Finished,
                        Some(pyjson::from_str(text).expect("json")),
                    ),
                    (_, Kind::Stdio) => (Termination::Finished, None),
                };
                let outcome = Outcome {
                    termination,
                    stdout: text.as_bytes().to_vec(),
                    stderr: Vec::new(),
                    stderr_truncated: false,
                    returned,
                    exit_code: Some(0),
                    signal: None,
                    cpu: std::time::Duration::ZERO,
                    wall: std::time::Duration::ZERO,
                    memory_kb: 0,
                };
                Behaviour::of(problem, &outcome).expect("a program's behaviour")
            })
            .collect()
    }

    fn groups(problem: &Problem, programs: &[&[&str]]) -> Vec<Vec<usize>> {
        let signatures: Vec<Vec<Behaviour>> =
            programs.iter().map(|p| signature(problem, p)).collect();
        let code_of: Vec<usize> = (0..programs.len()).collect();
        partition(&code_of, &signatures)
    }

    #[test]
    fn float_outputs_equal_within_the_tolerance_share_a_group() {
        let float = problem(Kind::Stdio, Checker::Float);
        let programs: &[&[&str]] = &[
            &["0.0000031416", "2"],
            &["3.1415926535897933e-06", "2.0"],
            &["3.14159e-06", "2.0000001"],
            &["0.0000031416", "3"],
            &["!", "2"],
        ];
        assert_eq!(groups(&float, programs), [vec![0, 1, 2], vec![3], vec![4]]);
        // The same outputs under `lines` compare as exact decimals.
        let lines = problem(Kind::Stdio, Checker::Lines);
        assert_eq!(
            groups(&lines, programs),
            [vec![0], vec![1], vec![2], vec![3], vec![4]]
        );
        // ... which still makes 0.5 and 0.50 one answer.
        assert_eq!(
            groups(&lines, &[&["0.5"], &["0.50"], &["1/2"]]),
            [vec![0, 1], vec![2]]
        );
    }

    #[test]
    fn members_join_the_first_group_whose_representative_accepts_them() {
        // 1.0000015 is within 1e-6 of 1.0000008, which is within 1e-6 of 1.0000000, but not of
        // 1.0000000 itself: not transitive. Chains are cut at representatives.
        let float = problem(Kind::Stdio, Checker::Float);
        let chain: &[&[&str]] = &[&["1.0000000"], &["1.0000015"], &["1.0000008"]];
        assert_eq!(groups(&float, chain), [vec![0, 2], vec![1]]);
        let chain: &[&[&str]] = &[&["1.0000008"], &["1.0000000"], &["1.0000015"]];
        assert_eq!(groups(&float, chain), [vec![0, 1, 2]]);
        let chain: &[&[&str]] = &[&["1.0000000"], &["1.0000008"], &["1.0000015"]];
        assert_eq!(groups(&float, chain), [vec![0, 1], vec![2]]);
    }

    #[test]
    fn function_values_group_with_tolerance_only_under_float() {
        let programs: &[&[&str]] = &[&["[0.5, 2]"], &["[0.5000001, 2.0]"], &["[0.5, 2]"]];
        let float = problem(Kind::Function, Checker::Float);
        assert_eq!(groups(&float, programs), [vec![0, 1, 2]]);
        let exact = problem(Kind::Function, Checker::Lines);
        assert_eq!(groups(&exact, programs), [vec![0, 2], vec![1]]);
        let infinities: &[&[&str]] = &[&["Infinity"], &["1e308"], &["1e400"]];
        assert_eq!(groups(&float, infinities), [vec![0, 2], vec![1]]);
    }

    #[test]
    fn identical_programs_share_their_first_copys_group() {
        let float = problem(Kind::Stdio, Checker::Float);
        let signatures = vec![signature(&float, &["1"]), signature(&float, &["2"])];
        assert_eq!(
            partition(&[1, 0, 1, 0], &signatures),
            [vec![0, 2], vec![1, 3]]
        );
    }
}
