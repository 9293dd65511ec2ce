//! One problem's view: its samples and rounds, groups, distinguishing inputs, judgements,
//! the pick and why, and the diff against the runner-up.

use super::*;
use crate::schema::DecidedBy;

/// A fragment id for a problem: letters, digits, `-` and `.` kept, anything else as `_XX`
/// hex, so distinct ids stay distinct and every id is a safe URL fragment.
pub(super) fn anchor(id: &str) -> String {
    let mut out = String::from("problem-");
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'.' {
            out.push(byte as char);
        } else {
            out.push_str(&format!("_{byte:02x}"));
        }
    }
    out
}

pub(super) fn problem_view(files: &RunFiles, id: &str, pf: &ProblemFiles) -> ProblemView {
    let result = files.results.get(id);
    let eval = files.eval.as_ref();
    let scored = eval.and_then(|e| e.problems.get(id));
    let not_scored = eval.and_then(|e| e.not_scored.get(id));
    let selection = pf.selection.as_ref();
    let status = status_of(result, scored);
    let missing = missing_files(result, pf);
    let groups: &[GroupFile] = selection.map_or(&[], |s| &s.groups);
    let pick = selection.and_then(|s| s.pick.as_ref()).map(|p| PickView {
        sample: p.sample,
        reason: p.reason.clone(),
        group: groups.iter().position(|g| g.samples.contains(&p.sample)),
    });
    // A run with fewer than two groups has nothing to distinguish, whichever sstar wrote it.
    let outputs_recorded =
        selection.is_some_and(|s| s.groups.len() < 2 || !s.distinguishing.is_empty());
    let judged: Vec<usize> = selection
        .map(|s| s.comparisons.iter().filter_map(|c| c.input).collect())
        .unwrap_or_default();
    let input_view = |s: &SelectionFile, index: usize, (chars, lines): (usize, usize)| {
        let i = s.inputs.get(index)?;
        Some(InputView {
            index,
            source: i.source.name().to_owned(),
            tag: i.tag.clone(),
            seed: i.seed,
            bytes: i.bytes,
            kept: i.kept,
            splits: i.splits,
            file: i.file.clone(),
            preview: Folded::input(&i.preview, i.bytes, chars, lines),
            judged: judged.contains(&index),
            above: false,
        })
    };
    let shown = (OUTPUT_CHARS, OUTPUT_LINES);
    let distinguishing: Vec<InputView> = selection
        .map(|s| {
            if outputs_recorded {
                s.distinguishing
                    .iter()
                    .filter_map(|&k| input_view(s, k, shown))
                    .collect()
            } else {
                // Older runs: the inputs the judge saw, then those that split groups.
                let mut ks: Vec<usize> = judged.clone();
                ks.extend(
                    (0..s.inputs.len())
                        .filter(|&k| s.inputs[k].splits.is_some_and(|n| n > 0))
                        .take(LISTED_INPUTS),
                );
                ks.sort_unstable();
                ks.dedup();
                ks.into_iter()
                    .filter_map(|k| input_view(s, k, shown))
                    .collect()
            }
        })
        .unwrap_or_default();
    let group_views = group_views(groups, pick.as_ref());
    let mut by_source: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for i in selection.iter().flat_map(|s| &s.inputs) {
        let e = by_source.entry(i.source.name().to_owned()).or_default();
        e.0 += 1;
        e.1 += usize::from(i.kept);
    }
    // The first inputs, in short (the distinguishing ones are shown in full above).
    let inputs_listed: Vec<InputView> = selection
        .map(|s| {
            (0..s.inputs.len().min(LISTED_INPUTS))
                .filter_map(|k| input_view(s, k, (LISTED_CHARS, LISTED_LINES)))
                .map(|mut i| {
                    i.above = distinguishing.iter().any(|d| d.index == i.index);
                    i
                })
                .collect()
        })
        .unwrap_or_default();
    let comparisons: Vec<ComparisonView> = selection
        .map(|s| s.comparisons.iter().map(comparison_view).collect())
        .unwrap_or_default();
    let finals = selection.map(|s| s.finals.as_slice()).unwrap_or_default();
    let chosen = selection
        .and_then(|s| s.pick.as_ref())
        .and_then(|p| finals.get(p.final_index));
    let code = chosen.map(|f| Folded::new(&f.code, CODE_CHARS, CODE_LINES, IN_SELECTION));
    let diff = selection.and_then(|s| runner_up_diff(s, pick.as_ref()));
    let why = why(selection, pick.as_ref(), &group_views, &comparisons);
    ProblemView {
        id: id.into(),
        anchor: anchor(id),
        status,
        error: result.and_then(|r| r.error.clone()),
        difficulty: scored
            .and_then(|s| s.difficulty.clone())
            .or_else(|| result.and_then(|r| r.difficulty.clone())),
        source: scored
            .and_then(|s| s.source.clone())
            .or_else(|| result.and_then(|r| r.source.clone())),
        method: selection
            .map(|s| s.method.name().to_owned())
            .or_else(|| result.map(|r| r.select.clone()).filter(|m| !m.is_empty())),
        samples: result.map_or(finals.len(), |r| r.samples),
        compute: result.map(compute).unwrap_or_default(),
        finals: finals.len(),
        candidates: selection.map_or_else(
            || result.map_or(0, |r| r.candidates),
            |s| s.candidates.len(),
        ),
        groups_count: selection.map_or_else(|| result.map_or(0, |r| r.groups), |s| s.groups.len()),
        pick,
        verdict: scored.and_then(|s| s.verdict.map(|v| (v, s.passed, s.total))),
        not_scored: not_scored.map(not_scored_text),
        hidden_accepted: scored.and_then(|s| Some((s.finals_accepted?, s.finals?))),
        dollars: result.and_then(|r| r.cost_usd),
        tokens: result.map_or(0, |r| r.prompt_tokens + r.completion_tokens),
        seconds: result.map_or(0.0, |r| r.seconds),
        samples_view: samples(&pf.trace, finals),
        groups: group_views,
        always_failing: selection
            .map(|s| s.always_failing.clone())
            .unwrap_or_default(),
        distinguishing,
        outputs_recorded,
        inputs_listed,
        inputs_total: selection.map_or(0, |s| s.inputs.len()),
        inputs_by_source: by_source
            .into_iter()
            .map(|(k, (n, kept))| (k, n, kept))
            .collect(),
        input_counts: selection
            .and_then(|s| s.input_counts.as_ref())
            .map(input_counts_text),
        comparisons,
        judge: selection.and_then(|s| s.judge.as_ref()).map(judge_text),
        why,
        code,
        language: chosen.map(|f| f.language),
        diff,
        missing,
    }
}

