//! `sstar fix REPO --test CMD --file PATH --function NAME`: the patch on stdout (and `--out`),
//! a pull-request comment with `--comment`, everything else in the run directory.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::args::FixArgs;
use super::output::Output;
use crate::config::{start_sandbox, SandboxChoice};
use crate::error::{Error, EXIT_NEGATIVE, EXIT_OK};
use crate::fix::{
    default_run_dir, fix, take_run_dir, FixOutcome, FixReport, FixSettings, TreeRunner,
};
use crate::llm::{process_env, LlmClient};
use crate::store::{write_atomic, write_json_atomic, ExecCache, RunDir};

pub fn run(args: FixArgs, output: &Output) -> Result<i32, Error> {
    let samples = super::args::at_least("--samples", args.samples, 1, "")?;
    let config = args.llm.resolve(process_env)?;
    if !args.repo.is_dir() {
        return Err(Error::Usage(format!(
            "{} is not a directory",
            args.repo.display()
        )));
    }
    // Checked before anything in it is read or written: its caches are believed.
    let dir = match &args.run_dir {
        Some(dir) => dir.clone(),
        None => default_run_dir(&run_name(&args))?,
    };
    let run = RunDir::new(take_run_dir(&dir)?);
    let _lock = run.create_and_lock()?;
    // CMD is a shell command that starts processes (pytest, unittest): only the process
    // backend can run it, whatever $SSTAR_SANDBOX says.
    let sandbox = Arc::new(start_sandbox(&SandboxChoice::default(), &[])?);
    let cache =
        ExecCache::open(&run.exec_cache(), &sandbox).map_err(Error::io(run.exec_cache()))?;
    let runner = TreeRunner::new(sandbox, cache);
    let llm = config.map(|c| LlmClient::new(c, Some(run.llm_cache())));
    let settings = FixSettings {
        repo: args.repo.clone(),
        test: args.test.clone(),
        file: args.file.clone(),
        function: args.function.clone(),
        samples,
        rounds: args.rounds,
        seed: args.select_seed,
    };
    tracing::info!("fix run directory: {}", run.root().display());
    let runtime = tokio::runtime::Runtime::new().map_err(Error::Runtime)?;
    let outcome = runtime.block_on(fix(&settings, &runner, llm.as_ref()));
    if let Some(llm) = &llm {
        let mut ledger = run
            .read_ledger()
            .map_err(Error::io(run.ledger()))?
            .unwrap_or_default();
        ledger.add(&llm.ledger().report());
        write_json_atomic(&run.ledger(), &ledger).map_err(Error::io(run.ledger()))?;
    }
    let fix_json = run.root().join("fix.json");
    match outcome? {
        FixOutcome::NothingToFix(report) => {
            // Only the record: there is no change to comment on.
            write_json_atomic(&fix_json, &report).map_err(Error::io(&fix_json))?;
            // Said "passes" only on the command's own record of its tests.
            let said = match &report.before.tests {
                Some(counts) => format!("passes ({} tests passed, by its record)", counts.passed),
                None => "exits 0 (it left no record of its tests to check)".to_owned(),
            };
            output.data(&format!("nothing to fix: `{}` {said}\n", args.test));
            Ok(EXIT_OK)
        }
        FixOutcome::NoFix(report) => {
            record(&run, &args, &report)?;
            eprintln!(
                "no candidate made `{}` pass ({} sampled); see {}",
                args.test,
                report.candidates.len(),
                fix_json.display()
            );
            Ok(EXIT_NEGATIVE)
        }
        FixOutcome::Proposed(report) => {
            record(&run, &args, &report)?;
            let diff = report.diff.clone().unwrap_or_default();
            if let Some(out) = &args.out {
                std::fs::write(out, &diff).map_err(Error::io(out))?;
            }
            output.untrusted_data(&diff);
            Ok(EXIT_OK)
        }
    }
}

/// Writes `fix.json`, the patch and the comment into the run directory, and the comment to
/// `--comment`.
fn record(run: &RunDir, args: &FixArgs, report: &FixReport) -> Result<(), Error> {
    let fix_json = run.root().join("fix.json");
    write_json_atomic(&fix_json, report).map_err(Error::io(&fix_json))?;
    let comment = crate::fix::comment_markdown(report);
    let copy = run.root().join("comment.md");
    write_atomic(&copy, comment.as_bytes()).map_err(Error::io(&copy))?;
    if let Some(diff) = &report.diff {
        let patch = run.root().join("fix.patch");
        write_atomic(&patch, diff.as_bytes()).map_err(Error::io(&patch))?;
    }
    if let Some(path) = &args.comment {
        std::fs::write(path, &comment).map_err(Error::io(path))?;
    }
    Ok(())
}

/// The hash of what names the job (the repository's absolute path, CMD, PATH, NAME): the
/// same command line resumes the same run.
fn run_name(args: &FixArgs) -> String {
    let repo = std::fs::canonicalize(&args.repo).unwrap_or_else(|_| args.repo.clone());
    let mut hash = Sha256::new();
    for part in [
        repo.as_os_str().as_encoded_bytes(),
        args.test.as_bytes(),
        args.file.as_os_str().as_encoded_bytes(),
        args.function.as_bytes(),
    ] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    hex::encode(hash.finalize())[..16].to_owned()
}
