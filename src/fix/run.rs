//! One fix, start to end: copy and test the repository, sample and debug fixes, select among
//! the survivors, and say which change to make and why.

use std::path::PathBuf;

use super::candidates::{sample_and_debug, Passing, Stage};
use super::diff::{changed_lines, unified};
use super::error::FixError;
use super::exec::TreeRunner;
use super::inputs;
use super::locate::Location;
use super::locate::{definition, locate};
use super::prompts::Task;
use super::repo::{module_name, tree_path, Snapshot};
use super::select;
use crate::llm::LlmClient;
use crate::schema::{FixEnd, FixReport, Survivor, TestRun};

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct FixSettings {
    pub repo: PathBuf,
    pub test: String,
    /// The file holding the function, relative to the repository's root.
    pub file: PathBuf,
    pub function: String,
    pub samples: usize,
    pub rounds: usize,
    /// Seed for the last tie-break between equally good groups.
    pub seed: u64,
}

/// How a fix run ended (its tool errors are [`FixError`]s).
#[derive(Debug)]
pub enum FixOutcome {
    /// The test command passes as the repository is: no model was asked anything.
    NothingToFix(Box<FixReport>),
    /// No candidate made the command pass.
    NoFix(Box<FixReport>),
    /// A fix: `report.diff` is the change.
    Proposed(Box<FixReport>),
}

impl FixReport {
    /// A report of the run so far: the command before the change, nothing sampled.
    fn empty(settings: &FixSettings, file: &str, location: Location, before: TestRun) -> Self {
        Self {
            format: Default::default(),
            outcome: FixEnd::NoFix,
            test: settings.test.clone(),
            file: file.to_owned(),
            function: settings.function.clone(),
            location: Some(location),
            before,
            candidates: Vec::new(),
            survivors: Vec::new(),
            inputs: Vec::new(),
            groups: Vec::new(),
            comparisons: Vec::new(),
            chosen: None,
            why: String::new(),
            after: None,
            diff: None,
            model: None,
            executions: 0,
        }
    }
}

/// Runs the fix. `llm` may be `None` only for a command that already passes.
pub async fn fix(
    settings: &FixSettings,
    runner: &TreeRunner,
    llm: Option<&LlmClient>,
) -> Result<FixOutcome, FixError> {
    let snapshot = Snapshot::read(&settings.repo)?;
    let file = tree_path(&settings.file)?;
    let module = module_name(&file)?;
    let source = snapshot.text(&file).ok_or_else(|| {
        FixError::Usage(format!(
            "--file {file}: no such UTF-8 file in {}",
            settings.repo.display()
        ))
    })?;
    let location = locate(runner, &file, source, &settings.function).await?;
    let before = runner
        .test(&settings.test, snapshot.archive(), None)
        .await?;
    if before.passed {
        return Ok(FixOutcome::NothingToFix(Box::new(FixReport {
            format: Default::default(),
            outcome: FixEnd::NothingToFix,
            why: "the test command passes as the repository is".into(),
            executions: runner.executions(),
            ..FixReport::empty(settings, &file, location, before)
        })));
    }
    // A command that fails on its own without a record (not pytest) could never show a fix
    // to pass: say so before paying a model. One the sandbox stopped (a hang, say) is fixed
    // against no baseline (see `record::Baseline::Unknown`).
    if before.tests.is_none() && before.stopped.is_none() {
        return Err(FixError::NoRecord {
            test: settings.test.clone(),
            status: before.status(),
        });
    }
    let llm = llm.ok_or(FixError::NoModel)?;
    let old_definition = definition(source, location);
    let task = Task {
        test: &settings.test,
        file: &file,
        function: &settings.function,
        source,
        definition: &old_definition,
        before: &before,
    };
    let stage = Stage {
        runner,
        llm,
        task: &task,
        snapshot: &snapshot,
        location,
    };
    let (candidates, passing) =
        sample_and_debug(&stage, settings.samples.max(1), settings.rounds).await?;
    let mut survivors: Vec<Passing> = Vec::new();
    for candidate in passing {
        if !survivors.iter().any(|s| s.file_text == candidate.file_text) {
            survivors.push(candidate);
        }
    }
    let change: Vec<usize> = survivors
        .iter()
        .map(|s| changed_lines(source, &s.file_text))
        .collect();
    let mut report = FixReport {
        format: Default::default(),
        candidates,
        survivors: survivors
            .iter()
            .zip(&change)
            .map(|(s, &lines)| Survivor {
                sample: s.sample,
                code: s.definition.clone(),
                change_lines: lines,
            })
            .collect(),
        ..FixReport::empty(settings, &file, location, before.clone())
    };
    let finish = |mut report: FixReport| {
        report.model = Some(llm.ledger().run_totals());
        report.executions = runner.executions();
        Box::new(report)
    };
    let chosen = match survivors.len() {
        0 => {
            report.why = "no candidate made the test command pass".into();
            report.outcome = FixEnd::NoFix;
            return Ok(FixOutcome::NoFix(finish(report)));
        }
        1 => {
            report.why = "the only candidate that made the tests pass".into();
            0
        }
        _ => {
            let probes = inputs::ask(llm, &task, &survivors).await?;
            let results = inputs::observe(
                runner,
                &snapshot,
                (&file, &module, &settings.function),
                &survivors,
                &probes,
            )
            .await?;
            let (kept, groups) = select::group(&results, &change);
            let calls: Vec<_> = kept.iter().map(|&p| &probes[p]).collect();
            report.inputs = calls.iter().map(|p| p.arguments.clone()).collect();
            let chosen = if groups.len() <= 1 {
                report.why = format!(
                    "all {} passing candidates behave alike on {} distinguishing calls: the smallest change",
                    survivors.len(),
                    calls.len()
                );
                groups.first().map_or(0, |g| g.members[0])
            } else {
                let comparisons =
                    select::tournament(llm, &task, &survivors, &groups, &calls).await?;
                let (best, wins) = select::best(&groups, &comparisons, settings.seed);
                report.why = format!(
                    "its behaviour group won {} of {} pairwise judgements on real results (ties prefer the smaller change)",
                    wins[best],
                    groups.len() - 1
                );
                report.comparisons = comparisons;
                groups[best].members[0]
            };
            report.groups = groups;
            chosen
        }
    };
    let pick = &survivors[chosen];
    report.chosen = Some(chosen);
    report.diff = Some(unified(&file, source, &pick.file_text));
    report.after = report
        .candidates
        .iter()
        .find(|c| c.sample == pick.sample)
        .and_then(|c| c.attempts.last())
        .and_then(|a| a.test.clone());
    report.outcome = FixEnd::Proposed;
    Ok(FixOutcome::Proposed(finish(report)))
}
