//! `run.json`: the run's settings, the tool version, start and end time, the sandbox in force;
//! and which settings make two invocations one run.

use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use sstar_sandbox::{Backend, Isolation};

use super::format::Format;
use crate::llm::LlmConfig;
use crate::pipeline::Settings;

/// `run.json`'s current format. 1: before the field; 2: adds `format`.
pub const RUN_FORMAT: u32 = 2;

/// `run.json`: every setting, the tool version, start and end time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    #[serde(default = "Format::unrecorded")]
    pub format: Format<RUN_FORMAT>,
    pub tool: String,
    pub version: String,
    pub command: Vec<String>,
    /// The problem set, absolute.
    pub set: String,
    pub settings: RunSettings,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// Sandbox isolation in force (so reports can say what guarded the candidates).
    pub sandbox: Isolation,
}

/// What `solve` was asked to do: `run.json`'s `settings`. A setting added after runs were first
/// written reads, in a run without it, as the value those runs had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    pub pipeline: Settings,
    /// The model and how it is reached (the key is never written); `None`: model-free.
    pub model: Option<LlmConfig>,
    /// `--candidates FILE`, absolute, so eval and merge find it from any directory.
    #[serde(default)]
    pub candidates: Option<PathBuf>,
    /// `--only`: empty means every problem.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub only: Vec<String>,
    #[serde(default)]
    pub shard: Option<Shard>,
    /// No model was configured: selection ran on mutated public inputs and group sizes.
    #[serde(default)]
    pub model_free: bool,
    /// Verdicts can differ between backends (see README), so a run keeps one.
    #[serde(default)]
    pub sandbox: Backend,
    /// `--cxx-flags`, when not the default.
    #[serde(default)]
    pub cxx_flags: Option<Vec<String>>,
    /// A merged run: the run directories it was merged from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_from: Option<Vec<String>>,
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

impl RunSettings {
    /// The settings that decide a run's results: these as they are, with every setting a resume
    /// may change set to one fixed value. Where the model is reached, how patiently and at
    /// what price, and how many problems run at once, do not change a result; `--only` picks
    /// which problems run now; a run that ran out of budget may be resumed with more (what
    /// finished stays as it was).
    fn identity(&self) -> Self {
        let mut same = self.clone();
        same.only = Vec::new();
        same.pipeline.problem_concurrency = 0;
        same.pipeline.budget = Default::default();
        if let Some(model) = &mut same.model {
            let neutral = LlmConfig::new("", "");
            model.base_url = neutral.base_url;
            model.api_key = None;
            model.timeout = neutral.timeout;
            model.concurrency = neutral.concurrency;
            model.retry = neutral.retry;
            model.prices = neutral.prices;
        }
        same
    }

    /// The settings that differ between a run on disk (`self`) and a new invocation, as
    /// `path: old → new` lines; empty when the new invocation may resume the run.
    pub fn differences(&self, current: &RunSettings) -> Vec<String> {
        let (old, new) = (self.identity(), current.identity());
        if old == new {
            return Vec::new();
        }
        let mut out = Vec::new();
        let as_json = |s: &RunSettings| serde_json::to_value(s).unwrap_or(Value::Null);
        describe("", &as_json(&old), &as_json(&new), &mut out);
        out
    }
}

/// Names each differing leaf of two JSON values by its dotted path, for the user.
fn describe(path: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                let (x, y) = (a.get(key), b.get(key));
                describe(
                    &child,
                    x.unwrap_or(&Value::Null),
                    y.unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        _ => out.push(format!("{path}: {old} → {new}")),
    }
}

/// `--shard K/N`, recorded in run.json as `{"index": K, "count": N}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Whether the problem at `position` among the set's valid problems (natural order) is
    /// this shard's: the one split `solve --shard K/N` makes and `eval` reads back.
    pub fn holds(&self, position: usize) -> bool {
        self.count > 0 && position % self.count == self.index.wrapping_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::SelectMethod;

    /// `run.json` as the previous release (format 1) wrote it, model settings included.
    const PREVIOUS: &str = include_str!("../../tests/fixtures/previous-model-run/run.json");

    fn previous() -> RunInfo {
        serde_json::from_str(PREVIOUS).expect("the previous release's run.json reads")
    }

    #[test]
    fn the_previous_format_reads_typed_and_writes_back_as_the_current_one() {
        let info = previous();
        assert_eq!(info.format.get(), 1);
        let model = info.settings.model.as_ref().expect("a model run");
        assert_eq!(model.model, "mock-model");
        assert_eq!(model.timeout.as_secs(), 600);
        assert!(model.api_key.is_none());
        assert_eq!(info.settings.pipeline.samples, 2);
        assert_eq!(info.settings.pipeline.select, SelectMethod::Sstar);
        assert_eq!(info.settings.only, ["run-length", "count-lakes"]);
        assert_eq!(info.sandbox.backend, Backend::Process);
        let written = serde_json::to_string(&info).expect("json");
        let again: RunInfo = serde_json::from_str(&written).expect("reads back");
        assert_eq!(again.format.get(), RUN_FORMAT);
        assert_eq!(
            RunInfo {
                format: info.format,
                ..again
            },
            info
        );
    }

    #[test]
    fn settings_older_runs_lack_read_as_the_values_those_runs_had() {
        let mut old: serde_json::Value = serde_json::from_str(PREVIOUS).expect("json");
        let settings = old["settings"].as_object_mut().expect("object");
        settings.remove("sandbox");
        settings.remove("cxx_flags");
        settings.insert("only".into(), Value::Null);
        let pipeline = settings["pipeline"].as_object_mut().expect("object");
        pipeline.remove("language");
        pipeline.remove("adaptive");
        pipeline.remove("budget");
        let info: RunInfo = serde_json::from_value(old).expect("reads");
        assert!(info.settings.differences(&previous().settings).is_empty());
        assert_eq!(info.settings.sandbox, Backend::Process);
    }

    #[test]
    fn the_endpoint_and_budgets_are_not_identity_the_model_and_samples_are() {
        let old = previous().settings;
        let mut moved = old.clone();
        let model = moved.model.as_mut().expect("model");
        model.base_url = "http://127.0.0.1:9000/v1".into();
        model.concurrency = 2;
        model.timeout = std::time::Duration::from_secs(5);
        moved.pipeline.problem_concurrency = 1;
        moved.pipeline.budget.run.usd = Some(3.0);
        moved.only.clear();
        assert!(old.differences(&moved).is_empty());
        let mut other = old.clone();
        other.model.as_mut().expect("model").model = "other".into();
        other.pipeline.samples = 8;
        other.sandbox = Backend::Wasm;
        assert_eq!(
            old.differences(&other),
            [
                "model.model: \"mock-model\" → \"other\"",
                "pipeline.samples: 2 → 8",
                "sandbox: \"process\" → \"wasm\"",
            ]
        );
    }

    #[test]
    fn a_run_from_a_newer_format_is_refused_not_misread() {
        let mut newer: serde_json::Value = serde_json::from_str(PREVIOUS).expect("json");
        newer["format"] = (RUN_FORMAT + 1).into();
        let e = serde_json::from_value::<RunInfo>(newer).expect_err("refused");
        assert!(e.to_string().contains("newer sstar"), "{e}");
    }
}
