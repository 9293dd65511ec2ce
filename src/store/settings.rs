//! Reading back the settings a run recorded in `run.json` (`settings`), for the commands that
//! come after `solve`: which part of the set it was asked for and how it selected.

use std::path::PathBuf;

use serde::Deserialize;

use crate::pipeline::SelectMethod;
use crate::schema::Shard;

/// What later commands need of a run's settings; a key the run did not record reads as unused.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordedSettings {
    pub shard: Option<Shard>,
    /// `--only`: empty means every problem.
    pub only: Vec<String>,
    /// `--candidates FILE`, as typed (relative to where `solve` ran).
    pub candidates: Option<PathBuf>,
    /// No model was configured: selection ran on mutated public inputs and group sizes.
    pub model_free: bool,
    /// `--select`, as recorded; `None` also for a method this version does not know.
    pub select: Option<SelectMethod>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Raw {
    shard: Option<Shard>,
    only: Option<Vec<String>>,
    candidates: Option<PathBuf>,
    model_free: bool,
    pipeline: Option<RawPipeline>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawPipeline {
    select: Option<String>,
}

/// The method named `name` in a recorded run.
fn method(name: &str) -> Option<SelectMethod> {
    use clap::ValueEnum;
    SelectMethod::value_variants()
        .iter()
        .copied()
        .find(|m| m.name() == name)
}

impl RecordedSettings {
    /// Reads `run.json`'s `settings`; one that does not parse (another tool version) reads as
    /// no settings, with a warning, so eval and merge still do what they can.
    pub fn of(settings: &serde_json::Value) -> Self {
        let raw: Raw = match serde_json::from_value(settings.clone()) {
            Ok(raw) => raw,
            Err(e) => {
                tracing::warn!("run.json settings unreadable ({e}); taken as the defaults");
                Raw::default()
            }
        };
        Self {
            shard: raw.shard,
            only: raw.only.unwrap_or_default(),
            candidates: raw.candidates,
            model_free: raw.model_free,
            select: raw.pipeline.and_then(|p| p.select).and_then(|n| method(&n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_solve_records_and_tolerates_absent_keys() {
        let s = RecordedSettings::of(&serde_json::json!({
            "pipeline": {"samples": 16, "select": "oracle"},
            "model": null,
            "candidates": "examples/c.jsonl",
            "only": ["a", "b"],
            "shard": {"index": 2, "count": 3},
            "model_free": true,
        }));
        assert_eq!(s.shard, Some(Shard { index: 2, count: 3 }));
        assert_eq!(s.only, ["a", "b"]);
        assert_eq!(s.candidates, Some(PathBuf::from("examples/c.jsonl")));
        assert!(s.model_free);
        assert_eq!(s.select, Some(SelectMethod::Oracle));
        let old = RecordedSettings::of(&serde_json::json!({"only": null, "shard": null}));
        assert_eq!(old, RecordedSettings::default());
    }
}
