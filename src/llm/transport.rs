//! The one place that touches async-openai: the wire format, the HTTP service, and error classification.
//!
//! async-openai carries every request (`Chat::create_byot` with our own
//! request and response types, so `reasoning_content` and `n` survive). Its
//! built-in retry layer is replaced by a plain tower service that turns every
//! non-success status into a typed error carrying `Retry-After`; retries and
//! backoff are ours alone (see `client.rs`), so there is exactly one retry
//! loop and no unbounded sleep.

use std::time::{Duration, Instant};

use async_openai::config::{Config as _, OpenAIConfig};
use async_openai::error::OpenAIError;
use async_openai::middleware::{HttpRequestFactory, ReqwestService};
use async_openai::Client;
use serde::{Deserialize, Serialize};
use tower::ServiceExt;

use super::config::LlmConfig;
use super::error::LlmErrorKind;
use super::retry::parse_retry_after;
use super::secret::ApiKey;
use super::types::{Message, RawAnswer, Usage};

/// Longest server error text kept in an error value.
const MAX_ERROR_TEXT: usize = 400;

/// The chat-completion request body as sent. Absent fields are not sent.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct WireRequest {
    pub(crate) model: String,
    pub(crate) messages: Vec<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) n: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) temperature: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) top_p: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) seed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reasoning_effort: Option<String>,
}

impl WireRequest {
    /// The request for `model` and `messages` with the configured sampling, `n` unset.
    pub(crate) fn new(config: &LlmConfig, model: &str, messages: &[Message]) -> Self {
        let s = &config.sampling;
        let completion_field = s.use_max_completion_tokens || s.reasoning_effort.is_some();
        Self {
            model: model.to_owned(),
            messages: messages.to_vec(),
            n: None,
            temperature: s.temperature,
            top_p: s.top_p,
            max_tokens: s.max_tokens.filter(|_| !completion_field),
            max_completion_tokens: s.max_tokens.filter(|_| completion_field),
            seed: s.seed,
            reasoning_effort: s.reasoning_effort.clone(),
        }
    }
}

