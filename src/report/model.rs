//! The view model: a run's files turned into what the page shows, in the page's words. All
//! decisions (what is missing, which group won, who is the runner-up, what to fold) are made
//! here, so the HTML layer only lays them out and the tests can check them without HTML.

use std::collections::BTreeMap;

use super::diff::{line_diff, DiffLine};
use super::files::{ComparisonFile, ProblemFiles, RunFiles, SelectionFile, TraceLine};
use super::fold::{
    fold_fenced, Folded, Once, Seen, CODE_CHARS, CODE_LINES, DIFF_LINES, DIFF_RUN_LINES,
    FEEDBACK_BLOCK_CHARS, FEEDBACK_CHARS, FEEDBACK_LINES, IN_SELECTION, IN_TRACE, LISTED_CHARS,
    LISTED_INPUTS, LISTED_LINES, OUTPUT_CHARS, OUTPUT_LINES, REPLY_CHARS, REPLY_LINES,
};
use crate::eval::{Breakdown, NotScoredReason, PairedDifference, Rate};
use crate::store::{ProblemResult, RecordedSettings, ResultStatus};
use crate::Verdict;

#[derive(Debug)]
pub(crate) struct Report {
    pub overview: Overview,
    pub problems: Vec<ProblemView>,
}

#[derive(Debug)]
pub(crate) struct Overview {
    pub title: String,
    /// What is absent from the run directory, in words.
    pub missing: Vec<String>,
    pub set: Option<String>,
    pub command: Option<String>,
    pub version: Option<String>,
    pub started: Option<String>,
    pub finished: Option<String>,
    pub settings: Vec<(String, String)>,
    pub models: Vec<String>,
    pub method: Option<String>,
    pub model_free: bool,
    pub analysis_only: bool,
    pub sandbox: Option<String>,
    pub problems: usize,
    pub status_counts: Vec<(Status, usize)>,
    pub evaluated: bool,
    pub pass_at_1: Option<Rate>,
    pub pass_at_n: Option<Rate>,
    /// Scored problems, and whether that is all of them.
    pub scored: usize,
    pub complete: bool,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub llm_calls: u64,
    pub dollars: Option<f64>,
    pub sandbox_seconds: f64,
    pub executions: u64,
    /// Sum of the problems' own wall times (they overlap when run concurrently).
    pub problem_seconds: f64,
    /// From run.json's start and end.
    pub wall_seconds: Option<f64>,
    pub stages: Vec<StageRow>,
    pub by_difficulty: Vec<(String, Breakdown)>,
    pub by_source: Vec<(String, Breakdown)>,
    /// This run and each run it was compared with (`eval --against`).
    pub methods: Vec<MethodRow>,
}

#[derive(Debug, Clone)]
pub(crate) struct StageRow {
    pub stage: String,
    pub calls: u64,
    pub tokens: u64,
    /// Model latency summed over the stage's calls.
    pub seconds: f64,
    pub dollars: Option<f64>,
}

#[derive(Debug, Clone)]
pub(crate) struct MethodRow {
    /// For the chart: the selection method.
    pub short: String,
    pub label: String,
    pub pass_at_1: Rate,
    /// This run minus that one, paired (`None` for this run itself).
    pub difference: Option<PairedDifference>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Status {
    Accepted,
    Wrong,
    Selected,
    NoCandidate,
    Errored,
    Unfinished,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Wrong => "wrong",
            Self::Selected => "selected",
            Self::NoCandidate => "no candidate",
            Self::Errored => "errored",
            Self::Unfinished => "unfinished",
        }
    }

    /// For CSS classes and the filter.
    pub fn key(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Wrong => "wrong",
            Self::Selected => "selected",
            Self::NoCandidate => "no-candidate",
            Self::Errored => "errored",
            Self::Unfinished => "unfinished",
        }
    }

    pub const ALL: [Status; 6] = [
        Self::Accepted,
        Self::Wrong,
        Self::Selected,
        Self::NoCandidate,
        Self::Errored,
        Self::Unfinished,
    ];
}

