//! The overview's view: totals, per-stage costs, breakdowns, compared runs and settings.

use super::*;
use crate::pipeline::SelectMethod;

pub(super) fn overview(files: &RunFiles, problems: &[ProblemView]) -> Overview {
    let mut missing = Vec::new();
    let info = files.info.as_ref();
    if info.is_none() {
        missing.push("run.json (settings, start and end time)".into());
    }
    if files.results.is_empty() {
        missing.push("results.jsonl (no problem finished)".into());
    }
    if files.eval.is_none() {
        missing.push("eval.json: run `sstar eval` for hidden-test verdicts and pass@1".into());
    }
    if files.ledger.is_none() && info.is_some_and(|i| !i.settings.model_free) {
        missing.push("ledger.json (model tokens and dollars per stage)".into());
    }
    let results: Vec<&ProblemResult> = files.results.values().collect();
    let eval = files.eval.as_ref();
    let summary = eval.map(|e| &e.summary);
    let mut status_counts: Vec<(Status, usize)> = Status::ALL
        .iter()
        .map(|&s| (s, problems.iter().filter(|p| p.status == s).count()))
        .collect();
    status_counts.retain(|(_, n)| *n > 0);
    let dollars = results
        .iter()
        .map(|r| r.cost_usd)
        .try_fold(0.0, |sum, c| c.map(|c| sum + c));
    let dollars = files
        .ledger
        .as_ref()
        .map_or(dollars, |l| l.run.cost_usd.or(dollars));
    let mut stages: Vec<StageRow> = files
        .ledger
        .iter()
        .flat_map(|l| &l.by_stage)
        .map(|(stage, t)| StageRow {
            stage: stage.clone(),
            calls: t.calls + t.cache_hits,
            tokens: t.usage.prompt_tokens + t.usage.completion_tokens,
            seconds: t.latency_ms as f64 / 1000.0,
            dollars: t.cost_usd,
        })
        .collect();
    let sandbox_seconds: f64 = results.iter().map(|r| r.sandbox_seconds).sum();
    stages.push(StageRow {
        stage: "sandbox".into(),
        calls: 0,
        tokens: 0,
        seconds: sandbox_seconds,
        dollars: None,
    });
    let mut methods = Vec::new();
    if let Some(e) = eval {
        if !e.against.is_empty() {
            methods.push(MethodRow {
                short: e
                    .summary
                    .selection
                    .method
                    .clone()
                    .unwrap_or_else(|| "this run".into()),
                label: format!("this run ({})", method_label(&e.summary.selection)),
                pass_at_1: e.summary.pass_at_1_interval,
                difference: None,
            });
            for a in &e.against {
                methods.push(MethodRow {
                    short: a.selection.method.clone().unwrap_or_else(|| a.run.clone()),
                    label: format!("{} ({})", a.run, method_label(&a.selection)),
                    pass_at_1: a.pass_at_1,
                    difference: Some(a.difference),
                });
            }
        }
    }
    let model = info.and_then(|i| i.settings.model.as_ref());
    // Each model once, in role order (the roles may share one in any pattern).
    let mut models: Vec<String> = Vec::new();
    for name in model
        .iter()
        .flat_map(|m| [&m.model, &m.judge_model, &m.test_model])
    {
        if !models.contains(name) {
            models.push(name.clone());
        }
    }
    let recorded_method = info.map(|i| i.settings.pipeline.select);
    let selection_method = summary
        .and_then(|s| s.selection.method.clone())
        .or(recorded_method.map(|m| m.name().to_owned()));
    let model_free = info.is_some_and(|i| i.settings.model_free)
        || files
            .problems
            .values()
            .any(|p| p.selection.as_ref().is_some_and(|s| s.model_free));
    Overview {
        title: files.root.file_name().map_or_else(
            || files.root.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        missing,
        set: info.map(|i| i.set.clone()),
        command: info.map(|i| i.command.join(" ")),
        version: info.map(|i| format!("{} {}", i.tool, i.version)),
        started: info.map(|i| i.started_at.clone()),
        finished: info.and_then(|i| i.finished_at.clone()),
        settings: info
            .and_then(|i| serde_json::to_value(&i.settings).ok())
            .map(|s| settings_rows(&s))
            .unwrap_or_default(),
        models,
        method: selection_method,
        model_free,
        analysis_only: summary.is_some_and(|s| s.analysis_only)
            || recorded_method == Some(SelectMethod::Oracle),
        sandbox: info.map(|i| i.sandbox.backend.to_string()),
        problems: problems.len(),
        status_counts,
        evaluated: eval.is_some(),
        pass_at_1: summary
            .filter(|s| s.count > 0)
            .map(|s| s.pass_at_1_interval),
        pass_at_n: summary
            .filter(|s| s.count > 0)
            .map(|s| s.pass_at_n_interval),
        scored: summary.map_or(0, |s| s.count),
        complete: summary.is_some_and(|s| s.complete),
        prompt_tokens: results.iter().map(|r| r.prompt_tokens).sum(),
        completion_tokens: results.iter().map(|r| r.completion_tokens).sum(),
        llm_calls: results.iter().map(|r| r.llm_calls).sum(),
        dollars,
        sandbox_seconds,
        executions: results.iter().map(|r| r.executions).sum(),
        problem_seconds: results.iter().map(|r| r.seconds).sum(),
        wall_seconds: info.and_then(|i| seconds_between(&i.started_at, i.finished_at.as_deref()?)),
        stages,
        by_difficulty: summary
            .map(|s| s.by_difficulty.clone().into_iter().collect())
            .unwrap_or_default(),
        by_source: summary
            .map(|s| s.by_source.clone().into_iter().collect())
            .unwrap_or_default(),
        methods,
    }
}

fn method_label(selection: &crate::eval::SelectionInfo) -> String {
    let mut label = selection.method.clone().unwrap_or_else(|| "?".into());
    if selection.model_free {
        label.push_str(", model-free");
    }
    if selection.analysis_only {
        label.push_str(", oracle");
    }
    label
}

/// run.json's settings as `key: value` rows (nested keys dotted); the API key (already
/// redacted), prices and retry policy are left out as noise.
fn settings_rows(settings: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    if matches!(k.as_str(), "api_key" | "prices" | "retry") {
                        continue;
                    }
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            serde_json::Value::Null => {}
            serde_json::Value::String(s) => out.push((prefix.into(), s.clone())),
            other => out.push((prefix.into(), other.to_string())),
        }
    }
    let mut out = Vec::new();
    walk("", settings, &mut out);
    out
}

/// Seconds between two RFC 3339 UTC stamps as `solve` writes them (`YYYY-MM-DDTHH:MM:SSZ`).
pub(super) fn seconds_between(start: &str, end: &str) -> Option<f64> {
    Some((epoch(end)? - epoch(start)?) as f64)
}

/// Seconds since the Unix epoch of an RFC 3339 UTC stamp; `None` when it is not one.
fn epoch(stamp: &str) -> Option<i64> {
    let time = humantime::parse_rfc3339(stamp).ok()?;
    let since = time.duration_since(std::time::UNIX_EPOCH).ok()?;
    i64::try_from(since.as_secs()).ok()
}
