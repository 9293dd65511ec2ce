//! Stage 2: choose one program among the final ones, by the method asked (`--select`, docs/cli.md).

use std::sync::Arc;

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use self::groups::{group_candidates, Group};
use self::inputs::{synthesize, SynthInput};
use crate::pipeline::context::{Context, Counters};
use crate::pipeline::generate::FinalProgram;
use crate::pipeline::prompts::truncate;

mod agreement;
pub(super) mod behaviour;
pub(super) mod groups;
pub(super) mod inputs;
mod mutate;
mod synth;
pub(super) mod tournament;
use crate::judge::JudgeError;
use crate::problem::Problem;
use crate::program::Program;
use crate::schema::{
    Comparison, FinalRecord, GroupRecord, InputCounts, InputRecord, Pick, SelectionReport,
    VoteSummary,
};

/// `--select`: how to pick among the final programs. One spelling ([`SelectMethod::name`]) on
/// the command line and in every file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SelectMethod {
    /// Synthesized inputs, behaviour groups, pairwise judgement on real outputs.
    Sstar,
    /// The first sample that passes the public tests.
    First,
    /// A seeded random choice among the public-passing samples.
    Random,
    /// The largest behaviour group on synthesized inputs.
    Majority,
    /// Pairwise judgement from the code alone.
    LlmJudge,
    /// The best public pass rate.
    Public,
    /// Uses the hidden tests: for analysis only.
    Oracle,
}

impl SelectMethod {
    /// The method's one spelling, as typed on the command line and written in every file.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sstar => "sstar",
            Self::First => "first",
            Self::Random => "random",
            Self::Majority => "majority",
            Self::LlmJudge => "llm-judge",
            Self::Public => "public",
            Self::Oracle => "oracle",
        }
    }
}

/// The report before any choice: every final program, and which pass the public tests.
fn unpicked(ctx: &Context, finals: &[FinalProgram]) -> SelectionReport {
    let method = ctx.settings.select;
    SelectionReport {
        format: crate::schema::Format::current(),
        method,
        model_free: ctx.llm.is_none(),
        analysis_only: method == SelectMethod::Oracle,
        finals: finals
            .iter()
            .map(|f| FinalRecord {
                sample: f.sample,
                public_passed: f.public_passed,
                public_total: f.public_total,
                code: f.program.code.to_string(),
                language: f.program.language,
            })
            .collect(),
        candidates: (0..finals.len())
            .filter(|&i| finals[i].passes_public())
            .collect(),
        inputs: Vec::new(),
        groups: Vec::new(),
        always_failing: Vec::new(),
        comparisons: Vec::new(),
        judge: None,
        distinguishing: Vec::new(),
        pick: None,
        input_counts: None,
    }
}

/// Picks a program among `finals` (each sample's last program, if any) by the method asked;
/// `inputs`, when stage 1 already synthesized them, are used rather than made again.
pub async fn select(
    ctx: &Context,
    problem: &Arc<Problem>,
    finals: Vec<FinalProgram>,
    inputs: Option<Vec<SynthInput>>,
    counter: &Counters,
) -> Result<SelectionReport, JudgeError> {
    let method = ctx.settings.select;
    let mut report = unpicked(ctx, &finals);
    if finals.is_empty() {
        return Ok(report);
    }
    if method == SelectMethod::Oracle {
        report.pick = Some(oracle(ctx, problem, &finals, counter).await?);
        return Ok(report);
    }
    // When no program passes every public test, every method falls back to `public`; when
    // they are all one program, there is nothing to choose.
    if method == SelectMethod::Public || report.candidates.is_empty() {
        report.pick = Some(public(&finals, &report.candidates));
        return Ok(report);
    }
    if let Some(pick) = identical(&finals, &report.candidates) {
        report.pick = Some(pick);
        return Ok(report);
    }
    let candidates: Vec<&FinalProgram> = report.candidates.iter().map(|&i| &finals[i]).collect();
    match method {
        SelectMethod::First => report.pick = Some(first(&finals, &report.candidates)),
        SelectMethod::Random => {
            // Drawn per problem: one seed for all would pick the same sample index everywhere.
            let seed = ctx.settings.seed ^ inputs::fnv1a(&problem.id);
            let mut rng = crate::seeded::seeded(seed);
            report.pick = Some(random(ctx, &finals, &report.candidates, &mut rng));
        }
        SelectMethod::LlmJudge if ctx.llm.is_some() => {
            llm_judge(ctx, problem, &finals, &candidates, &mut report, counter).await;
        }
        // Without a model, `llm-judge` ranks behaviour groups as `majority` does.
        SelectMethod::LlmJudge | SelectMethod::Majority | SelectMethod::Sstar => {
            by_behaviour(ctx, problem, &candidates, inputs, &mut report, counter).await?;
        }
        SelectMethod::Public | SelectMethod::Oracle => {}
    }
    Ok(report)
}

