//! Scripted server helpers: chat-completion bodies, a responder that honours `n`, a fast test config.

use std::time::Duration;

use serde_json::{json, Value};
use sstar::llm::{CompletionRequest, LlmConfig, Message, Role};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockBuilder, MockServer, Request, Respond, ResponseTemplate};

pub const MODEL: &str = "test-model";
pub const CHAT_PATH: &str = "/v1/chat/completions";

/// The text of a chat request's first (or, with `last`, last) user message; "" when none.
pub fn user_text(request: &Value, last: bool) -> &str {
    let mut users = request["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["role"] == "user");
    let message = if last {
        users.next_back()
    } else {
        users.next()
    };
    message.and_then(|m| m["content"].as_str()).unwrap_or("")
}

/// A chat-completion body with one choice per text.
pub fn chat_body(texts: &[&str], finish: &str, prompt: u64, completion: u64) -> Value {
    let choices: Vec<Value> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            json!({
                "index": i,
                "message": {"role": "assistant", "content": t},
                "finish_reason": finish,
            })
        })
        .collect();
    json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1,
        "model": MODEL,
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    })
}

/// A 200 with `texts` as choices.
pub fn ok(texts: &[&str]) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(chat_body(texts, "stop", 10, 5))
}

/// `POST /v1/chat/completions`.
pub fn chat() -> MockBuilder {
    Mock::given(method("POST")).and(path(CHAT_PATH))
}

/// The `n` a chat request asks for (1 when absent).
fn asked_n(request: &Request) -> u64 {
    request
        .body_json::<Value>()
        .ok()
        .and_then(|b| b.get("n").and_then(Value::as_u64))
        .unwrap_or(1)
}

/// A server that answers `n` choices when asked for `n` (a server honouring `n`).
pub struct HonoursN;

impl Respond for HonoursN {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = asked_n(request);
        let texts: Vec<String> = (0..n).map(|i| format!("answer {i}")).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        ResponseTemplate::new(200).set_body_json(chat_body(&refs, "stop", 10, 5 * n))
    }
}

/// Answers `n` choices up to its cap, and refuses a larger `n` as llama.cpp's server does (its
/// cap is its number of parallel slots).
pub struct CapsN(pub u64);

impl Respond for CapsN {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = asked_n(request);
        if n > self.0 {
            return ResponseTemplate::new(400).set_body_json(serde_json::json!({"error": {
                "code": 400,
                "message": format!(
                    "Field 'n': Value must be between 1 <= value <= {}, but got {n}",
                    self.0
                ),
                "type": "invalid_request_error",
            }}));
        }
        HonoursN.respond(request)
    }
}

/// A config for `server` with fast retries and a short timeout.
pub fn config(server: &MockServer) -> LlmConfig {
    let mut config = LlmConfig::new(format!("{}/v1", server.uri()), MODEL);
    config.timeout = Duration::from_secs(5);
    config.retry.base_delay = Duration::from_millis(10);
    config.retry.max_delay = Duration::from_millis(50);
    config
}

/// A one-message generation request for problem `p1`.
pub fn request(text: &str) -> CompletionRequest {
    CompletionRequest::new(Role::Generate, "p1", vec![Message::user(text)])
}

/// Bodies of the chat requests the server received, in order.
pub async fn bodies(server: &MockServer) -> Vec<Value> {
    chat_requests(server)
        .await
        .iter()
        .map(|r| r.body_json::<Value>().expect("request body is json"))
        .collect()
}

/// How many chat requests the server received.
pub async fn request_count(server: &MockServer) -> usize {
    chat_requests(server).await.len()
}

/// The chat requests among those the server received (not the client's look at `/models`).
async fn chat_requests(server: &MockServer) -> Vec<Request> {
    let all = server.received_requests().await.unwrap_or_default();
    all.into_iter()
        .filter(|r| r.url.path() == CHAT_PATH)
        .collect()
}

/// A llama.cpp server's model list (`owned_by: "llamacpp"`), at `GET /v1/models`.
pub async fn list_models_as_llama_cpp(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/v1/models"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "object": "list",
            "data": [{"id": MODEL, "object": "model", "created": 1, "owned_by": "llamacpp"}],
        })))
        .mount(server)
        .await;
}