#[derive(Debug)]
pub(crate) struct ProblemView {
    pub id: String,
    pub anchor: String,
    pub status: Status,
    pub error: Option<String>,
    pub difficulty: Option<String>,
    pub source: Option<String>,
    pub method: Option<String>,
    pub samples: usize,
    /// Final-round programs, and those passing every public test.
    pub finals: usize,
    pub candidates: usize,
    pub groups_count: usize,
    pub pick: Option<PickView>,
    /// Hidden-test verdict of the pick, and tests passed of total.
    pub verdict: Option<(Verdict, usize, usize)>,
    pub not_scored: Option<String>,
    /// Final-round programs the hidden tests accept, of all (k/N).
    pub hidden_accepted: Option<(usize, usize)>,
    pub dollars: Option<f64>,
    pub tokens: u64,
    pub seconds: f64,
    pub samples_view: Vec<SampleView>,
    pub groups: Vec<GroupView>,
    pub always_failing: Vec<usize>,
    pub distinguishing: Vec<InputView>,
    /// Groups' outputs were recorded for `distinguishing` (runs before this was recorded: no).
    pub outputs_recorded: bool,
    pub inputs_listed: Vec<InputView>,
    pub inputs_by_source: Vec<(String, usize, usize)>,
    pub inputs_total: usize,
    pub input_counts: Option<String>,
    pub comparisons: Vec<ComparisonView>,
    pub why: Vec<String>,
    pub code: Option<Folded>,
    pub diff: Option<DiffView>,
    pub missing: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct PickView {
    pub sample: usize,
    pub reason: String,
    /// Index in `groups` of the pick's group.
    pub group: Option<usize>,
}

#[derive(Debug)]
pub(crate) struct SampleView {
    pub sample: usize,
    pub rounds: Vec<RoundView>,
    pub passes_public: bool,
}

#[derive(Debug)]
pub(crate) struct RoundView {
    pub round: usize,
    pub status: String,
    pub public: Vec<(String, Verdict)>,
    pub passed: usize,
    pub total: usize,
    pub tokens: u64,
    pub cached: bool,
    /// Shown once per problem: a repeat points at the (sample, round) that showed it.
    pub feedback: Option<Once<(usize, usize)>>,
    pub problem: Option<Once<(usize, usize)>>,
}

#[derive(Debug)]
pub(crate) struct GroupView {
    pub index: usize,
    pub samples: Vec<usize>,
    pub wins: usize,
    pub agreement: Option<usize>,
    pub agreements: Option<usize>,
    pub picked: bool,
    /// Real output on each distinguishing input.
    pub outputs: Vec<Folded>,
}

#[derive(Debug, Clone)]
pub(crate) struct InputView {
    pub index: usize,
    pub source: String,
    pub tag: Option<String>,
    pub seed: Option<u64>,
    pub bytes: usize,
    pub kept: bool,
    pub splits: Option<usize>,
    pub file: Option<String>,
    pub preview: Folded,
    /// A judge was shown this input.
    pub judged: bool,
    /// In "all synthesized inputs": shown above among the distinguishing ones (no preview).
    pub above: bool,
}

#[derive(Debug)]
pub(crate) struct ComparisonView {
    pub a: usize,
    pub b: usize,
    pub input: Option<usize>,
    /// What the first and the swapped question answered, as groups ("group 1").
    pub asked: String,
    pub swapped: String,
    pub sentence: String,
}

#[derive(Debug)]
pub(crate) struct DiffView {
    pub runner_up: usize,
    pub why: String,
    pub lines: Vec<DiffLine>,
    pub omitted: usize,
}

/// Builds the view of `files`.
pub(crate) fn build(files: &RunFiles) -> Report {
    let problems: Vec<ProblemView> = files
        .problems
        .iter()
        .map(|(id, pf)| problem_view(files, id, pf))
        .collect();
    let overview = overview(files, &problems);
    Report { overview, problems }
}

fn overview(files: &RunFiles, problems: &[ProblemView]) -> Overview {
    let mut missing = Vec::new();
    let info = files.info.as_ref();
    if info.is_none() {
        missing.push("run.json (settings, start and end time)".into());
    }
    if files.results.is_empty() {
        missing.push("results.jsonl (no problem finished)".into());
    }
    if files.eval.is_none() {
        missing.push("eval.json: run `sstar eval` for hidden-test verdicts and pass@1".into());
    }
    let recorded = info
        .map(|i| RecordedSettings::of(&i.settings))
        .unwrap_or_default();
    if files.ledger.is_none() && !recorded.model_free && info.is_some() {
        missing.push("ledger.json (model tokens and dollars per stage)".into());
    }
    let results: Vec<&ProblemResult> = files.results.values().collect();
    let eval = files.eval.as_ref();
    let summary = eval.map(|e| &e.summary);
    let mut status_counts: Vec<(Status, usize)> = Status::ALL
        .iter()
        .map(|&s| (s, problems.iter().filter(|p| p.status == s).count()))
        .collect();
    status_counts.retain(|(_, n)| *n > 0);
    let dollars = results
        .iter()
        .map(|r| r.cost_usd)
        .try_fold(0.0, |sum, c| c.map(|c| sum + c));
    let dollars = files
        .ledger
        .as_ref()
        .map_or(dollars, |l| l.run.cost_usd.or(dollars));
    let mut stages: Vec<StageRow> = files
        .ledger
        .iter()
        .flat_map(|l| &l.by_stage)
        .map(|(stage, t)| StageRow {
            stage: stage.clone(),
            calls: t.calls + t.cache_hits,
            tokens: t.usage.prompt_tokens + t.usage.completion_tokens,
            seconds: t.latency_ms as f64 / 1000.0,
            dollars: t.cost_usd,
        })
        .collect();
    let sandbox_seconds: f64 = results.iter().map(|r| r.sandbox_seconds).sum();
    stages.push(StageRow {
        stage: "sandbox".into(),
        calls: 0,
        tokens: 0,
        seconds: sandbox_seconds,
        dollars: None,
    });
    let mut methods = Vec::new();
    if let Some(e) = eval {
        if !e.against.is_empty() {
            methods.push(MethodRow {
                short: e
                    .summary
                    .selection
                    .method
                    .clone()
                    .unwrap_or_else(|| "this run".into()),
                label: format!("this run ({})", method_label(&e.summary.selection)),
                pass_at_1: e.summary.pass_at_1_interval,
                difference: None,
            });
            for a in &e.against {
                methods.push(MethodRow {
                    short: a.selection.method.clone().unwrap_or_else(|| a.run.clone()),
                    label: format!("{} ({})", a.run, method_label(&a.selection)),
                    pass_at_1: a.pass_at_1,
                    difference: Some(a.difference),
                });
            }
        }
    }
    let model = info
        .and_then(|i| i.settings.get("model"))
        .filter(|m| !m.is_null());
    let mut models: Vec<String> = ["model", "judge_model", "test_model"]
        .iter()
        .filter_map(|k| model.and_then(|m| m.get(*k)).and_then(|v| v.as_str()))
        .map(str::to_owned)
        .collect();
    models.dedup();
    let selection_method = summary
        .and_then(|s| s.selection.method.clone())
        .or(recorded.select.clone());
    let model_free = recorded.model_free
        || files
            .problems
            .values()
            .any(|p| p.selection.as_ref().is_some_and(|s| s.model_free));
    Overview {
        title: files.root.file_name().map_or_else(
            || files.root.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        missing,
        set: info.map(|i| i.set.clone()),
        command: info.map(|i| i.command.join(" ")),
        version: info.map(|i| format!("{} {}", i.tool, i.version)),
        started: info.map(|i| i.started_at.clone()),
        finished: info.and_then(|i| i.finished_at.clone()),
        settings: info.map(|i| settings_rows(&i.settings)).unwrap_or_default(),
        models,
        method: selection_method,
        model_free,
        analysis_only: summary.is_some_and(|s| s.analysis_only)
            || recorded.select.as_deref() == Some("oracle"),
        sandbox: info.map(|i| i.backend().to_string()),
        problems: problems.len(),
        status_counts,
        evaluated: eval.is_some(),
        pass_at_1: summary
            .filter(|s| s.count > 0)
            .map(|s| s.pass_at_1_interval),
        pass_at_n: summary
            .filter(|s| s.count > 0)
            .map(|s| s.pass_at_n_interval),
        scored: summary.map_or(0, |s| s.count),
        complete: summary.is_some_and(|s| s.complete),
        prompt_tokens: results.iter().map(|r| r.prompt_tokens).sum(),
        completion_tokens: results.iter().map(|r| r.completion_tokens).sum(),
        llm_calls: results.iter().map(|r| r.llm_calls).sum(),
        dollars,
        sandbox_seconds,
        executions: results.iter().map(|r| r.executions).sum(),
        problem_seconds: results.iter().map(|r| r.seconds).sum(),
        wall_seconds: info.and_then(|i| seconds_between(&i.started_at, i.finished_at.as_deref()?)),
        stages,
        by_difficulty: summary
            .map(|s| s.by_difficulty.clone().into_iter().collect())
            .unwrap_or_default(),
        by_source: summary
            .map(|s| s.by_source.clone().into_iter().collect())
            .unwrap_or_default(),
        methods,
    }
}

fn method_label(selection: &crate::eval::SelectionInfo) -> String {
    let mut label = selection.method.clone().unwrap_or_else(|| "?".into());
    if selection.model_free {
        label.push_str(", model-free");
    }
    if selection.analysis_only {
        label.push_str(", oracle");
    }
    label
}

/// run.json's settings as `key: value` rows (nested keys dotted); the API key (already
/// redacted), prices and retry policy are left out as noise.
fn settings_rows(settings: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    if matches!(k.as_str(), "api_key" | "prices" | "retry") {
                        continue;
                    }
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            serde_json::Value::Null => {}
            serde_json::Value::String(s) => out.push((prefix.into(), s.clone())),
            other => out.push((prefix.into(), other.to_string())),
        }
    }
    let mut out = Vec::new();
    walk("", settings, &mut out);
    out
}

