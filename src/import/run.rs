//! The import driver: stream rows, give each a directory id, convert and write rows in
//! parallel (conversion may run references in the sandbox), and tally what was skipped.

use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use sstar_sandbox::Sandbox;
use tokio::runtime::Handle;

use super::error::{ImportError, SkipReason};
use super::ids::IdAllocator;
use super::input::{open_rows, RawRow};
use super::writer::{write_problem, Draft};
use super::{apps, codecontests, humaneval, livecodebench, mbpp};
use crate::exec::Executor;

/// The benchmark formats `sstar import` reads (docs/cli.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    LiveCodeBench,
    CodeContests,
    Apps,
    HumanEval,
    Mbpp,
}

impl Format {
    /// Whether converting rows runs reference solutions (and so needs the sandbox).
    pub fn needs_sandbox(self) -> bool {
        match self {
            Format::LiveCodeBench | Format::CodeContests => false,
            Format::Apps | Format::HumanEval | Format::Mbpp => true,
        }
    }
}

/// Settings of one import, validated.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// LiveCodeBench: keep problems with `contest_date` on or after this `YYYY-MM-DD`.
    pub since: Option<String>,
    /// LiveCodeBench: keep problems with `contest_date` on or before this `YYYY-MM-DD`.
    pub until: Option<String>,
    /// LiveCodeBench: keep only these platforms (lowercase); empty keeps all.
    pub platforms: Vec<String>,
    /// Stop after this many rows of the input.
    pub limit: Option<usize>,
    /// Most reference (and, separately, `wrong_*`) programs kept per problem.
    pub max_solutions: usize,
    /// Overrides every problem's time limit.
    pub time_limit_ms: Option<u64>,
}

impl ImportOptions {
    /// Checks dates (`YYYY-MM-DD`) and normalises platform names.
    pub fn validate(mut self) -> Result<Self, ImportError> {
        for (flag, date) in [("--since", &self.since), ("--until", &self.until)] {
            if let Some(date) = date {
                if !is_date(date) {
                    return Err(ImportError::Option(format!(
                        "{flag} must be a date YYYY-MM-DD, got `{date}`"
                    )));
                }
            }
        }
        if self.max_solutions == 0 {
            return Err(ImportError::Option(
                "--max-solutions must be at least 1".into(),
            ));
        }
        let range = crate::problem::Limits::TIME_LIMIT_MS;
        if let Some(ms) = self.time_limit_ms.filter(|ms| !range.contains(ms)) {
            // Checked here, not when each problem loads back: every row would be skipped.
            return Err(ImportError::Option(format!(
                "--time-limit-ms must be in {}..={}, got {ms}",
                range.start(),
                range.end()
            )));
        }
        self.platforms = self
            .platforms
            .iter()
            .map(|p| p.trim().to_lowercase())
            .filter(|p| !p.is_empty())
            .collect();
        Ok(self)
    }
}

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// One row that was not imported.
#[derive(Debug, Clone)]
pub struct Skipped {
    /// 1-based row (line) of the input.
    pub row: usize,
    /// The benchmark's id, when the row got that far.
    pub id: Option<String>,
    pub reason: SkipReason,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportSummary {
    /// Directory ids written, in input order.
    pub imported: Vec<String>,
    /// Rows not imported, in input order.
    pub skipped: Vec<Skipped>,
    /// Rows left out by `--since`, `--until` or `--platform`.
    pub filtered: usize,
    /// Tests dropped from imported problems (e.g. the reference cannot run an input).
    pub dropped_tests: usize,
}

/// Progress events, for a progress bar.
pub trait ImportProgress: Sync {
    /// A row was read and will be converted.
    fn queued(&self);
    /// A row was converted (imported or skipped).
    fn finished(&self);
}

/// What a converter may use besides its row.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    pub options: &'a ImportOptions,
    engine: Option<Engine<'a>>,
}

/// The executor references are judged on, and the runtime the converting threads drive it
/// with (they are plain threads: `Handle::block_on` runs a judgement to its end on them).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Engine<'a> {
    pub executor: &'a Executor,
    pub runtime: &'a Handle,
}

impl<'a> Context<'a> {
    /// A context without a sandbox, for converters that do not run code.
    #[cfg(test)]
    pub fn for_tests(options: &'a ImportOptions) -> Self {
        Self {
            options,
            engine: None,
        }
    }

