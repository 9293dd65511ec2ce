//! The values the rest of sstar exchanges with the model layer: requests, messages, answers, usage.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::config::Role;
use super::extract;

/// Who speaks a chat message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageRole {
    /// Instructions for the model.
    System,
    /// The user's turn.
    User,
    /// An earlier answer of the model (multi-turn debugging).
    Assistant,
}

/// One chat message.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Message {
    /// Who speaks.
    pub role: MessageRole,
    /// What is said.
    pub content: String,
}

impl Message {
    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        Self {
            role: MessageRole::System,
            content: content.into(),
        }
    }

    /// A user message.
    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: MessageRole::User,
            content: content.into(),
        }
    }

    /// An assistant message.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self {
            role: MessageRole::Assistant,
            content: content.into(),
        }
    }
}

/// A request for `n` samples of one conversation.
///
/// Samples are numbered `first_sample .. first_sample + n`; the number is
/// part of the cache key, so asking the same conversation again with the
/// same numbers is answered from the cache, and asking for *more* samples
/// later means starting at the count already drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct CompletionRequest {
    /// Which model answers (see [`Role`]).
    pub role: Role,
    /// A label for the ledger, e.g. `generate`, `debug`, `judge`.
    pub stage: String,
    /// The problem this call serves, for the ledger.
    pub problem_id: String,
    /// The conversation.
    pub messages: Vec<Message>,
    /// How many samples.
    pub n: u32,
    /// Number of the first sample.
    pub first_sample: u32,
}

impl CompletionRequest {
    /// One sample (number 0) of `messages`; the stage label defaults to the role's name.
    pub fn new(role: Role, problem_id: impl Into<String>, messages: Vec<Message>) -> Self {
        Self {
            role,
            stage: role.as_str().to_owned(),
            problem_id: problem_id.into(),
            messages,
            n: 1,
            first_sample: 0,
        }
    }

    /// Sets the ledger's stage label.
    pub fn stage(mut self, stage: impl Into<String>) -> Self {
        self.stage = stage.into();
        self
    }

    /// Asks for `n` samples.
    pub fn samples(mut self, n: u32) -> Self {
        self.n = n;
        self
    }

    /// Numbers the samples from `first` (see the type's docs).
    pub fn first_sample(mut self, first: u32) -> Self {
        self.first_sample = first;
        self
    }
}

/// Why the model stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finish {
    /// A natural end (`stop`).
    Stop,
    /// Cut off by the token limit (`length`): the answer is truncated.
    Length,
    /// Anything else the server said (`content_filter`, `tool_calls`, none at all…).
    Other(String),
}

impl Finish {
    /// Reads an OpenAI `finish_reason`.
    pub fn from_reason(reason: Option<&str>) -> Self {
        match reason {
            Some("stop") => Self::Stop,
            Some("length") => Self::Length,
            Some(other) => Self::Other(other.to_owned()),
            None => Self::Other("none".to_owned()),
        }
    }
}

/// Token counts, as the server's `usage` reported them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Prompt tokens (cached ones included).
    pub prompt_tokens: u64,
    /// Completion tokens (reasoning ones included).
    pub completion_tokens: u64,
    /// Of the completion tokens, those spent reasoning.
    pub reasoning_tokens: u64,
    /// Of the prompt tokens, those served from the provider's prompt cache.
    pub cached_tokens: u64,
}

impl Usage {
    /// Adds `other` to `self`.
    pub fn add(&mut self, other: &Usage) {
        self.prompt_tokens += other.prompt_tokens;
        self.completion_tokens += other.completion_tokens;
        self.reasoning_tokens += other.reasoning_tokens;
        self.cached_tokens += other.cached_tokens;
    }

    /// Splits one call's usage among its `k` answers so that the shares sum
    /// to the whole: prompt (and cached) tokens go to the first answer, which
    /// carried the prompt; completion and reasoning tokens are divided evenly,
    /// the remainder going to the first answers.
    pub fn split(&self, k: usize) -> Vec<Usage> {
        let k = k.max(1);
        let parts = k as u64;
        (0..parts)
            .map(|i| {
                let share = |total: u64| total / parts + u64::from(i < total % parts);
                let first = i == 0;
                Usage {
                    prompt_tokens: if first { self.prompt_tokens } else { 0 },
                    cached_tokens: if first { self.cached_tokens } else { 0 },
                    completion_tokens: share(self.completion_tokens),
                    reasoning_tokens: share(self.reasoning_tokens),
                }
            })
            .collect()
    }
}

