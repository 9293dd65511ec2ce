//! `sstar merge RUN... --out DIR`: one run directory from shard runs.

use std::path::PathBuf;

use super::args::MergeArgs;
use super::output::Output;
use crate::error::{Error, EXIT_OK};
use crate::pipeline::write_submission;
use crate::store::{merge_runs, RunDir};

pub fn run(args: MergeArgs, output: &Output) -> Result<i32, Error> {
    let runs: Vec<RunDir> = args.runs.iter().map(RunDir::new).collect();
    let out = RunDir::new(&args.out);
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