/// Where the problem got to: the run's result line, and the hidden verdict when evaluated.
fn status_of(result: Option<&ProblemResult>, scored: Option<&crate::eval::EvalProblem>) -> Status {
    match (result.map(|r| r.status), scored) {
        (None, _) => Status::Unfinished,
        (Some(ResultStatus::Error), _) => Status::Errored,
        (Some(ResultStatus::NoCandidate), _) => Status::NoCandidate,
        (Some(ResultStatus::Selected), Some(s)) if s.verdict.is_some() => {
            if s.accepted() {
                Status::Accepted
            } else {
                Status::Wrong
            }
        }
        (Some(ResultStatus::Selected), _) => Status::Selected,
    }
}

/// The problem's files the page needed and did not find, in words.
fn missing_files(result: Option<&ProblemResult>, pf: &ProblemFiles) -> Vec<String> {
    let mut missing = Vec::new();
    if result.is_none() {
        missing.push("no line in results.jsonl: the problem never finished".into());
    }
    let ran = result.is_some_and(|r| r.status != ResultStatus::Error);
    if pf.selection.is_none() && ran {
        missing.push("selection.json".into());
    }
    if !pf.has_trace && ran {
        missing.push("trace.jsonl".into());
    }
    if pf.trace_torn {
        missing.push("trace.jsonl ends in a torn line (the run was killed); it is left out".into());
    }
    missing
}

