//! `sstar merge RUN... --out DIR`: one run directory from shard runs, warning on stderr about
//! shards that are missing, repeated or foreign to the split.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::args::MergeArgs;
use super::output::Output;
use crate::error::{Error, EXIT_OK};
use crate::pipeline::write_submission;
use crate::store::{merge_runs, RunDir, ShardCoverage};

pub fn run(args: MergeArgs, output: &Output) -> Result<i32, Error> {
    let runs: Vec<RunDir> = args.runs.iter().map(RunDir::new).collect();
    let out = RunDir::new(&args.out);
    let _out_lock = out.create_and_lock()?;
    // A shard still being solved would be merged half-done: its solve holds it.
    let _run_locks = runs
        .iter()
        .map(RunDir::lock_shared)
        .collect::<Result<Vec<_>, _>>()?;
    let merged = merge_runs(&runs, &out)?;
    write_submission(&out, &merged.results, &PathBuf::from(&merged.info.set))
        .map_err(Error::io(out.submission()))?;
    // Warnings, not errors: merging the shards that are done is useful (eval then counts the
    // missing shards' problems as unfinished and exits 1).
    for warning in shard_warnings(&merged.shards) {
        tracing::warn!("{warning}");
    }
    for run in &merged.without_ledger {
        tracing::warn!(
            "{}: made model calls but has no ledger.json (its solve did not finish?): its tokens and dollars are not in the merged ledger",
            run.display()
        );
    }
    let mut line = format!(
        "merged {} runs: {} problems into {}",
        runs.len(),
        merged.results.len(),
        out.root().display()
    );
    if let Some(ledger) = &merged.ledger {
        let usage = &ledger.run.usage;
        let _ = write!(
            line,
            "; ledger: {} model calls, {} tokens",
            ledger.run.calls,
            usage.prompt_tokens + usage.completion_tokens
        );
        if let Some(cost) = ledger.run.cost_usd {
            let _ = write!(line, ", ${cost:.4}");
        }
    }
    if !merged.shards.missing.is_empty() {
        let n = merged.shards.missing.len();
        let _ = write!(
            line,
            " (incomplete: missing shard{} {})",
            if n == 1 { "" } else { "s" },
            missing(&merged.shards)
        );
    }
    line.push('\n');
    output.data(&line);
    Ok(EXIT_OK)
}

/// One line per thing wrong with the split the inputs came from.
fn shard_warnings(c: &ShardCoverage) -> Vec<String> {
    let mut warnings = Vec::new();
    if c.counts.len() > 1 {
        let counts: Vec<String> = c.counts.iter().map(|n| format!("/{n}")).collect();
        warnings.push(format!(
            "the runs come from different splits ({}): their problems may overlap or leave gaps",
            counts.join(", ")
        ));
    }
    if !c.missing.is_empty() {
        let (noun, pronoun) = if c.missing.len() == 1 {
            ("shard", "its")
        } else {
            ("shards", "their")
        };
        warnings.push(format!(
            "missing {noun} {}: {pronoun} problems are not in the merged run",
            missing(c)
        ));
    }
    for (shard, dirs) in &c.repeated {
        let dirs: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        warnings.push(format!(
            "shard {}/{} given {} times: {}",
            shard.index,
            shard.count,
            dirs.len(),
            dirs.join(", ")
        ));
    }
    for dir in &c.unsharded {
        warnings.push(format!(
            "{} was not made with --shard, unlike the other runs",
            dir.display()
        ));
    }
    warnings
}

/// `2/4, 4/4`.
fn missing(c: &ShardCoverage) -> String {
    let names: Vec<String> = c
        .missing
        .iter()
        .map(|s| format!("{}/{}", s.index, s.count))
        .collect();
    names.join(", ")
}