    /// The executor; formats that need the sandbox always have one.
    pub fn engine(&self) -> Result<Engine<'a>, SkipReason> {
        self.engine
            .ok_or_else(|| SkipReason::Sandbox("no sandbox for this format".into()))
    }

    /// The sandbox; formats that need it always have one.
    pub fn sandbox(&self) -> Result<&'a Sandbox, SkipReason> {
        Ok(self.engine()?.executor.sandbox())
    }
}

/// A parsed row: its id and contents, `None` when a filter leaves it out; or the id (when
/// known) and why the row is skipped.
pub(crate) type Parsed<R> = Result<Option<(String, R)>, (Option<String>, SkipReason)>;

/// One benchmark format: parse a row (cheap, in input order) and convert it (maybe slow).
pub(crate) trait Importer: Sync {
    type Row: Send;
    /// The row's id and contents, `Ok(None)` when a filter leaves it out.
    fn parse(&self, raw: RawRow, options: &ImportOptions) -> Parsed<Self::Row>;
    /// The problem the row becomes.
    fn convert(&self, row: Self::Row, context: &Context<'_>) -> Result<Draft, SkipReason>;
}

/// Imports `input` (a file in `format`) into the problem set directory `set`. `sandbox` runs
/// reference solutions; the caller starts it (with its own backend and worker count) for the
/// formats that [need one](Format::needs_sandbox).
pub fn import(
    format: Format,
    input: &Path,
    set: &Path,
    options: &ImportOptions,
    sandbox: Option<Arc<Sandbox>>,
    progress: &dyn ImportProgress,
) -> Result<ImportSummary, ImportError> {
    if format.needs_sandbox() && sandbox.is_none() {
        // Without it every row would be skipped as a sandbox failure.
        return Err(ImportError::NoSandbox(format));
    }
    // No run directory: nothing to cache in.
    let executor = sandbox.map(|sandbox| Executor::new(sandbox, None));
    // Only waits on the executor's blocking work: one worker thread is plenty.
    let runtime = executor
        .as_ref()
        .map(|_| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .build()
        })
        .transpose()
        .map_err(ImportError::Runtime)?;
    let job = ImportRun {
        input,
        set,
        options,
        engine: executor
            .as_ref()
            .zip(runtime.as_ref())
            .map(|(executor, runtime)| Engine {
                executor,
                runtime: runtime.handle(),
            }),
        progress,
    };
    match format {
        Format::LiveCodeBench => job.run(&livecodebench::LiveCodeBench),
        Format::CodeContests => job.run(&codecontests::CodeContests),
        Format::Apps => job.run(&apps::Apps),
        Format::HumanEval => job.run(&humaneval::HumanEval),
        Format::Mbpp => job.run(&mbpp::Mbpp),
    }
}

struct ImportRun<'a> {
    input: &'a Path,
    set: &'a Path,
    options: &'a ImportOptions,
    engine: Option<Engine<'a>>,
    progress: &'a dyn ImportProgress,
}

enum Done {
    Imported {
        row: usize,
        dir: String,
        dropped: usize,
    },
    Skipped(Skipped),
}

/// Logs a skip when it happens (a long import shows its problems as it goes).
fn push(results: &Mutex<Vec<Done>>, done: Done) {
    if let Done::Skipped(s) = &done {
        tracing::warn!(
            "row {}{}: skipped: {}",
            s.row,
            s.id.as_ref()
                .map(|id| format!(" ({id})"))
                .unwrap_or_default(),
            s.reason
        );
    }
    results
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(done);
}

