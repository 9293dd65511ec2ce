//! The labels run files carry, as enums shared by the code that writes them and the code that
//! reads them back; a label this version does not know (a newer run's) reads as `Unknown`.

use serde::{Deserialize, Serialize};

/// How one round of a sample went, `trace.jsonl`'s `status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    /// The model's answer held a program, judged on the public tests.
    #[default]
    Program,
    /// A program from `--candidates`, judged on the public tests.
    Given,
    /// The answer held no code block.
    NoCode,
    /// The answer stopped at the token limit before a code block ended.
    Truncated,
    /// The model call failed.
    ModelError,
    #[serde(other)]
    Unknown,
}

impl RoundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RoundStatus::Program => "program",
            RoundStatus::Given => "given",
            RoundStatus::NoCode => "no_code",
            RoundStatus::Truncated => "truncated",
            RoundStatus::ModelError => "model_error",
            RoundStatus::Unknown => "unknown",
        }
    }
}

/// What decided a pairwise comparison of groups, `selection.json`'s `decided_by`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecidedBy {
    /// Every round's two orders agreed.
    Model,
    /// A lead despite disagreeing answers, or the majority once the rounds ran out.
    Votes,
    /// The other program timed out on the stress input.
    TimeLimit,
    /// Nothing decided it.
    #[default]
    Tie,
    #[serde(other)]
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_and_an_unknown_one_reads_as_unknown() {
        for status in [
            RoundStatus::Program,
            RoundStatus::Given,
            RoundStatus::NoCode,
            RoundStatus::Truncated,
            RoundStatus::ModelError,
        ] {
            let json = serde_json::to_string(&status).expect("serialize");
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(
                serde_json::from_str::<RoundStatus>(&json).expect("read"),
                status
            );
        }
        let later: DecidedBy = serde_json::from_str("\"a_later_rule\"").expect("read");
        assert_eq!(later, DecidedBy::Unknown);
        assert_eq!(
            serde_json::to_string(&DecidedBy::TimeLimit).expect("json"),
            "\"time_limit\""
        );
    }
}
