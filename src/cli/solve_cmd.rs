//! `sstar solve SET --out RUN`: the S* pipeline over a set, with progress on stderr and a
//! summary table on stdout. Ctrl-C stops cleanly: finished problems are already on disk.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use indicatif::ProgressBar;
use sstar_sandbox::{Backend, Sandbox};

use super::args::{at_least, SolveArgs};
use super::output::Output;
use crate::config::{start_sandbox, SandboxChoice};
use crate::error::{Error, EXIT_INTERRUPTED, EXIT_NEGATIVE, EXIT_OK};
use crate::llm::{process_env, LlmClient, LlmConfig};
use crate::pipeline::{
    load_candidates, load_inputs, run_set, Budget, Budgets, Candidates, Context, GivenInputs,
    Limits, ProblemExecutor, Reporter, RunError, Settings, Spent,
};
use crate::problem::{load_set, packages_of, LoadError, Problem};
use crate::program::{Language, LanguageChoice};
use crate::schema::{
    Format, LedgerReport, ProblemResult, ResultStatus, RunInfo, RunSettings, Totals,
};
use crate::store::{write_json_atomic, ExecCache, RunDir, Writer};

pub fn run(args: SolveArgs, output: &Output) -> Result<i32, Error> {
    let (config, settings) = validate(&args)?;
    // Everything a flag or the environment can get wrong is found before RUN is made, so a
    // mistake leaves no empty run directory behind.
    let sandbox_choice = args.sandbox.choice(None)?;
    let work = load_work(&args)?;
    refuse_cpp_without_process(&args, &work, sandbox_choice.backend)?;
    let packages = packages_of(work.problems.iter().map(|p| &**p));
    let sandbox = Arc::new(start_sandbox(&sandbox_choice, &packages)?);
    let run = RunDir::new(&args.out);
    // Held to the end: a second solve (or an eval or merge) on this directory stops here.
    let _lock = run.create_and_lock()?;
    let info = record_start(
        &run,
        run_info(&args, &settings, config.as_ref(), &sandbox_choice, &sandbox),
    )?;
    let earlier_ledger = run
        .read_ledger()
        .map_err(Error::io(run.ledger()))?
        .unwrap_or_default();
    let llm = config.map(|config| LlmClient::new(config, Some(run.llm_cache())));
    let ctx = Context {
        executor: Arc::new(executor(sandbox, &run)?),
        llm,
        settings: settings.clone(),
        run: run.clone(),
        writer: Writer::start(),
        in_flight: Default::default(),
        halt: Default::default(),
        given_inputs: work.given_inputs.unwrap_or_default(),
        // Earlier sessions of a resumed run spent from the same run budget.
        budget: Budget::new(settings.budget, Spent::of(&earlier_ledger.run)),
    };
    let outcome = drive(&ctx, work.problems, work.given, &args.set, output)?;
    // Whatever happened, the model's bill so far is on disk, added to earlier sessions'.
    save_ledger(&ctx, earlier_ledger)?;
    let results = match outcome {
        None => {
            eprintln!(
                "interrupted: finished problems are saved in {}; run the same command again to resume",
                run.root().display()
            );
            return Ok(EXIT_INTERRUPTED);
        }
        Some(Err(RunError::Halted(source))) => {
            return Err(Error::EndpointRefuses {
                source,
                run: run.root().to_path_buf(),
            })
        }
        Some(Err(error)) => return Err(error.into()),
        Some(Ok(results)) => results,
    };
    finish(&ctx, info, &results, &work.malformed, output)
}

/// C++ (asked for, or among the given candidates) runs in the process sandbox only: refused
/// up front rather than failing every C++ program as the run goes.
fn refuse_cpp_without_process(
    args: &SolveArgs,
    work: &Work,
    backend: Backend,
) -> Result<(), Error> {
    if backend == Backend::Process {
        return Ok(());
    }
    let given_cpp = work
        .given
        .iter()
        .flat_map(|given| given.values().flatten())
        .any(|program| program.language == Language::Cpp);
    if args.language != LanguageChoice::Python || given_cpp {
        return Err(Error::Usage(format!(
            "C++ programs need `--sandbox process` (the {backend} backend runs Python only)"
        )));
    }
    Ok(())
}

