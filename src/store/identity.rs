//! What makes two invocations one run: the settings that decide its results. Where to reach
//! the model, how patiently and at what price are not among them, so a resume may change them.

use serde_json::Value;

/// Paths into `run.json`'s `settings` that a resume may change freely.
const NOT_IDENTITY: &[&str] = &[
    "only",
    "model.base_url",
    "model.api_key",
    "model.timeout",
    "model.concurrency",
    "model.retry",
    "model.prices",
    "pipeline.problem_concurrency",
    // A run that ran out may be resumed with more; what finished stays as it was.
    "pipeline.budget",
];

/// The settings that differ between a run on disk and a new invocation, as
/// `path: old → new` lines; empty when the new invocation may resume the run.
pub fn setting_differences(previous: &Value, current: &Value) -> Vec<String> {
    let mut out = Vec::new();
    compare("", previous, current, &mut out);
    out
}

/// Settings added after runs were first written, with the value those older runs had: a run
/// without the setting resumes under that value.
fn recorded_before(path: &str) -> Option<&'static str> {
    match path {
        "sandbox" => Some("process"),
        "pipeline.language" => Some("python"),
        _ => None,
    }
}

fn compare(path: &str, previous: &Value, current: &Value, out: &mut Vec<String>) {
    if NOT_IDENTITY.contains(&path) || previous == current {
        return;
    }
    if previous.is_null() && recorded_before(path).is_some_and(|old| current == old) {
        return;
    }
    match (previous, current) {
        (Value::Object(old), Value::Object(new)) => {
            let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                let missing = Value::Null;
                compare(
                    &child,
                    old.get(key).unwrap_or(&missing),
                    new.get(key).unwrap_or(&missing),
                    out,
                );
            }
        }
        _ => out.push(format!("{path}: {previous} → {current}")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::setting_differences;

    #[test]
    fn the_endpoint_and_budgets_are_not_identity_the_model_and_samples_are() {
        let old = json!({"pipeline": {"samples": 16, "problem_concurrency": 4},
            "model": {"base_url": "http://127.0.0.1:8000/v1", "model": "a", "concurrency": 8},
            "only": ["x"]});
        let moved = json!({"pipeline": {"samples": 16, "problem_concurrency": 2},
            "model": {"base_url": "http://127.0.0.1:9000/v1", "model": "a", "concurrency": 2},
            "only": []});
        assert!(setting_differences(&old, &moved).is_empty());
        let other = json!({"pipeline": {"samples": 8, "problem_concurrency": 4},
            "model": {"base_url": "http://127.0.0.1:8000/v1", "model": "b"}, "only": ["x"]});
        assert_eq!(
            setting_differences(&old, &other),
            ["model.model: \"a\" → \"b\"", "pipeline.samples: 16 → 8"]
        );
    }

    #[test]
    fn a_run_from_before_the_sandbox_setting_resumes_under_process_only() {
        let old = json!({"pipeline": {"samples": 16}});
        let process = json!({"pipeline": {"samples": 16}, "sandbox": "process"});
        let wasm = json!({"pipeline": {"samples": 16}, "sandbox": "wasm"});
        assert!(setting_differences(&old, &process).is_empty());
        assert_eq!(
            setting_differences(&old, &wasm),
            ["sandbox: null → \"wasm\""]
        );
    }
}