/// `finals[final_index]`, picked for `reason`.
fn pick(finals: &[FinalProgram], final_index: usize, reason: impl Into<String>) -> Pick {
    Pick {
        final_index,
        sample: finals[final_index].sample,
        reason: reason.into(),
    }
}

/// The first of the programs that pass the most public tests.
fn best_public(finals: &[FinalProgram]) -> usize {
    (0..finals.len())
        .max_by_key(|&i| (finals[i].public_passed, std::cmp::Reverse(i)))
        .unwrap_or(0)
}

/// `oracle` (analysis only): the first final program accepted on every hidden test, else the
/// best public pass rate.
async fn oracle(
    ctx: &Context,
    problem: &Arc<Problem>,
    finals: &[FinalProgram],
    counter: &Counters,
) -> Result<Pick, JudgeError> {
    for (i, program) in finals.iter().enumerate() {
        if passes_hidden(ctx, problem, program, counter).await? {
            return Ok(pick(
                finals,
                i,
                "oracle: first final program accepted on the hidden tests",
            ));
        }
    }
    Ok(pick(
        finals,
        best_public(finals),
        "oracle: no final program passes the hidden tests; best public pass rate",
    ))
}

/// Whether `program` is accepted on every hidden test (judging stops at the first it fails).
async fn passes_hidden(
    ctx: &Context,
    problem: &Arc<Problem>,
    program: &FinalProgram,
    counter: &Counters,
) -> Result<bool, JudgeError> {
    for test in &problem.hidden {
        let result = ctx
            .executor
            .judge(problem, &program.program, test, counter)
            .await?;
        if !result.verdict.is_accepted() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `public`, and every other method's answer when no program passes every public test: the
/// best public pass rate.
fn public(finals: &[FinalProgram], candidates: &[usize]) -> Pick {
    let why = if candidates.is_empty() {
        "no program passes every public test: "
    } else {
        ""
    };
    pick(
        finals,
        best_public(finals),
        format!("{why}best public pass rate"),
    )
}

/// The first candidate when every candidate is the same program: there is nothing to choose.
fn identical(finals: &[FinalProgram], candidates: &[usize]) -> Option<Pick> {
    let mut codes: Vec<&str> = candidates
        .iter()
        .map(|&i| &*finals[i].program.code)
        .collect();
    codes.sort_unstable();
    codes.dedup();
    if codes.len() != 1 {
        return None;
    }
    let reason = if candidates.len() == 1 {
        "the only program passing the public tests"
    } else {
        "all public-passing programs are identical"
    };
    Some(pick(finals, candidates[0], reason))
}

/// `first`: the first sample passing the public tests.
fn first(finals: &[FinalProgram], candidates: &[usize]) -> Pick {
    pick(
        finals,
        candidates[0],
        "first sample passing the public tests",
    )
}

/// `random`: a candidate drawn with `rng` (seeded from `--select-seed` and the problem id).
fn random(
    ctx: &Context,
    finals: &[FinalProgram],
    candidates: &[usize],
    rng: &mut impl rand::Rng,
) -> Pick {
    let chosen = *candidates.choose(rng).unwrap_or(&candidates[0]);
    pick(
        finals,
        chosen,
        format!(
            "seeded random choice (seed {} and the problem id)",
            ctx.settings.seed
        ),
    )
}

/// `llm-judge` (with a model): a pairwise tournament judged from the code alone, among the
/// first distinct candidates (at most `--max-groups`).
async fn llm_judge(
    ctx: &Context,
    problem: &Arc<Problem>,
    finals: &[FinalProgram],
    candidates: &[&FinalProgram],
    report: &mut SelectionReport,
    counter: &Counters,
) {
    let mut codes: Vec<(usize, &Program)> = Vec::new();
    for (position, c) in candidates.iter().enumerate() {
        if !codes.iter().any(|(_, program)| **program == c.program)
            && codes.len() < ctx.settings.max_groups
        {
            codes.push((position, &c.program));
        }
    }
    let texts: Vec<&Program> = codes.iter().map(|(_, c)| *c).collect();
    report.comparisons = tournament::by_code(ctx, problem, &texts, counter).await;
    report.judge = VoteSummary::of(&report.comparisons);
    let (best, wins) = tournament::rank(
        &vec![1; texts.len()],
        &report.comparisons,
        ctx.settings.seed,
    );
    report.groups = codes
        .iter()
        .zip(&wins)
        .map(|((p, _), &w)| GroupRecord {
            samples: vec![candidates[*p].sample],
            wins: w,
            agreements: None,
            agreement: None,
            outputs: Vec::new(),
        })
        .collect();
    let chosen = report.candidates[codes[best].0];
    report.pick = Some(pick(
        finals,
        chosen,
        "won the most code-only pairwise judgements",
    ));
}

/// Writes each input whole to `problems/<id>/inputs/K.in` on the run's file thread; a failed
/// write is logged and leaves that input with its preview only (the run goes on).
async fn save_inputs(
    ctx: &Context,
    problem: &Problem,
    inputs: &[SynthInput],
) -> Vec<Option<String>> {
    let (dir, id) = (ctx.run.inputs_dir(&problem.id), problem.id.clone());
    let data: Vec<Arc<[u8]>> = inputs.iter().map(|input| input.data.clone()).collect();
    let count = data.len();
    let saved = ctx
        .writer
        .run(move || Ok(write_inputs(&dir, &id, &data)))
        .await;
    saved.unwrap_or_else(|e| {
        tracing::warn!("{}: cannot save inputs: {e}", problem.id);
        vec![None; count]
    })
}

fn write_inputs(dir: &std::path::Path, id: &str, inputs: &[Arc<[u8]>]) -> Vec<Option<String>> {
    // No fsync per file: the inputs are a record, rebuilt from the caches if a crash tears one.
    let made = std::fs::create_dir_all(dir);
    inputs
        .iter()
        .enumerate()
        .map(|(k, data)| {
            let name = format!("{k}.in");
            let written = match &made {
                Ok(()) => std::fs::write(dir.join(&name), data),
                Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
            };
            match written {
                Ok(()) => Some(format!("inputs/{name}")),
                Err(e) => {
                    tracing::warn!("{id}: cannot save input {k}: {e}");
                    None
                }
            }
        })
        .collect()
}

/// `sstar` and `majority` (and `llm-judge` without a model): run the candidates on synthesized
/// inputs, group them by behaviour, then rank the groups: by judgement on real outputs, by
/// agreement (with the other candidates or with given expected outputs), or by size.
async fn by_behaviour(
    ctx: &Context,
    problem: &Arc<Problem>,
    candidates: &[&FinalProgram],
    inputs: Option<Vec<SynthInput>>,
    report: &mut SelectionReport,
    counter: &Counters,
) -> Result<(), JudgeError> {
    let mut inputs: Vec<SynthInput> = match inputs {
        Some(inputs) => inputs,
        None => synthesize(ctx, problem, counter).await?,
    };
    let behaviours = group_candidates(ctx, problem, candidates, &inputs, counter).await?;
    let generated = inputs.len();
    inputs.truncate(behaviours.run);
    let distinct = {
        let mut codes: Vec<&str> = candidates.iter().map(|c| &*c.program.code).collect();
        codes.sort_unstable();
        codes.dedup();
        codes.len()
    };
    report.input_counts = Some(InputCounts {
        generated,
        run: behaviours.run,
        kept: behaviours.kept.len(),
        executions: behaviours.run * distinct,
        budget: groups::EXECUTION_BUDGET,
        stopped: behaviours.stopped,
    });
    let files = save_inputs(ctx, problem, &inputs).await;
    report.inputs = inputs
        .iter()
        .zip(files)
        .enumerate()
        .map(|(k, (input, file))| InputRecord {
            source: input.source,
            seed: input.seed,
            bytes: input.data.len(),
            preview: truncate(&String::from_utf8_lossy(&input.data), 200),
            file,
            kept: behaviours.kept.contains(&k),
            tag: input.tag.clone(),
            splits: Some(behaviours.splits.get(k).copied().unwrap_or(0)),
        })
        .collect();
    report.always_failing = behaviours
        .always_failing
        .iter()
        .map(|&m| candidates[m].sample)
        .collect();
    let groups = &behaviours.groups;
    let sizes: Vec<usize> = groups.iter().map(|g| g.members.len()).collect();
    // A budget that ran out before judging leaves the model-free ranking.
    let to_judge =
        ctx.settings.select == SelectMethod::Sstar && ctx.llm.is_some() && groups.len() > 1;
    let budget_out = to_judge && !ctx.may_ask(&problem.id, crate::llm::Role::Judge, counter);
    let judged = to_judge && !budget_out;
    let dual = if judged {
        None
    } else {
        dual_agreement(ctx, groups)
    };
    let model_free =
        ctx.settings.select == SelectMethod::Sstar && (ctx.llm.is_none() || budget_out);
    let agreement = (model_free && dual.is_none()).then(|| agreement::scores(groups));
    let code = |m: usize| &*candidates[m].program.code;
    let mut chosen_member = None;
    let (best, wins, reason) = if let Some(scores) = &agreement {
        let best = agreement::best(groups, scores, ctx.settings.seed, code);
        chosen_member = groups
            .get(best)
            .map(|g| agreement::member(g, ctx.settings.seed, code));
        let reason = format!(
            "{}model-free: most agreement with the other candidates ({} agreeing answers on {} \
             kept inputs; group of {})",
            if budget_out {
                "the budget ran out before judging; "
            } else {
                ""
            },
            scores.get(best).copied().unwrap_or(0),
            behaviours.kept.len(),
            groups.get(best).map_or(0, |g| g.members.len())
        );
        (best, vec![0; groups.len()], reason)
    } else if judged {
        let top = &groups[..groups.len().min(ctx.settings.max_groups)];
        let bout = tournament::Bout {
            ctx,
            problem,
            candidates,
            groups: top,
            kept: &behaviours.kept,
            inputs: &inputs,
            counter,
        };
        let (comparisons, best) = bout.knockout().await;
        report.comparisons = comparisons;
        report.judge = VoteSummary::of(&report.comparisons);
        let wins = tournament::wins(top.len(), &report.comparisons);
        let played = report
            .comparisons
            .iter()
            .filter(|c| c.a == best || c.b == best)
            .count();
        let reason = format!(
            "won the knockout of pairwise judgements on real outputs ({} of its {played} pairs)",
            wins[best]
        );
        (best, wins, reason)
    } else if let Some(scores) = dual {
        let (best, wins) = tournament::rank(&scores, &[], ctx.settings.seed);
        let reason = format!(
            "model-free, with given expected outputs: CodeT's dual agreement (group size {} \
             x {} expected outputs reproduced), then size",
            sizes[best],
            groups[best].agreements.unwrap_or(0)
        );
        (best, wins, reason)
    } else {
        let why = if ctx.settings.select == SelectMethod::Sstar && ctx.llm.is_none() {
            "model-free: largest behaviour group"
        } else if groups.len() == 1 {
            "every candidate behaves the same on the synthesized inputs"
        } else {
            "largest behaviour group"
        };
        let (best, wins) = tournament::rank(&sizes, &[], ctx.settings.seed);
        (best, wins, why.to_owned())
    };
    report.distinguishing = distinguishing(
        &behaviours.kept,
        groups,
        &behaviours.splits,
        &report.comparisons,
    );
    let shown_on = |group: &Group, input: usize| {
        let k = behaviours.kept.iter().position(|&i| i == input);
        k.and_then(|k| group.shown.get(k))
            .map_or_else(String::new, |o| o.shown.clone())
    };
    report.groups = groups
        .iter()
        .enumerate()
        .map(|(g, group)| GroupRecord {
            samples: group
                .members
                .iter()
                .map(|&m| candidates[m].sample)
                .collect(),
            wins: wins.get(g).copied().unwrap_or(0),
            agreements: group.agreements,
            agreement: agreement.as_ref().map(|s| s[g]),
            outputs: report
                .distinguishing
                .iter()
                .map(|&input| shown_on(group, input))
                .collect(),
        })
        .collect();
    let chosen =
        chosen_member.unwrap_or_else(|| groups.get(best).map_or(0, |g| g.representative()));
    let final_index = report.candidates[chosen];
    report.pick = Some(Pick {
        final_index,
        sample: candidates[chosen].sample,
        reason,
    });
    Ok(())
}

/// Inputs split off from others that record per group outputs (beyond those the judge saw):
/// enough to see why groups differ, few enough to keep selection.json small.
const DISTINGUISHING_SPLITS: usize = 8;

/// The inputs worth showing each group's output on: every input a judge was shown, then the
/// first inputs that split groups apart and on which the final groups still differ.
fn distinguishing(
    kept: &[usize],
    groups: &[Group],
    splits: &[usize],
    comparisons: &[Comparison],
) -> Vec<usize> {
    let Some(first) = groups.first().filter(|_| groups.len() > 1) else {
        return Vec::new();
    };
    let mut chosen: Vec<usize> = comparisons.iter().filter_map(|c| c.input).collect();
    let differ = |k: usize| {
        groups
            .iter()
            .any(|g| !g.signature[k].agrees(&first.signature[k]))
    };
    let split_inputs = kept
        .iter()
        .enumerate()
        .filter(|&(k, &input)| splits.get(input).is_some_and(|&n| n > 0) && differ(k))
        .map(|(_, &input)| input)
        .filter(|input| !chosen.contains(input))
        .take(DISTINGUISHING_SPLITS)
        .collect::<Vec<_>>();
    chosen.extend(split_inputs);
    chosen.sort_unstable();
    chosen.dedup();
    chosen
}

/// Model-free `sstar` selection when `--inputs` gave expected outputs: each group scores its
/// size times the expected outputs it reproduces (CodeT's dual agreement), ties by size. The
/// outputs only rank groups; no candidate is ever rejected for disagreeing with them.
fn dual_agreement(ctx: &Context, groups: &[Group]) -> Option<Vec<(usize, usize)>> {
    if ctx.settings.select != SelectMethod::Sstar || ctx.llm.is_some() {
        return None;
    }
    let scores: Vec<(usize, usize)> = groups
        .iter()
        .map(|g| {
            let size = g.members.len();
            g.agreements.map(|a| (size * a, size))
        })
        .collect::<Option<_>>()?;
    // No group reproduces any expected output: they say nothing, size decides.
    scores.iter().any(|&(score, _)| score > 0).then_some(scores)
}
