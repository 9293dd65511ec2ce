//! The verdict words, one per test and per program (docs/verdicts.md).

use std::fmt;

use serde::{Deserialize, Serialize};

/// How a program did on a test (or, for a whole run, on its first failing test).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Accepted,
    WrongAnswer,
    RuntimeError,
    TimeLimitExceeded,
    MemoryLimitExceeded,
    OutputLimitExceeded,
    CompileError,
    /// The sandbox could not carry out the run (a worker lost mid-run, a setup failure), once
    /// retried on a fresh worker: no verdict on the program. Never scored, never grouped with
    /// programs' behaviours, never cached.
    InternalError,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::WrongAnswer => "wrong_answer",
            Verdict::RuntimeError => "runtime_error",
            Verdict::TimeLimitExceeded => "time_limit_exceeded",
            Verdict::MemoryLimitExceeded => "memory_limit_exceeded",
            Verdict::OutputLimitExceeded => "output_limit_exceeded",
            Verdict::CompileError => "compile_error",
            Verdict::InternalError => "internal_error",
        }
    }

    pub fn is_accepted(self) -> bool {
        self == Verdict::Accepted
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_and_display_agree() {
        for verdict in [
            Verdict::Accepted,
            Verdict::WrongAnswer,
            Verdict::TimeLimitExceeded,
            Verdict::CompileError,
            Verdict::InternalError,
        ] {
            let json = serde_json::to_string(&verdict).expect("serialize");
            assert_eq!(json, format!("\"{verdict}\""));
        }
    }
}
