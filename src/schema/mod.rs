//! The files a run writes (docs/run-directory.md), as types: each file has one type, used by the
//! code that writes it and by every command that reads it back.

mod eval;
mod fix;
mod labels;
mod ledger;
mod results;
mod run;
mod selection;
mod submission;
mod trace;

pub use eval::{
    AgainstRecord, Breakdown, EvalProblem, EvalReport, EvalSummary, Expectation, NotScored,
    NotScoredReason, SelectionInfo,
};
pub use fix::{
    Attempt, CandidateRecord, FixEnd, FixReport, GroupRecord as FixGroup, Survivor, TestCounts,
    TestRun,
};
pub use labels::{DecidedBy, RoundStatus};
pub use ledger::{LedgerReport, Totals, Usage};
pub use results::{Exhausted, ProblemResult, ResultStatus, SamplingStop, Scope, Unit};
pub use run::{RunInfo, Shard};
pub use selection::{
    Comparison, FinalRecord, GroupRecord, InputCounts, InputRecord, Pick, SelectionReport, Source,
    Vote, VoteSummary,
};
pub use submission::Entry as SubmissionEntry;
pub use trace::{PublicVerdict, RoundRecord};