/// The flags turned into the model configuration and the pipeline's settings; counts that
/// mean nothing at zero are refused, not clamped.
fn validate(args: &SolveArgs) -> Result<(Option<LlmConfig>, Settings), Error> {
    let config = args.llm.resolve(process_env)?;
    if config.is_none() && args.candidates.is_none() {
        return Err(Error::Usage(
            "no model configured: pass --model (or set SSTAR_MODEL), or select among given programs with --candidates".into(),
        ));
    }
    let settings = Settings {
        samples: at_least("--samples", args.samples, 1, "")?,
        rounds: args.rounds,
        select: args.select,
        seed: args.select_seed,
        max_groups: at_least(
            "--max-groups",
            args.max_groups,
            2,
            " (behaviour groups are compared in pairs)",
        )?,
        problem_concurrency: at_least("--problem-concurrency", args.problem_concurrency, 1, "")?,
        adaptive: args.adaptive || args.max_samples.is_some(),
        max_samples: args
            .max_samples
            .map(|n| at_least("--max-samples", n, 1, ""))
            .transpose()?,
        budget: budgets(args, config.as_ref())?,
        language: args.language,
        ..Settings::default()
    };
    Ok((config, settings))
}

/// The budget flags; a dollar budget needs the main model's price, or it could never run out.
fn budgets(args: &SolveArgs, config: Option<&LlmConfig>) -> Result<Budgets, Error> {
    let budgets = Budgets {
        problem: Limits {
            usd: args.budget_usd,
            tokens: args.budget_tokens,
        },
        run: Limits {
            usd: args.run_budget_usd,
            tokens: args.run_budget_tokens,
        },
    };
    for (flag, usd) in [
        ("--budget-usd", args.budget_usd),
        ("--run-budget-usd", args.run_budget_usd),
    ] {
        let Some(usd) = usd else { continue };
        if !(usd.is_finite() && usd >= 0.0) {
            return Err(Error::Usage(format!(
                "{flag} must be a number of dollars, not {usd}"
            )));
        }
        if let Some(config) = config.filter(|c| c.prices.get(&c.model).is_none()) {
            return Err(Error::Usage(format!(
                "{flag} needs the price of {}: pass --input-price and --output-price, or a --price-file that lists it",
                config.model
            )));
        }
    }
    Ok(budgets)
}

/// What the run works on: the set's problems after `--shard`, `--only` and `--candidates`,
/// with the given programs and inputs, and the ids of problems that could not be loaded.
struct Work {
    problems: Vec<Arc<Problem>>,
    given: Option<Candidates>,
    given_inputs: Option<GivenInputs>,
    malformed: Vec<String>,
}

fn load_work(args: &SolveArgs) -> Result<Work, Error> {
    let set = load_set(&args.set)?;
    for error in &set.errors {
        tracing::error!("{error}");
    }
    let malformed: Vec<String> = set.errors.iter().map(LoadError::id).collect();
    if set.problems.is_empty() {
        return Err(Error::NoProblems {
            set: args.set.clone(),
            malformed: malformed.len(),
        });
    }
    let given_inputs = args
        .inputs
        .as_deref()
        .map(|path| load_inputs(path).map(|i| to_dir_ids(i, &args.set)))
        .transpose()?;
    let given = args
        .candidates
        .as_deref()
        .map(|path| load_candidates(path).map(|c| to_dir_ids(c, &args.set)))
        .transpose()?;
    let problems: Vec<_> = set
        .problems
        .into_iter()
        .enumerate()
        .filter(|(i, _)| args.shard.is_none_or(|s| s.holds(*i)))
        .map(|(_, p)| p)
        .filter(|p| args.only.is_empty() || args.only.contains(&p.id))
        .filter(|p| given.as_ref().is_none_or(|g| g.contains_key(&p.id)))
        .map(Arc::new)
        .collect();
    if let Some(given) = &given {
        for id in given
            .keys()
            .filter(|id| !problems.iter().any(|p| &p.id == *id))
        {
            tracing::warn!(
                "--candidates names `{id}`, which is not a problem of the set (or filtered out)"
            );
        }
    }
    Ok(Work {
        problems,
        given,
        given_inputs,
        malformed,
    })
}

/// `run.json` as this session starts it.
fn run_info(
    args: &SolveArgs,
    settings: &Settings,
    config: Option<&LlmConfig>,
    sandbox_choice: &SandboxChoice,
    sandbox: &Sandbox,
) -> RunInfo {
    RunInfo {
        format: Format::current(),
        tool: "sstar".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: std::env::args().collect(),
        set: std::fs::canonicalize(&args.set)
            .unwrap_or(args.set.clone())
            .display()
            .to_string(),
        settings: RunSettings {
            pipeline: settings.clone(),
            model: config.cloned(),
            candidates: (args.candidates.as_deref())
                .map(|p| std::fs::canonicalize(p).unwrap_or(p.to_path_buf())),
            only: args.only.clone(),
            shard: args.shard,
            model_free: config.is_none(),
            sandbox: sandbox_choice.backend,
            cxx_flags: sandbox_choice.cxx_flags.clone(),
            merged_from: None,
        },
        started_at: now(),
        finished_at: None,
        sandbox: sandbox.isolation().clone(),
    }
}

