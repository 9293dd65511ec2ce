//! The view model: a run's files turned into what the page shows, in the page's words. All
//! decisions (what is missing, which group won, who is the runner-up, what to fold) are made
//! here, so the HTML layer only lays them out and the tests can check them without HTML.

use std::collections::BTreeMap;

use super::diff::{line_diff, DiffLine};
use super::files::{ProblemFiles, RunFiles};
use super::fold::{
    fold_fenced, Folded, Once, Seen, CODE_CHARS, CODE_LINES, DIFF_LINES, DIFF_RUN_LINES,
    FEEDBACK_BLOCK_CHARS, FEEDBACK_CHARS, FEEDBACK_LINES, IN_SELECTION, IN_TRACE, LISTED_CHARS,
    LISTED_INPUTS, LISTED_LINES, OUTPUT_CHARS, OUTPUT_LINES, REPLY_CHARS, REPLY_LINES,
};
use crate::eval::{Breakdown, NotScoredReason, PairedDifference, Rate};
use crate::schema::{
    Comparison as ComparisonFile, GroupRecord as GroupFile, ProblemResult, ResultStatus,
    RoundRecord as TraceLine, SelectionReport as SelectionFile, VoteSummary as JudgeFile,
};
use crate::Verdict;

mod overview;
mod problem;

use overview::overview;
pub(crate) use problem::join;
use problem::problem_view;

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
    /// What the problem spent and why each stage stopped, a sentence each.
    pub compute: Vec<String>,
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
    /// The judge's votes in all and its flip rate, in a sentence.
    pub judge: Option<String>,
    pub why: Vec<String>,
    pub code: Option<Folded>,
    /// The chosen program's language.
    pub language: Option<crate::program::Language>,
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
    /// The rounds after the first, each as its two answers ("B B on #4").
    pub later: Vec<String>,
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

#[cfg(test)]
mod tests {
    use super::overview::seconds_between;
    use super::problem::{anchor, comparison_view, samples};
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
            .map(|sample| {
                let feedback = if sample == 2 { "other" } else { &feedback };
                let line = serde_json::json!({"sample": sample, "round": 0, "status": "program",
                    "feedback": feedback});
                serde_json::from_value(line).expect("a trace line")
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
            answers: [Some('A'), Some('B')],
            votes: Vec::new(),
            winner: Some(0),
            decided_by: crate::schema::DecidedBy::Model,
        };
        let v = comparison_view(&c);
        assert_eq!(v.asked, "A (group 1)");
        // Swapped: group 2 was shown as A, so "B" names group 1 again.
        assert_eq!(v.swapped, "B (group 1)");
        assert_eq!(v.sentence, "group 1 wins: both orders agree");
    }
}
