//! The files a run writes (docs/run-directory.md), as types: each file has one type, used by the
//! code that writes it and by every command that reads it back.

mod eval;
mod fix;
mod format;
mod labels;
mod ledger;
mod results;
mod run;
mod selection;
mod submission;
mod trace;

pub use eval::{
    AgainstRecord, Breakdown, EvalProblem, EvalReport, EvalSummary, Expectation, NotScored,
    NotScoredReason, SelectionInfo, EVAL_FORMAT,
};
pub use fix::{
    Attempt, CandidateRecord, FixEnd, FixReport, GroupRecord as FixGroup, Survivor, TestCounts,
    TestRun, FIX_FORMAT,
};
pub use format::Format;
pub use labels::{DecidedBy, RoundStatus};
pub use ledger::{LedgerReport, Totals, Usage, LEDGER_FORMAT};
pub use results::{
    Exhausted, ProblemResult, ResultStatus, SamplingStop, Scope, Unit, RESULTS_FORMAT,
};
pub use run::{RunInfo, RunSettings, Shard, RUN_FORMAT};
pub use selection::{
    Comparison, FinalRecord, GroupRecord, InputCounts, InputRecord, LadderStop, Pick,
    SelectionReport, Source, Vote, VoteSummary, SELECTION_FORMAT,
};
pub use submission::Entry as SubmissionEntry;
pub use trace::{PublicVerdict, RoundRecord, TRACE_FORMAT};

#[cfg(test)]
mod tests;