/// Seconds between two RFC 3339 UTC stamps as `solve` writes them (`YYYY-MM-DDTHH:MM:SSZ`).
pub(crate) fn seconds_between(start: &str, end: &str) -> Option<f64> {
    Some((epoch(end)? - epoch(start)?) as f64)
}

fn epoch(stamp: &str) -> Option<i64> {
    let b = stamp.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| stamp.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    // Days from civil (Howard Hinnant's algorithm), the inverse of solve's `now`.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// A fragment id for a problem: letters, digits, `-` and `.` kept, anything else as `_XX`
/// hex, so distinct ids stay distinct and every id is a safe URL fragment.
pub(crate) fn anchor(id: &str) -> String {
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

fn problem_view(files: &RunFiles, id: &str, pf: &ProblemFiles) -> ProblemView {
    let result = files.results.get(id);
    let eval = files.eval.as_ref();
    let scored = eval.and_then(|e| e.problems.get(id));
    let not_scored = eval.and_then(|e| e.not_scored.get(id));
    let selection = pf.selection.as_ref();
    let mut missing = Vec::new();
    let status = match (result.map(|r| r.status), scored) {
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
    };
    if result.is_none() {
        missing.push("no line in results.jsonl: the problem never finished".into());
    }
    if selection.is_none() && result.is_some_and(|r| r.status != ResultStatus::Error) {
        missing.push("selection.json".into());
    }
    if !pf.has_trace && result.is_some_and(|r| r.status != ResultStatus::Error) {
        missing.push("trace.jsonl".into());
    }
    if pf.trace_torn {
        missing.push("trace.jsonl ends in a torn line (the run was killed); it is left out".into());
    }
    let groups = selection.map(|s| s.groups.clone()).unwrap_or_default();
    let pick = selection.and_then(|s| s.pick.as_ref()).map(|p| PickView {
        sample: p.sample,
        reason: p.reason.clone(),
        group: groups.iter().position(|g| g.samples.contains(&p.sample)),
    });
    let outputs_recorded = selection.is_some_and(|s| !s.distinguishing.is_empty());
    let judged: Vec<usize> = selection
        .map(|s| s.comparisons.iter().filter_map(|c| c.input).collect())
        .unwrap_or_default();
    let input_view = |s: &SelectionFile, index: usize| -> Option<InputView> {
        let i = s.inputs.get(index)?;
        Some(InputView {
            index,
            source: i.source.clone(),
            tag: i.tag.clone(),
            seed: i.seed,
            bytes: i.bytes,
            kept: i.kept,
            splits: i.splits,
            file: i.file.clone(),
            preview: Folded::input(&i.preview, i.bytes, OUTPUT_CHARS, OUTPUT_LINES),
            judged: judged.contains(&index),
            above: false,
        })
    };
    let distinguishing: Vec<InputView> = selection
        .map(|s| {
            if outputs_recorded {
                s.distinguishing
                    .iter()
                    .filter_map(|&k| input_view(s, k))
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
                ks.into_iter().filter_map(|k| input_view(s, k)).collect()
            }
        })
        .unwrap_or_default();
    let group_views: Vec<GroupView> = groups
        .iter()
        .enumerate()
        .map(|(index, g)| GroupView {
            index,
            samples: g.samples.clone(),
            wins: g.wins,
            agreement: g.agreement,
            agreements: g.agreements,
            picked: pick.as_ref().is_some_and(|p| p.group == Some(index)),
            outputs: g
                .outputs
                .iter()
                .map(|o| Folded::new(value(o), OUTPUT_CHARS, OUTPUT_LINES, IN_SELECTION))
                .collect(),
        })
        .collect();
    let mut by_source: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for i in selection.iter().flat_map(|s| &s.inputs) {
        let e = by_source.entry(i.source.clone()).or_default();
        e.0 += 1;
        e.1 += usize::from(i.kept);
    }
    // The first inputs, in short (the distinguishing ones are shown in full above).
    let inputs_listed: Vec<InputView> = selection
        .map(|s| {
            (0..s.inputs.len().min(LISTED_INPUTS))
                .filter_map(|k| input_view(s, k))
                .map(|mut i| {
                    i.above = distinguishing.iter().any(|d| d.index == i.index);
                    i.preview = Folded::input(
                        &s.inputs[i.index].preview,
                        i.bytes,
                        LISTED_CHARS,
                        LISTED_LINES,
                    );
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
            .and_then(|s| s.method.clone())
            .or_else(|| result.map(|r| r.select.clone()).filter(|m| !m.is_empty())),
        samples: result.map_or(finals.len(), |r| r.samples),
        finals: finals.len(),
        candidates: selection.map_or_else(
            || result.map_or(0, |r| r.candidates),
            |s| s.candidates.len(),
        ),
        groups_count: selection.map_or_else(|| result.map_or(0, |r| r.groups), |s| s.groups.len()),
        pick,
        verdict: scored.and_then(|s| s.verdict.map(|v| (v, s.passed, s.total))),
        not_scored: not_scored.map(|n| {
            let reason = match n.reason {
                NotScoredReason::Errored => "errored",
                NotScoredReason::Unfinished => "unfinished",
                NotScoredReason::Malformed => "malformed problem",
                NotScoredReason::NoHiddenTests => "no hidden tests",
            };
            match &n.detail {
                Some(d) => format!("{reason}: {d}"),
                None => reason.into(),
            }
        }),
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
        input_counts: selection.and_then(|s| s.input_counts.as_ref()).map(|c| {
            let mut text = format!(
                "{} generated, {} run, {} kept; {} executions (budget {})",
                c.generated, c.run, c.kept, c.executions, c.budget
            );
            if let Some(stopped) = &c.stopped {
                text.push_str(&format!("; stopped: {stopped}"));
            }
            text
        }),
        comparisons,
        why,
        code,
        diff,
        missing,
    }
}

fn samples(trace: &[TraceLine], finals: &[super::files::FinalFile]) -> Vec<SampleView> {
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
                        status: l.status.clone(),
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

fn comparison_view(c: &ComparisonFile) -> ComparisonView {
    // First asked with group a as A; then swapped, group b shown as A.
    let said = |answer: Option<&Option<String>>, as_a: usize, as_b: usize| -> String {
        match answer.and_then(|a| a.as_deref()) {
            Some(a) if a.eq_ignore_ascii_case("a") => format!("A ({})", group_name(as_a)),
            Some(b) if b.eq_ignore_ascii_case("b") => format!("B ({})", group_name(as_b)),
            Some(other) => format!("{other:?}"),
            None => "no answer".into(),
        }
    };
    let asked = said(c.answers.first(), c.a, c.b);
    let swapped = said(c.answers.get(1), c.b, c.a);
    let sentence = match (c.decided_by.as_str(), c.winner) {
        ("time_limit", Some(w)) => format!(
            "{} wins without asking: the other timed out on the stress input",
            group_name(w)
        ),
        ("model", Some(w)) => format!("{} wins: both orders agree", group_name(w)),
        ("tie", _) | (_, None) => {
            if c.input.is_none() && c.answers.iter().all(Option::is_none) {
                "tie: no input tells them apart".into()
            } else {
                "tie: the two orders disagree (or no answer)".into()
            }
        }
        (other, Some(w)) => format!("{} wins ({other})", group_name(w)),
    };
    ComparisonView {
        a: c.a,
        b: c.b,
        input: c.input,
        asked,
        swapped,
        sentence,
    }
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
        s.method.as_deref().unwrap_or("?"),
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
    let mut others: Vec<(usize, &super::files::GroupFile)> = s
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_injective_and_fragment_safe() {
        assert_eq!(anchor("abs"), "problem-abs");
        assert_eq!(anchor("a b"), "problem-a_20b");
        assert_ne!(anchor("a_20b"), anchor("a b"));
        assert!(anchor("\"><script>")
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)));
    }

    #[test]
    fn run_times_read_back_from_stamps() {
        assert_eq!(
            seconds_between("2026-01-31T23:59:00Z", "2026-02-01T00:01:30Z"),
            Some(150.0)
        );
        assert_eq!(seconds_between("garbage", "2026-02-01T00:01:30Z"), None);
    }

    #[test]
    fn the_same_feedback_in_many_samples_is_shown_once() {
        let feedback = format!("Test `public/1`\nInput:\n```\n{}\n```\n", "7 ".repeat(3000));
        let trace: Vec<TraceLine> = (0..4)
            .map(|sample| TraceLine {
                sample,
                round: 0,
                status: "program".into(),
                feedback: Some(if sample == 2 {
                    "other".into()
                } else {
                    feedback.clone()
                }),
                ..TraceLine::default()
            })
            .collect();
        let views = samples(&trace, &[]);
        let shown: Vec<&Once<(usize, usize)>> = views
            .iter()
            .map(|s| s.rounds[0].feedback.as_ref().expect("feedback"))
            .collect();
        let Once::Shown(first) = shown[0] else {
            panic!("the first copy is shown")
        };
        // Folded: the 6 KB quoted input is cut, and a note says where the whole is.
        assert!(first.text.len() <= FEEDBACK_CHARS, "{}", first.text);
        assert!(first
            .text
            .contains("… (6001 characters; whole in trace.jsonl)"));
        assert_eq!(*shown[1], Once::SameAs((0, 0)));
        assert!(matches!(shown[2], Once::Shown(f) if f.text == "other"));
        assert_eq!(*shown[3], Once::SameAs((0, 0)));
    }

    #[test]
    fn judge_answers_read_in_both_orders() {
        let c = ComparisonFile {
            a: 0,
            b: 1,
            input: Some(3),
            answers: vec![Some("A".into()), Some("B".into())],
            winner: Some(0),
            decided_by: "model".into(),
        };
        let v = comparison_view(&c);
        assert_eq!(v.asked, "A (group 1)");
        // Swapped: group 2 was shown as A, so "B" names group 1 again.
        assert_eq!(v.swapped, "B (group 1)");
        assert_eq!(v.sentence, "group 1 wins: both orders agree");
    }
}