impl ImportRun<'_> {
    fn run<I: Importer>(&self, importer: &I) -> Result<ImportSummary, ImportError> {
        let rows = open_rows(self.input)?;
        std::fs::create_dir_all(self.set).map_err(ImportError::write(self.set))?;
        let mut ids = IdAllocator::for_set(self.set)?;
        let workers = self.engine.map_or_else(
            || std::thread::available_parallelism().map_or(2, |n| n.get()),
            |engine| engine.executor.workers(),
        );
        let context = Context {
            options: self.options,
            engine: self.engine,
        };
        let results: Mutex<Vec<Done>> = Mutex::new(Vec::new());
        let fatal: Mutex<Option<ImportError>> = Mutex::new(None);
        let (send, receive) = mpsc::sync_channel::<(usize, String, String, I::Row)>(workers * 2);
        let receive = Mutex::new(receive);
        let mut summary = ImportSummary::default();
        let read = std::thread::scope(|scope| -> Result<(), ImportError> {
            for _ in 0..workers.max(1) {
                scope.spawn(|| loop {
                    let next = receive
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .recv();
                    let Ok((row, original, dir, parsed)) = next else {
                        return;
                    };
                    let slot = || {
                        fatal
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                    };
                    if slot().is_some() {
                        continue; // drain the queue so the reader never blocks
                    }
                    match self.convert(importer, &context, row, &original, &dir, parsed) {
                        Ok(done) => {
                            self.progress.finished();
                            push(&results, done);
                        }
                        Err(error) => {
                            slot().get_or_insert(error);
                        }
                    }
                });
            }
            for (read, raw) in rows.enumerate() {
                if self.options.limit.is_some_and(|limit| read >= limit) {
                    break;
                }
                if fatal
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .is_some()
                {
                    break;
                }
                let raw = raw?;
                let row = raw.number;
                let skipped = |id, reason| Done::Skipped(Skipped { row, id, reason });
                let (original, parsed) = match importer.parse(raw, self.options) {
                    Ok(Some(parsed)) => parsed,
                    Ok(None) => {
                        summary.filtered += 1;
                        continue;
                    }
                    Err((id, reason)) => {
                        push(&results, skipped(id, reason));
                        continue;
                    }
                };
                let dir = match ids.allocate(&original) {
                    Ok(dir) => dir,
                    Err(reason) => {
                        push(&results, skipped(Some(original), reason));
                        continue;
                    }
                };
                self.progress.queued();
                if send.send((row, original, dir, parsed)).is_err() {
                    break;
                }
            }
            drop(send);
            Ok(())
        });
        // Problems written so far keep their original ids, whatever happens next.
        let ids_written = ids.write(self.set);
        if let Some(error) = fatal
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            return Err(error);
        }
        read?;
        ids_written?;
        let mut done = results
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        done.sort_by_key(|d| match d {
            Done::Imported { row, .. } => *row,
            Done::Skipped(s) => s.row,
        });
        for d in done {
            match d {
                Done::Imported { dir, dropped, .. } => {
                    summary.imported.push(dir);
                    summary.dropped_tests += dropped;
                }
                Done::Skipped(s) => summary.skipped.push(s),
            }
        }
        Ok(summary)
    }

    fn convert<I: Importer>(
        &self,
        importer: &I,
        context: &Context<'_>,
        row: usize,
        original: &str,
        dir: &str,
        parsed: I::Row,
    ) -> Result<Done, ImportError> {
        let skipped = |reason| {
            Done::Skipped(Skipped {
                row,
                id: Some(original.to_owned()),
                reason,
            })
        };
        let mut draft = match importer.convert(parsed, context) {
            Ok(draft) => draft,
            Err(reason) => return Ok(skipped(reason)),
        };
        if let Some(ms) = self.options.time_limit_ms {
            draft.time_limit_ms = Some(ms);
        }
        if draft.hidden.is_empty() {
            let why = draft.dropped.first().cloned();
            return Ok(skipped(SkipReason::NoTests(
                why.unwrap_or_else(|| "the row has none".into()),
            )));
        }
        for note in &draft.notes {
            tracing::debug!("row {row} ({original}): {note}");
        }
        if !draft.dropped.is_empty() {
            tracing::info!(
                "row {row} ({original}): {} tests dropped, e.g. {}",
                draft.dropped.len(),
                draft.dropped[0]
            );
        }
        match write_problem(self.set, dir, &draft)? {
            Ok(()) => Ok(Done::Imported {
                row,
                dir: dir.to_owned(),
                dropped: draft.dropped.len(),
            }),
            Err(reason) => Ok(skipped(reason)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_validated() {
        let ok = ImportOptions {
            since: Some("2024-08-01".into()),
            platforms: vec![" LeetCode ".into(), "".into()],
            max_solutions: 1,
            ..ImportOptions::default()
        }
        .validate()
        .expect("valid");
        assert_eq!(ok.platforms, ["leetcode"]);
        for bad in ["2024-8-01", "20240801", "2024/08/01", "yesterday"] {
            let err = ImportOptions {
                until: Some(bad.into()),
                max_solutions: 1,
                ..ImportOptions::default()
            }
            .validate()
            .expect_err(bad);
            assert!(err.to_string().contains("--until"), "{err}");
        }
    }
}