/// Writes `run.json`; when resuming, first checks that the settings match the earlier
/// session's and keeps its start time.
fn record_start(run: &RunDir, mut info: RunInfo) -> Result<RunInfo, Error> {
    if let Ok(previous) = run.info() {
        // Resuming: the settings that decide results must match, or the run would mix two
        // experiments; where the model lives and how patiently it is asked may change.
        let differences = previous.settings.differences(&info.settings);
        if !differences.is_empty() {
            return Err(Error::Usage(format!(
                "{} holds a run with other settings; resume with the same flags or use a new --out:\n  {}",
                run.root().display(),
                differences.join("\n  ")
            )));
        }
        info.started_at = previous.started_at;
    }
    write_json_atomic(&run.run_json(), &info).map_err(Error::io(run.run_json()))?;
    Ok(info)
}

/// The executor every stage runs programs through, with the run's execution cache.
fn executor(sandbox: Arc<Sandbox>, run: &RunDir) -> Result<ProblemExecutor, Error> {
    let exec_cache =
        ExecCache::open(&run.exec_cache(), &sandbox).map_err(Error::io(run.exec_cache()))?;
    Ok(ProblemExecutor::new(sandbox, exec_cache))
}

/// What the pipeline's run ended with: `None` when interrupted (Ctrl-C).
type Outcome = Option<Result<BTreeMap<String, ProblemResult>, RunError>>;