fn group_views(groups: &[GroupFile], pick: Option<&PickView>) -> Vec<GroupView> {
    groups
        .iter()
        .enumerate()
        .map(|(index, g)| GroupView {
            index,
            samples: g.samples.clone(),
            wins: g.wins,
            agreement: g.agreement,
            agreements: g.agreements,
            picked: pick.is_some_and(|p| p.group == Some(index)),
            outputs: g
                .outputs
                .iter()
                .map(|o| Folded::new(value(o), OUTPUT_CHARS, OUTPUT_LINES, IN_SELECTION))
                .collect(),
        })
        .collect()
}

/// Why eval left the problem out, in words.
fn not_scored_text(n: &crate::eval::NotScored) -> String {
    let reason = match n.reason {
        NotScoredReason::Errored => "errored",
        NotScoredReason::Unfinished => "unfinished",
        NotScoredReason::Malformed => "malformed problem",
        NotScoredReason::NoHiddenTests => "no hidden tests",
        NotScoredReason::InternalError => "internal error (the sandbox failed a run)",
    };
    match &n.detail {
        Some(d) => format!("{reason}: {d}"),
        None => reason.into(),
    }
}

/// Model-free selection's input budget in a line.
fn input_counts_text(c: &crate::schema::InputCounts) -> String {
    let mut text = format!(
        "{} generated, {} run, {} kept; {} executions (budget {})",
        c.generated, c.run, c.kept, c.executions, c.budget
    );
    if let Some(stopped) = &c.stopped {
        text.push_str(&format!("; stopped: {stopped}"));
    }
    text
}

