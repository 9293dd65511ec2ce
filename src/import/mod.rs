//! Importers: other benchmarks' files (LiveCodeBench, CodeContests, APPS, HumanEval, MBPP)
//! written as problem sets in the format of docs/problems.md (`sstar import`).

mod apps;
mod codecontests;
mod docstring;
mod error;
mod fields;
mod harness;
mod humaneval;
mod ids;
mod input;
mod livecodebench;
mod mbpp;
mod reference;
mod run;
mod writer;

pub use error::{ImportError, SkipReason};
pub use run::{import, Format, ImportOptions, ImportProgress, ImportSummary, Skipped};
