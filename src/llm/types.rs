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

pub use crate::schema::Usage;

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
