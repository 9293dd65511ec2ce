//! Judging programs against a problem's tests in the sandbox, and showing why a program
//! failed.

mod diff;
mod error;
mod printable;
mod single;
mod special;
mod suite;
mod traceback;

pub use diff::{output_diff, LineRule, Style};
pub use error::JudgeError;
pub use printable::printable;
pub use single::{candidate_job, grade, job_for, judge_test, limits_for, test_label, TestResult};
pub use suite::{judge, JudgeOptions, JudgeReport};
pub use traceback::{program_traceback, traceback_tail, PROGRAM_FILE};