/// One answer of the model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    /// The answer with every `<think>…</think>` span removed.
    pub text: String,
    /// The reasoning: the server's `reasoning_content` (or `reasoning`), else
    /// the text of the `<think>` spans; `None` when there was none.
    pub reasoning: Option<String>,
    /// Why the model stopped.
    pub finish: Finish,
    /// This answer's share of its call's usage (see [`Usage::split`]); for a
    /// cached answer, the share it had when first asked.
    pub usage: Usage,
    /// Served from the on-disk cache: no network call, no new cost.
    pub cached: bool,
    /// Duration of the HTTP call that produced the answer (for a cached
    /// answer, of the original call).
    #[serde(with = "duration_ms")]
    pub latency: Duration,
    /// The model that answered (as requested).
    pub model: String,
    /// The sample's number (see [`CompletionRequest`]).
    pub sample_index: u32,
}

impl Completion {
    /// Builds an answer from what the server sent.
    pub(crate) fn from_raw(raw: RawAnswer, cached: bool, model: &str, sample_index: u32) -> Self {
        let (text, think) = extract::split_think(raw.content.as_deref().unwrap_or_default());
        let reasoning = raw
            .reasoning_content
            .filter(|r| !r.trim().is_empty())
            .or(think);
        Self {
            text,
            reasoning,
            finish: Finish::from_reason(raw.finish_reason.as_deref()),
            usage: raw.usage,
            cached,
            latency: Duration::from_millis(raw.latency_ms),
            model: model.to_owned(),
            sample_index,
        }
    }

    /// The reply was cut off by the token limit.
    pub fn truncated(&self) -> bool {
        self.finish == Finish::Length
    }
}

/// One answer as the server sent it: what the cache stores, so that a
/// replayed answer goes through the same parsing as a fresh one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct RawAnswer {
    pub(crate) content: Option<String>,
    pub(crate) reasoning_content: Option<String>,
    pub(crate) finish_reason: Option<String>,
    pub(crate) usage: Usage,
    pub(crate) latency_ms: u64,
}

/// Serde for a `Duration` as whole milliseconds.
pub(crate) mod duration_ms {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_sums_to_the_whole() {
        let total = Usage {
            prompt_tokens: 100,
            completion_tokens: 17,
            reasoning_tokens: 5,
            cached_tokens: 40,
        };
        let parts = total.split(4);
        assert_eq!(parts.len(), 4);
        let mut sum = Usage::default();
        for p in &parts {
            sum.add(p);
        }
        assert_eq!(sum, total);
        assert_eq!(parts[0].prompt_tokens, 100);
        assert_eq!(parts[1].prompt_tokens, 0);
        assert_eq!(parts[0].completion_tokens, 5);
        assert_eq!(parts[3].completion_tokens, 4);
    }

    #[test]
    fn finish_reasons() {
        assert_eq!(Finish::from_reason(Some("stop")), Finish::Stop);
        assert_eq!(Finish::from_reason(Some("length")), Finish::Length);
        assert_eq!(
            Finish::from_reason(Some("content_filter")),
            Finish::Other("content_filter".into())
        );
    }

    #[test]
    fn raw_answer_with_think_is_split() {
        let raw = RawAnswer {
            content: Some("<think>hmm</think>final".into()),
            reasoning_content: None,
            finish_reason: Some("length".into()),
            usage: Usage::default(),
            latency_ms: 12,
        };
        let c = Completion::from_raw(raw, false, "m", 3);
        assert_eq!(c.text, "final");
        assert_eq!(c.reasoning.as_deref(), Some("hmm"));
        assert!(c.truncated());
        assert_eq!(c.latency, Duration::from_millis(12));
        assert_eq!(c.sample_index, 3);
    }
}
