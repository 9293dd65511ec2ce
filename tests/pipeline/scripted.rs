//! A scripted OpenAI-compatible model: it recognises each pipeline prompt (generation, debug,
//! test inputs, generator, pairwise judgement) and answers from a per-problem script. The
//! judge really reads the two outputs it is shown and names the one that is right, unless
//! told to err ([`JudgeErrors`]).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::{Request, Respond, ResponseTemplate};

/// How the model answers for one problem (keyed by the problem's title).
#[derive(Clone, Default)]
pub struct Script {
    /// First-attempt programs, one per sample (cycled).
    pub programs: Vec<String>,
    /// The answer to any debug prompt.
    pub fix: Option<String>,
    /// Inputs the model writes when asked for tests.
    pub inputs: Vec<String>,
    /// The right output for an input, used by the judge.
    pub truth: Option<fn(&str) -> String>,
    /// The input generator program the model writes when asked for one (`None`: it declines).
    pub generator: Option<String>,
    /// The largest-size (stress) generator program it writes when asked (`None`: it declines).
    pub stress: Option<String>,
}

/// How the scripted judge errs.
#[derive(Clone, Copy, Debug, Default)]
pub enum JudgeErrors {
    #[default]
    Never,
    /// Answers "A" the first time it is asked any question (a position bias), truthfully
    /// after.
    BiasedFirstTime,
    /// Names the wrong program at `rate`, drawn from a hash of the seed, the question and
    /// how often it was asked before: the same errors whatever order requests arrive in.
    Flips { rate: f64, seed: u64 },
}

#[derive(Clone)]
pub struct ScriptedModel {
    pub scripts: Arc<HashMap<String, Script>>,
    delay: Option<std::time::Duration>,
    judge_errors: JudgeErrors,
    /// Times each judge question (by hash) was asked.
    asked: Arc<Mutex<HashMap<u64, u64>>>,
}

fn fenced(lang: &str, body: &str) -> String {
    format!("```{lang}\n{}\n```", body.trim_end())
}

/// An answer holding `code`, fenced as C++ when it includes a header, else as Python.
pub fn program(code: &str) -> String {
    let lang = if code.contains("#include") {
        "cpp"
    } else {
        "python"
    };
    format!("Here is my solution.\n\n{}\n", fenced(lang, code))
}

/// The text between `marker` + "```\n" and the next "\n```".
fn block_after<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
    let start = text.find(marker)? + marker.len();
    let rest = &text[start..];
    let body = &rest[rest.find("```")? + 3..];
    let body = body.strip_prefix('\n').unwrap_or(body);
    Some(&body[..body.find("\n```")?])
}

fn body(texts: &[String]) -> Value {
    let choices: Vec<Value> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}))
        .collect();
    json!({
        "id": "chatcmpl-scripted", "object": "chat.completion", "created": 1, "model": "scripted",
        "choices": choices,
        "usage": {"prompt_tokens": 100, "completion_tokens": 20 * texts.len(), "total_tokens": 100 + 20 * texts.len()},
    })
}

impl ScriptedModel {
    pub fn new(scripts: Vec<(&str, Script)>) -> Self {
        Self {
            scripts: Arc::new(
                scripts
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
            ),
            delay: None,
            judge_errors: JudgeErrors::Never,
            asked: Arc::default(),
        }
    }

    /// The same model with a judge that errs as `errors` says.
    pub fn judge_errors(mut self, errors: JudgeErrors) -> Self {
        self.judge_errors = errors;
        self
    }

    /// Whether the judge errs on this asking of `question`.
    fn judge_errs(&self, question: &str) -> bool {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        question.hash(&mut hasher);
        let key = hasher.finish();
        let before = {
            let mut asked = self.asked.lock().expect("asked");
            let count = asked.entry(key).or_default();
            *count += 1;
            *count - 1
        };
        match self.judge_errors {
            JudgeErrors::Never => false,
            JudgeErrors::BiasedFirstTime => before == 0,
            JudgeErrors::Flips { rate, seed } => {
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                (seed, key, before).hash(&mut hasher);
                let uniform = (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64;
                uniform < rate
            }
        }
    }

    /// The same model, answering only after `delay` (a hung request).
    pub fn delayed(mut self, delay: std::time::Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    fn answer(&self, request: &Value) -> Vec<String> {
        let messages = request["messages"].as_array().cloned().unwrap_or_default();
        let n = request.get("n").and_then(Value::as_u64).unwrap_or(1) as usize;
        let first_user = crate::llm::support::user_text(request, false);
        let last_user = crate::llm::support::user_text(request, true);
        let title = first_user
            .strip_prefix("# ")
            .and_then(|t| t.lines().next())
            .unwrap_or("");
        let script = self.scripts.get(title).cloned().unwrap_or_default();
        let one = |text: String| vec![text; 1];
        if messages.iter().any(|m| m["role"] == "assistant") {
            return one(script
                .fix
                .as_deref()
                .map_or("I cannot fix it.".into(), program));
        }
        if last_user.contains("Two programs disagree") {
            let input = block_after(last_user, "disagree on this input:").unwrap_or("");
            let a = block_after(last_user, "Program A's real output").unwrap_or("");
            let truth = script.truth.map(|f| f(input)).unwrap_or_default();
            let right = if a.trim() == truth.trim() { "A" } else { "B" };
            let winner = match (self.judge_errs(last_user), self.judge_errors) {
                (true, JudgeErrors::BiasedFirstTime) => "A",
                (true, _) if right == "A" => "B",
                (true, _) => "A",
                (false, _) => right,
            };
            return one(format!(
                "The correct output is {}.\nWINNER: {winner}",
                truth.trim()
            ));
        }
        if last_user.contains("Which program solves the problem correctly") {
            return one("Both look fine.\nWINNER: A".into());
        }
        if last_user.contains("new, valid test inputs") {
            let blocks: Vec<String> = script.inputs.iter().map(|i| fenced("input", i)).collect();
            return one(format!("Some tests:\n\n{}", blocks.join("\n\n")));
        }
        // The stress prompt first: both ask for a generator, only it for the largest size.
        let generator = if last_user.contains("LARGEST size") {
            Some(script.stress)
        } else if last_user.contains("prints one random, valid") {
            Some(script.generator)
        } else {
            None
        };
        if let Some(generator) = generator {
            return one(
                generator.map_or("I would rather not write a generator.".into(), |code| {
                    format!("Here is a generator.\n\n{}\n", fenced("python", &code))
                }),
            );
        }
        (0..n)
            .map(|i| program(&script.programs[i % script.programs.len().max(1)]))
            .collect()
    }
}

impl Respond for ScriptedModel {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Ok(json) = request.body_json::<Value>() else {
            return ResponseTemplate::new(400);
        };
        let response = ResponseTemplate::new(200).set_body_json(body(&self.answer(&json)));
        match self.delay {
            Some(delay) => response.set_delay(delay),
            None => response,
        }
    }
}