#[derive(Deserialize)]
struct WireResponse {
    choices: Vec<WireChoice>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

/// `GET /models`, as far as sstar reads it.
#[derive(Deserialize)]
struct ModelList {
    #[serde(default)]
    data: Vec<ListedModel>,
}

#[derive(Deserialize)]
struct ListedModel {
    #[serde(default)]
    owned_by: Option<String>,
}

#[derive(Deserialize)]
struct WireChoice {
    #[serde(default)]
    index: Option<u32>,
    #[serde(default)]
    message: Option<WireAnswer>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct WireAnswer {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    reasoning_content: Option<String>,
    #[serde(default)]
    reasoning: Option<String>,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: Option<u64>,
    #[serde(default)]
    completion_tokens: Option<u64>,
    #[serde(default)]
    prompt_tokens_details: Option<PromptDetails>,
    #[serde(default)]
    completion_tokens_details: Option<CompletionDetails>,
}

#[derive(Deserialize)]
struct PromptDetails {
    #[serde(default)]
    cached_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct CompletionDetails {
    #[serde(default)]
    reasoning_tokens: Option<u64>,
}

impl WireUsage {
    fn to_usage(&self) -> Usage {
        Usage {
            prompt_tokens: self.prompt_tokens.unwrap_or(0),
            completion_tokens: self.completion_tokens.unwrap_or(0),
            reasoning_tokens: self
                .completion_tokens_details
                .as_ref()
                .and_then(|d| d.reasoning_tokens)
                .unwrap_or(0),
            cached_tokens: self
                .prompt_tokens_details
                .as_ref()
                .and_then(|d| d.cached_tokens)
                .unwrap_or(0),
        }
    }
}

/// A successful call: its answers in choice order, and the call's usage.
#[derive(Debug)]
pub(crate) struct Answered {
    pub(crate) answers: Vec<RawAnswer>,
    pub(crate) usage: Usage,
    pub(crate) latency: Duration,
}

/// A failed attempt, and whether another may succeed.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) kind: LlmErrorKind,
    pub(crate) retryable: bool,
    pub(crate) retry_after: Option<Duration>,
}

/// A non-success HTTP status, raised by our tower service so the status,
/// `Retry-After` and body reach the classifier intact.
#[derive(Debug, thiserror::Error)]
#[error("http status {status}")]
struct HttpStatus {
    status: u16,
    retry_after: Option<Duration>,
    body: String,
}

/// An async-openai client for one endpoint, with a per-request timeout.
#[derive(Clone)]
pub(crate) struct Transport {
    client: Client<OpenAIConfig>,
    timeout: Duration,
    key: Option<ApiKey>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.client.config().api_base())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Transport {
    pub(crate) fn new(config: &LlmConfig) -> Self {
        let openai = OpenAIConfig::new()
            .with_api_base(config.base_url.as_str())
            .with_api_key(config.api_key.as_ref().map(ApiKey::expose).unwrap_or(""))
            .with_org_id("")
            .with_project_id("");
        let http = ReqwestService::default();
        // No retry layer: a non-success status becomes an error right here.
        let service = tower::service_fn(move |request: HttpRequestFactory| {
            let http = http.clone();
            async move {
                let response = http.oneshot(request).await?;
                let status = response.status();
                if status.is_success() {
                    return Ok(response);
                }
                let header = |name: &str| {
                    response
                        .headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                let retry_after = parse_retry_after(
                    header("retry-after").as_deref(),
                    header("retry-after-ms").as_deref(),
                );
                let body = response.text().await.unwrap_or_default();
                Err(OpenAIError::Boxed(Box::new(HttpStatus {
                    status: status.as_u16(),
                    retry_after,
                    body,
                })))
            }
        });
        Self {
            client: Client::with_config(openai).with_http_service(service),
            timeout: config.timeout,
            key: config.api_key.clone(),
        }
    }

    /// One HTTP attempt.
    pub(crate) async fn send(&self, request: &WireRequest) -> Result<Answered, Failure> {
        let start = Instant::now();
        let call = async {
            self.client
                .chat()
                .create_byot::<&WireRequest, WireResponse>(request)
                .await
        };
        let response = match tokio::time::timeout(self.timeout, call).await {
            Err(_) => {
                return Err(Failure {
                    kind: LlmErrorKind::Timeout {
                        timeout_ms: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
                    },
                    retryable: true,
                    retry_after: None,
                })
            }
            Ok(Err(e)) => return Err(self.classify(e)),
            Ok(Ok(response)) => response,
        };
        let latency = start.elapsed();
        into_answers(response, latency)
    }

    /// Who owns the models the endpoint lists (`owned_by` of `GET /models`); empty when the
    /// list cannot be had within `timeout`.
    pub(crate) async fn model_owners(&self, timeout: Duration) -> Vec<String> {
        let models = self.client.models();
        match tokio::time::timeout(timeout, models.list_byot::<ModelList>()).await {
            Ok(Ok(list)) => list.data.into_iter().filter_map(|m| m.owned_by).collect(),
            Ok(Err(e)) => {
                tracing::debug!(error = %self.scrub(&e.to_string()), "model list unavailable");
                Vec::new()
            }
            Err(_) => Vec::new(),
        }
    }

    fn scrub(&self, text: &str) -> String {
        let text = match &self.key {
            Some(key) => key.scrub(text),
            None => text.to_owned(),
        };
        shorten(&text)
    }

    fn classify(&self, error: OpenAIError) -> Failure {
        let permanent = |kind| Failure {
            kind,
            retryable: false,
            retry_after: None,
        };
        match error {
            OpenAIError::Boxed(boxed) => match boxed.downcast::<HttpStatus>() {
                Ok(http) => {
                    let quota = http.status == 429 && is_insufficient_quota(&http.body);
                    let kind = LlmErrorKind::Http {
                        status: http.status,
                        message: self.scrub(&error_message(&http.body)),
                    };
                    Failure {
                        retryable: kind.is_transient() && !quota,
                        kind,
                        retry_after: http.retry_after,
                    }
                }
                Err(other) => permanent(LlmErrorKind::Other {
                    message: self.scrub(&other.to_string()),
                }),
            },
            OpenAIError::Reqwest(e) if e.is_builder() => permanent(LlmErrorKind::Other {
                message: self.scrub(&e.to_string()),
            }),
            OpenAIError::Reqwest(e) => Failure {
                kind: LlmErrorKind::Connection {
                    message: self.scrub(&error_chain(&e)),
                },
                retryable: true,
                retry_after: None,
            },
            OpenAIError::JSONDeserialize(e, _) => permanent(LlmErrorKind::Malformed {
                message: e.to_string(),
            }),
            OpenAIError::ApiError(api) => {
                let kind = LlmErrorKind::Http {
                    status: api.status_code.as_u16(),
                    message: self.scrub(&api.api_error.message),
                };
                Failure {
                    retryable: kind.is_transient(),
                    kind,
                    retry_after: None,
                }
            }
            other => permanent(LlmErrorKind::Other {
                message: self.scrub(&other.to_string()),
            }),
        }
    }
}

fn into_answers(response: WireResponse, latency: Duration) -> Result<Answered, Failure> {
    let usage = response
        .usage
        .as_ref()
        .map(WireUsage::to_usage)
        .unwrap_or_default();
    let mut choices: Vec<(usize, WireChoice)> = response.choices.into_iter().enumerate().collect();
    if choices.is_empty() {
        return Err(Failure {
            kind: LlmErrorKind::EmptyChoices,
            retryable: false,
            retry_after: None,
        });
    }
    choices.sort_by_key(|(pos, c)| (c.index.unwrap_or(u32::MAX), *pos));
    let shares = usage.split(choices.len());
    let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    let answers = choices
        .into_iter()
        .zip(shares)
        .map(|((_, choice), usage)| {
            let (content, reasoning_content) = match choice.message {
                Some(m) => (m.content, m.reasoning_content.or(m.reasoning)),
                None => (None, None),
            };
            RawAnswer {
                content,
                reasoning_content,
                finish_reason: choice.finish_reason,
                usage,
                latency_ms,
            }
        })
        .collect();
    Ok(Answered {
        answers,
        usage,
        latency,
    })
}

/// The `error.message` of an OpenAI error body, else the body itself.
fn error_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.pointer("/error/message")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| body.trim().to_owned())
}

fn is_insufficient_quota(body: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            let err = v.get("error")?;
            let is =
                |field: &str| err.get(field).and_then(|x| x.as_str()) == Some("insufficient_quota");
            Some(is("type") || is("code"))
        })
        .unwrap_or(false)
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_ERROR_TEXT {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(MAX_ERROR_TEXT).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_limit_field_follows_the_config() {
        let mut config = LlmConfig::new("http://x/v1", "m");
        config.sampling.max_tokens = Some(100);
        let plain = WireRequest::new(&config, "m", &[Message::user("hi")]);
        assert_eq!(
            (plain.max_tokens, plain.max_completion_tokens),
            (Some(100), None)
        );
        config.sampling.reasoning_effort = Some("low".into());
        let reasoning = WireRequest::new(&config, "m", &[Message::user("hi")]);
        assert_eq!(
            (reasoning.max_tokens, reasoning.max_completion_tokens),
            (None, Some(100))
        );
        let json = serde_json::to_value(&reasoning).expect("serialises");
        assert_eq!(json["reasoning_effort"], "low");
        assert!(json.get("n").is_none());
        assert!(json.get("max_tokens").is_none());
    }

    #[test]
    fn choices_are_ordered_and_usage_split() {
        let body = serde_json::json!({
            "choices": [
                {"index": 1, "message": {"content": "second"}, "finish_reason": "stop"},
                {"index": 0, "message": {"content": "first", "reasoning_content": "r"}, "finish_reason": "length"}
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 7,
                      "completion_tokens_details": {"reasoning_tokens": 3},
                      "prompt_tokens_details": {"cached_tokens": 4}}
        });
        let response: WireResponse = serde_json::from_value(body).expect("parses");
        let answered = into_answers(response, Duration::from_millis(9)).expect("answers");
        assert_eq!(answered.answers.len(), 2);
        assert_eq!(answered.answers[0].content.as_deref(), Some("first"));
        assert_eq!(answered.answers[0].reasoning_content.as_deref(), Some("r"));
        assert_eq!(answered.usage.cached_tokens, 4);
        assert_eq!(answered.usage.reasoning_tokens, 3);
        assert_eq!(
            answered.answers[0].usage.completion_tokens
                + answered.answers[1].usage.completion_tokens,
            7
        );
    }

    #[test]
    fn empty_choices_are_an_error() {
        let response: WireResponse =
            serde_json::from_value(serde_json::json!({"choices": []})).expect("parses");
        let failure = into_answers(response, Duration::ZERO).expect_err("no choices");
        assert_eq!(failure.kind, LlmErrorKind::EmptyChoices);
        assert!(!failure.retryable);
    }

    #[test]
    fn error_bodies() {
        assert_eq!(
            error_message(r#"{"error": {"message": "slow down", "type": "rate_limit"}}"#),
            "slow down"
        );
        assert_eq!(error_message(" upstream died "), "upstream died");
        assert!(is_insufficient_quota(
            r#"{"error": {"message": "x", "type": "insufficient_quota"}}"#
        ));
        assert!(!is_insufficient_quota(r#"{"error": {"message": "x"}}"#));
        assert_eq!(
            shorten(&"x".repeat(1000)).chars().count(),
            MAX_ERROR_TEXT + 1
        );
    }
}