pub(super) fn samples(
    trace: &[TraceLine],
    finals: &[crate::schema::FinalRecord],
) -> Vec<SampleView> {
    // Samples failing the same test often get the same feedback (and errors repeat): each
    // text is shown once per problem.
    let mut feedback_seen = Seen::new();
    let mut problem_seen = Seen::new();
    let mut by_sample: BTreeMap<usize, Vec<&TraceLine>> = BTreeMap::new();
    for line in trace {
        by_sample.entry(line.sample).or_default().push(line);
    }
    by_sample
        .into_iter()
        .map(|(sample, mut lines)| {
            lines.sort_by_key(|l| l.round);
            // A resumed run may record a round twice: the last record of a round wins.
            lines.reverse();
            lines.dedup_by_key(|l| l.round);
            lines.reverse();
            SampleView {
                sample,
                passes_public: finals
                    .iter()
                    .any(|f| f.sample == sample && f.public_passed == f.public_total),
                rounds: lines
                    .into_iter()
                    .map(|l| RoundView {
                        feedback: l.feedback.as_deref().map(|f| {
                            feedback_seen.once(f, (sample, l.round), |f| {
                                Folded::new(
                                    &fold_fenced(f, FEEDBACK_BLOCK_CHARS),
                                    FEEDBACK_CHARS,
                                    FEEDBACK_LINES,
                                    IN_TRACE,
                                )
                            })
                        }),
                        problem: l.error.as_deref().or(l.reply.as_deref()).map(|t| {
                            problem_seen.once(t, (sample, l.round), |t| {
                                Folded::new(t, REPLY_CHARS, REPLY_LINES, IN_TRACE)
                            })
                        }),
                        round: l.round,
                        status: l.status.as_str().into(),
                        public: l
                            .public
                            .iter()
                            .map(|p| (p.name.clone(), p.verdict))
                            .collect(),
                        passed: l.public_passed,
                        total: l.public_total,
                        tokens: l.prompt_tokens + l.completion_tokens,
                        cached: l.cached,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// An input or output as shown: its one trailing newline is noise on a page.
fn value(text: &str) -> &str {
    text.strip_suffix('\n').unwrap_or(text)
}

fn group_name(g: usize) -> String {
    format!("group {}", g + 1)
}

pub(super) fn comparison_view(c: &ComparisonFile) -> ComparisonView {
    // First asked with group a as A; then swapped, group b shown as A.
    let said = |answer: Option<&Option<char>>, as_a: usize, as_b: usize| -> String {
        match answer.copied().flatten() {
            Some(a) if a.eq_ignore_ascii_case(&'a') => format!("A ({})", group_name(as_a)),
            Some(b) if b.eq_ignore_ascii_case(&'b') => format!("B ({})", group_name(as_b)),
            Some(other) => format!("{other:?}"),
            None => "no answer".into(),
        }
    };
    let asked = said(c.answers.first(), c.a, c.b);
    let swapped = said(c.answers.get(1), c.b, c.a);
    let sentence = match (c.decided_by, c.winner) {
        (DecidedBy::TimeLimit, Some(w)) => format!(
            "{} wins without asking: the other timed out on the stress input",
            group_name(w)
        ),
        (DecidedBy::Model, Some(w)) if c.votes.len() > 2 => format!(
            "{} wins: both orders agree, in all {} rounds",
            group_name(w),
            c.votes.len() / 2
        ),
        (DecidedBy::Model, Some(w)) => format!("{} wins: both orders agree", group_name(w)),
        (DecidedBy::Votes, Some(w)) => {
            let for_w = c.votes.iter().filter(|v| v.group == Some(w)).count();
            let against = c.votes.iter().filter(|v| v.group.is_some()).count() - for_w;
            format!(
                "{} wins {for_w} votes to {against} over {} rounds (the orders disagreed)",
                group_name(w),
                c.votes.len() / 2
            )
        }
        (DecidedBy::Tie, _) | (_, None) => {
            if c.input.is_none() && c.answers.iter().all(Option::is_none) {
                "tie: no input tells them apart".into()
            } else if c.votes.len() > 2 {
                format!("tie: votes split evenly over {} rounds", c.votes.len() / 2)
            } else {
                "tie: the two orders disagree (or no answer)".into()
            }
        }
        (DecidedBy::Unknown, Some(w)) => format!("{} wins", group_name(w)),
    };
    ComparisonView {
        a: c.a,
        b: c.b,
        input: c.input,
        asked,
        swapped,
        later: c
            .votes
            .chunks(2)
            .skip(1)
            .map(|round| {
                let answers: Vec<String> = round
                    .iter()
                    .map(|v| v.answer.map_or("-".into(), String::from))
                    .collect();
                let on = round[0]
                    .input
                    .map_or_else(String::new, |i| format!(" on #{i}"));
                format!("{}{on}", answers.join(" "))
            })
            .collect(),
        sentence,
    }
}

fn judge_text(j: &JudgeFile) -> String {
    format!(
        "The judge gave {} votes in {} rounds over {} pairs; its two orders disagreed in {} \
         rounds (flip rate {:.0}%).",
        j.votes,
        j.rounds,
        j.pairs,
        j.split_rounds,
        j.flip_rate * 100.0
    )
}

/// The pick and why, in sentences.
fn why(
    selection: Option<&SelectionFile>,
    pick: Option<&PickView>,
    groups: &[GroupView],
    comparisons: &[ComparisonView],
) -> Vec<String> {
    let (Some(s), Some(p)) = (selection, pick) else {
        return Vec::new();
    };
    let mut out = vec![format!(
        "Sample {} was picked by {}: {}.",
        p.sample,
        s.method.name(),
        p.reason
    )];
    let passing = format!(
        "{} of {} final programs pass every public test",
        s.candidates.len(),
        s.finals.len()
    );
    let kept = s.inputs.iter().filter(|i| i.kept).count();
    out.push(if groups.is_empty() {
        format!("{passing}; no behaviour groups were needed.")
    } else {
        format!(
            "{passing}; they form {} behaviour group{} on {kept} kept synthesized input{}.",
            groups.len(),
            if groups.len() == 1 { "" } else { "s" },
            if kept == 1 { "" } else { "s" },
        )
    });
    if let Some(g) = p.group.and_then(|g| groups.get(g)) {
        let mut line = format!(
            "Its {} holds sample{} {}",
            group_name(g.index),
            if g.samples.len() == 1 { "" } else { "s" },
            join(&g.samples)
        );
        let played = comparisons
            .iter()
            .filter(|c| c.a == g.index || c.b == g.index)
            .count();
        if played > 0 {
            line.push_str(&format!(
                " and won {} of its {} pairwise judgement{}",
                g.wins,
                played,
                if played == 1 { "" } else { "s" }
            ));
        }
        if let Some(a) = g.agreement {
            line.push_str(&format!(
                " and has {a} agreeing answers from other candidates"
            ));
        }
        line.push('.');
        out.push(line);
    }
    if s.model_free {
        out.push("No model was asked: selection was model-free.".into());
    }
    if s.analysis_only {
        out.push(
            "The pick used the hidden tests (oracle): analysis only, not a fair score.".into(),
        );
    }
    if !s.always_failing.is_empty() {
        out.push(format!(
            "Left out for failing on every synthesized input: sample{} {}.",
            if s.always_failing.len() == 1 { "" } else { "s" },
            join(&s.always_failing)
        ));
    }
    out
}

/// Sample or group numbers as a list: `0, 2, 5`.
pub(crate) fn join(items: &[usize]) -> String {
    items
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The pick's code against the runner-up's: the best other group (by wins, agreement,
/// size), else the first other public-passing program with different code.
fn runner_up_diff(s: &SelectionFile, pick: Option<&PickView>) -> Option<DiffView> {
    let pick = pick?;
    let chosen = s.finals.get(s.pick.as_ref()?.final_index)?;
    let code_of = |sample: usize| s.finals.iter().find(|f| f.sample == sample);
    let mut others: Vec<(usize, &GroupFile)> = s
        .groups
        .iter()
        .enumerate()
        .filter(|(g, _)| Some(*g) != pick.group)
        .collect();
    others.sort_by_key(|(g, group)| {
        (
            std::cmp::Reverse(group.wins),
            std::cmp::Reverse(group.agreement.unwrap_or(0)),
            std::cmp::Reverse(group.samples.len()),
            *g,
        )
    });
    let (runner, why) = match others.first() {
        Some((g, group)) => {
            let sample = *group.samples.first()?;
            (
                code_of(sample)?,
                format!(
                    "the first sample of the best other group, {}",
                    group_name(*g)
                ),
            )
        }
        None => {
            let other = s
                .candidates
                .iter()
                .filter_map(|&i| s.finals.get(i))
                .find(|f| f.code != chosen.code)?;
            (
                other,
                "the first other public-passing program with different code".into(),
            )
        }
    };
    let (lines, omitted) = line_diff(&runner.code, &chosen.code, DIFF_RUN_LINES, DIFF_LINES);
    Some(DiffView {
        runner_up: runner.sample,
        why,
        lines,
        omitted,
    })
}

/// What a problem spent, and why sampling and selection stopped, in sentences.
fn compute(result: &crate::schema::ProblemResult) -> Vec<String> {
    let mut lines = Vec::new();
    if let (Some(used), Some(stop)) = (result.samples_used, result.sampling_stopped) {
        lines.push(format!(
            "Sampling took {used} of {} samples: {}.",
            result.samples,
            stop.describe()
        ));
    }
    if let Some(stop) = &result.selection_stopped {
        lines.push(format!("Selection ran no more inputs: {stop}."));
    }
    lines.push(format!(
        "{} sandbox executions, {:.1} s in the sandbox.",
        result.executions, result.sandbox_seconds
    ));
    if let Some(out) = &result.budget_exhausted {
        lines.push(format!(
            "Budget: {out}; the pick is among what the problem had by then."
        ));
    }
    lines
}
