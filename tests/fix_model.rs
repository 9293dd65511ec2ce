//! A scripted OpenAI-compatible model for `sstar fix`: it answers the generation prompt with
//! given definitions (one per sample), debug prompts with prose (no code), the input prompt
//! with calls, and the judge by really computing the median of the call's list and naming
//! the definition whose real result matches it.

use serde_json::{json, Value};
use wiremock::{Request, Respond, ResponseTemplate};

use crate::llm::support::chat_body;

/// The fixture's buggy function, fixed three ways (see `tests/fixtures/fix/repo`).
pub const BREAKS_ANOTHER_TEST: &str = "@logged\ndef median(values):\n    \"\"\"The median of a non-empty list of numbers.\"\"\"\n    return sorted(values)[len(values) // 2]\n";
/// Sorts only odd-length lists: every test passes, unsorted even-length lists go wrong.
pub const WRONG_ON_UNTESTED: &str = "def median(\n    values,\n):\n    \"\"\"The median of a non-empty list of numbers.\"\"\"\n    n = len(values)\n    mid = n // 2\n    if n % 2:\n        return sorted(values)[mid]\n    return (values[mid - 1] + values[mid]) / 2\n";
pub const RIGHT: &str = "def median(\n    values,\n):\n    \"\"\"The median of a non-empty list of numbers.\"\"\"\n    ordered = sorted(values)\n    n = len(ordered)\n    mid = n // 2\n    if n % 2:\n        return ordered[mid]\n    return (ordered[mid - 1] + ordered[mid]) / 2\n";

/// The calls the model proposes: an unsorted even list separates the last two fixes; the
/// empty list makes every fix raise (a call to drop).
const CALLS: &str = "```input\n[[4, 1, 3, 2]]\n[[5, 3, 1]]\n```\n\n```input\n[[]]\n```";

#[derive(Clone)]
pub struct FixModel {
    /// First-attempt definitions, by sample index (cycled).
    pub definitions: Vec<&'static str>,
}

/// The text of the fenced block following `marker`.
fn block_after<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
    let rest = &text[text.find(marker)? + marker.len()..];
    let body = &rest[rest.find("```")? + 3..];
    let body = &body[body.find('\n')? + 1..];
    Some(&body[..body.find("\n```")?])
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

impl FixModel {
    fn answer(&self, request: &Value) -> Vec<String> {
        let messages = request["messages"].as_array().cloned().unwrap_or_default();
        let n = request.get("n").and_then(Value::as_u64).unwrap_or(1) as usize;
        let last_user = crate::llm::support::user_text(request, true);
        if messages.iter().any(|m| m["role"] == "assistant") {
            return vec!["I do not see what else to change.".into()];
        }
        if last_user.contains("WINNER: A") {
            let arguments: Value = block_after(last_user, "with these arguments (JSON):")
                .and_then(|a| serde_json::from_str(a).ok())
                .unwrap_or_default();
            let values: Vec<f64> = arguments[0]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default();
            let truth = median(&values);
            let a = block_after(last_user, "Definition A's real result")
                .and_then(|r| r.strip_prefix("returned "))
                .and_then(|r| r.trim().parse::<f64>().ok());
            let winner = if a == Some(truth) { "A" } else { "B" };
            return vec![format!("The median is {truth}.\nWINNER: {winner}")];
        }
        if last_user.contains("```input") {
            return vec![format!("Calls to try:\n\n{CALLS}\n")];
        }
        (0..n)
            .map(|i| {
                let code = self.definitions[i % self.definitions.len()];
                format!("Here is the fix.\n\n```python\n{code}```\n")
            })
            .collect()
    }
}

impl Respond for FixModel {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Ok(body) = request.body_json::<Value>() else {
            return ResponseTemplate::new(400);
        };
        let texts = self.answer(&body);
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        ResponseTemplate::new(200).set_body_json(chat_body(&refs, "stop", 100, 20))
    }
}

/// The answer to a judge request naming `truth`, for a direct check of the parser above.
#[test]
fn the_scripted_judge_names_the_right_median() {
    let prompt = "with these arguments (JSON):\n```\n[[4,1,3,2]]\n```\n\nDefinition A:\n```python\nx\n```\nDefinition A's real result (it was executed):\n```\nreturned 2.0\n```\n... `WINNER: A` or `WINNER: B`.";
    let request = json!({"messages": [{"role": "user", "content": prompt}]});
    let model = FixModel {
        definitions: vec![RIGHT],
    };
    assert_eq!(model.answer(&request), ["The median is 2.5.\nWINNER: B"]);
}
