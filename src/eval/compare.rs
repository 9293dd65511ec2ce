//! `sstar eval RUN_A --against RUN_B`: the paired difference on the problems both runs have.

use serde::Serialize;

use super::stats::{paired, PairedDifference};
use crate::schema::EvalReport;

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// pass@1 of A minus pass@1 of B over the shared problems, with its 95% interval.
    pub pass_at_1: PairedDifference,
    /// Problems in only one of the runs (left out of the comparison).
    pub only_in_a: Vec<String>,
    pub only_in_b: Vec<String>,
}

pub fn compare(a: &EvalReport, b: &EvalReport) -> Comparison {
    let pairs: Vec<(bool, bool)> = a
        .problems
        .iter()
        .filter_map(|(id, pa)| b.problems.get(id).map(|pb| (pa.accepted(), pb.accepted())))
        .collect();
    Comparison {
        pass_at_1: paired(&pairs),
        only_in_a: a
            .problems
            .keys()
            .filter(|id| !b.problems.contains_key(*id))
            .cloned()
            .collect(),
        only_in_b: b
            .problems
            .keys()
            .filter(|id| !a.problems.contains_key(*id))
            .cloned()
            .collect(),
    }
}
