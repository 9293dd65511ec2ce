//! `sstar merge RUN... --out DIR`: one run directory from shard runs.

use std::path::PathBuf;

use super::args::MergeArgs;
use super::output::Output;
use crate::error::{Error, EXIT_OK};
use crate::pipeline::write_submission;
use crate::store::{merge_runs, LockError, RunDir};

pub fn run(args: MergeArgs, output: &Output) -> Result<i32, Error> {
    let runs: Vec<RunDir> = args.runs.iter().map(RunDir::new).collect();
    let out = RunDir::new(&args.out);
    let lock_error = |e: LockError| Error::Usage(e.to_string());
    let _out_lock = out.create_and_lock().map_err(lock_error)?;
    // A shard still being solved would be merged half-done: its solve holds it.
    let _run_locks = runs
        .iter()
        .map(RunDir::lock_shared)
        .collect::<Result<Vec<_>, _>>()
        .map_err(lock_error)?;
    let (results, info) = merge_runs(&runs, &out).map_err(|e| Error::Usage(e.to_string()))?;
    write_submission(&out, &results, &PathBuf::from(&info.set))
        .map_err(Error::io(out.submission()))?;
    output.data(&format!(
        "merged {} runs: {} problems into {}\n",
        runs.len(),
        results.len(),
        out.root().display()
    ));
    Ok(EXIT_OK)
}
