//! Judging programs against a problem's tests in the sandbox (SPEC §2–3).

mod error;
mod single;
mod special;
mod suite;

pub use error::JudgeError;
pub use single::{execution_for, grade, judge_test, limits_for, program_kind, TestResult};
pub use suite::{judge, JudgeOptions, JudgeReport};