/// Runs the pipeline over `problems` with a progress bar, until it ends or Ctrl-C.
fn drive(
    ctx: &Context,
    problems: Vec<Arc<Problem>>,
    given: Option<Candidates>,
    set: &Path,
    output: &Output,
) -> Result<Outcome, Error> {
    let bar = output.bar_with_status(problems.len(), "solve");
    let reporter = BarReporter { bar: bar.clone() };
    let runtime = tokio::runtime::Runtime::new().map_err(Error::Runtime)?;
    let outcome = runtime.block_on(async {
        let ticker = async {
            loop {
                bar.set_message(status_line(ctx));
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        };
        tokio::select! {
            results = run_set(ctx, problems, given, set, &reporter) => Some(results),
            _ = ticker => None,
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    // Finished, failed or interrupted: what the run queued for the disk is written first.
    ctx.writer.finish();
    bar.finish_and_clear();
    Ok(outcome)
}

/// Adds this session's model calls to the earlier sessions' ledger on disk.
fn save_ledger(ctx: &Context, earlier: LedgerReport) -> Result<(), Error> {
    if let Some(llm) = &ctx.llm {
        let mut ledger = earlier;
        ledger.add(&llm.ledger().report());
        let path = ctx.run.ledger();
        write_json_atomic(&path, &ledger).map_err(Error::io(path))?;
    }
    Ok(())
}

/// Records the end time, prints the summary, writes the report; the exit code says whether
/// every problem got a program.
fn finish(
    ctx: &Context,
    info: RunInfo,
    results: &BTreeMap<String, ProblemResult>,
    malformed: &[String],
    output: &Output,
) -> Result<i32, Error> {
    let run = &ctx.run;
    let info = RunInfo {
        finished_at: Some(now()),
        ..info
    };
    write_json_atomic(&run.run_json(), &info).map_err(Error::io(run.run_json()))?;
    let results: Vec<&ProblemResult> = results.values().collect();
    let totals = ctx.llm.as_ref().map(|l| l.ledger().run_totals());
    output.data(&summary(&results, malformed, totals));
    super::report_cmd::write_after_run(run.root());
    let all_selected = results.iter().all(|r| r.status == ResultStatus::Selected);
    Ok(if all_selected && malformed.is_empty() {
        EXIT_OK
    } else {
        EXIT_NEGATIVE
    })
}

/// `--candidates` and `--inputs` may name problems by the benchmark's ids (e.g.
/// `HumanEval/0`): map them to the set's directory names through `<set>/ids.json`.
fn to_dir_ids<T>(given: BTreeMap<String, Vec<T>>, set: &Path) -> BTreeMap<String, Vec<T>> {
    // An unreadable ids.json maps nothing (the importer reports it when it writes one).
    let ids: BTreeMap<String, String> = crate::problem::read_ids(set).unwrap_or_default();
    let dir_ids = crate::problem::dir_ids(&ids);
    let mut out = BTreeMap::new();
    for (id, items) in given {
        let dir = crate::problem::dir_id(&dir_ids, id);
        out.entry(dir).or_insert_with(Vec::new).extend(items);
    }
    out
}

struct BarReporter {
    bar: ProgressBar,
}

impl Reporter for BarReporter {
    fn start(&self, todo: usize, already_done: usize) {
        self.bar.set_length(todo as u64);
        if already_done > 0 {
            tracing::info!("resuming: {already_done} problems already finished");
        }
    }

    fn finished(&self, result: &ProblemResult) {
        self.bar.inc(1);
        if let Some(error) = &result.error {
            // An error may quote a checker, which may quote a program.
            tracing::error!("{}: {}", result.id, crate::judge::printable(error));
        }
    }
}

/// The progress line under the bar: model requests in flight by stage, tokens and dollars
/// so far, sandbox executions.
fn status_line(ctx: &Context) -> String {
    let flight = |gauge: &std::sync::atomic::AtomicUsize| gauge.load(Ordering::Relaxed);
    let mut line = String::new();
    if let Some(llm) = &ctx.llm {
        let totals = llm.ledger().run_totals();
        let _ = write!(
            line,
            "requests in flight: generate {} · debug {} · select {} | tokens {}",
            flight(&ctx.in_flight.generate),
            flight(&ctx.in_flight.debug),
            flight(&ctx.in_flight.select),
            totals.usage.prompt_tokens + totals.usage.completion_tokens
        );
        if let Some(cost) = totals.cost_usd {
            let _ = write!(line, " | ${cost:.4}");
        }
        line.push_str(" | ");
    }
    let _ = write!(
        line,
        "executions {} (+{} cached)",
        ctx.executor.executions(),
        ctx.executor.cache_hits()
    );
    line
}

fn summary(results: &[&ProblemResult], malformed: &[String], totals: Option<Totals>) -> String {
    let mut text = String::new();
    let width = results.iter().map(|r| r.id.len()).max().unwrap_or(7).max(7);
    let _ = writeln!(
        text,
        "{:width$}  {:12} {:6} {:>7} {:>6} {:>6} {:>9} {:>8}",
        "problem", "status", "public", "samples", "cands", "calls", "tokens", "seconds"
    );
    for r in results {
        let public = if r.public_passed { "pass" } else { "-" };
        let tokens = r.prompt_tokens + r.completion_tokens;
        // Adaptive sampling shows what it took of what it could have.
        let samples = match r.samples_used {
            Some(used) if used != r.samples => format!("{used}/{}", r.samples),
            _ => r.samples.to_string(),
        };
        let _ = writeln!(
            text,
            "{:width$}  {:12} {public:6} {samples:>7} {:>6} {:>6} {tokens:>9} {:>8.1}",
            r.id,
            r.status.name(),
            r.candidates,
            r.llm_calls,
            r.seconds
        );
    }
    let ids = |status: ResultStatus| -> Vec<&str> {
        results
            .iter()
            .filter(|r| r.status == status)
            .map(|r| r.id.as_str())
            .collect()
    };
    let (selected, no_candidate, errored) = (
        ids(ResultStatus::Selected),
        ids(ResultStatus::NoCandidate),
        ids(ResultStatus::Error),
    );
    let _ = write!(
        text,
        "{} problems: {} selected, {} no candidate, {} errored",
        results.len() + malformed.len(),
        selected.len(),
        no_candidate.len(),
        errored.len()
    );
    if !malformed.is_empty() {
        let _ = write!(text, ", {} malformed (see above)", malformed.len());
    }
    if let Some(totals) = totals {
        let _ = write!(
            text,
            "; {} model calls ({} failed), {} answers from the cache",
            totals.calls, totals.failed_calls, totals.cache_hits
        );
        match totals.cost_usd {
            Some(cost) => {
                let _ = write!(text, ", ${cost:.4}");
            }
            None if totals.calls > 0 => text.push_str(", cost unknown (no price)"),
            None => {}
        }
    }
    text.push('\n');
    if !errored.is_empty() {
        let _ = writeln!(
            text,
            "errored: {} (run the same command again to retry them)",
            errored.join(", ")
        );
    }
    if !malformed.is_empty() {
        let _ = writeln!(text, "malformed: {}", malformed.join(", "));
    }
    let (used, available) = results.iter().fold((0, 0), |(u, a), r| {
        (u + r.samples_used.unwrap_or(r.samples), a + r.samples)
    });
    if used < available {
        let _ = writeln!(
            text,
            "adaptive sampling took {used} of {available} samples ({:.0}%)",
            100.0 * used as f64 / available.max(1) as f64
        );
    }
    let out: Vec<String> = results
        .iter()
        .filter_map(|r| Some(format!("{}: {}", r.id, r.budget_exhausted.as_ref()?)))
        .collect();
    if !out.is_empty() {
        let _ = writeln!(
            text,
            "budget ran out on {} problems, each selected among what it had:\n  {}",
            out.len(),
            out.join("\n  ")
        );
    }
    text
}

/// Wall-clock time as RFC 3339 (UTC) to the second, e.g. `2025-01-31T12:00:00Z`.
fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_look_like_rfc3339() {
        let now = super::now();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.starts_with("20") && now.ends_with('Z'));
        assert!(humantime::parse_rfc3339(&now).is_ok(), "{now}");
    }
}
