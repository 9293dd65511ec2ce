//! The API key goes out as a bearer token and nowhere else: not in Debug output, the cache, reports or errors.

use std::path::Path;

use serde_json::json;
use sstar::llm::{ApiKey, LlmClient};
use wiremock::matchers::header;
use wiremock::{MockServer, ResponseTemplate};

use super::support::{chat, config, ok, request, HonoursN};

const KEY: &str = "sk-test-S3CRET-do-not-leak";

fn contents(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(contents(&path));
        } else {
            out.push(String::from_utf8_lossy(&std::fs::read(&path).expect("read")).into_owned());
        }
    }
    out
}

#[tokio::test]
async fn key_is_sent_as_bearer_and_kept_out_of_everything_else() {
    let server = MockServer::start().await;
    chat()
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(HonoursN)
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = config(&server);
    config.api_key = Some(ApiKey::new(KEY));
    let client = LlmClient::new(config.clone(), Some(dir.path().to_owned()));

    let results = client.complete(&request("solve").samples(2)).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");

    let cached = contents(dir.path());
    assert_eq!(cached.len(), 2);
    assert!(cached.iter().all(|c| !c.contains(KEY)), "key in the cache");
    assert!(!format!("{config:?}").contains(KEY));
    assert!(!format!("{client:?}").contains(KEY));
    assert!(!serde_json::to_string(&config).expect("json").contains(KEY));
    let report = serde_json::to_string(&client.ledger().report()).expect("json");
    assert!(!report.contains(KEY));
    server.verify().await;
}

#[tokio::test]
async fn key_echoed_by_the_server_is_scrubbed_from_errors() {
    let server = MockServer::start().await;
    chat()
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"error": {"message": format!("Incorrect API key provided: {KEY}.")}}),
        ))
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.api_key = Some(ApiKey::new(KEY));
    let client = LlmClient::new(config, None);

    let error = client
        .complete_one(&request("solve"))
        .await
        .expect_err("401");

    assert!(error.to_string().contains("Incorrect API key"), "{error}");
    assert!(!error.to_string().contains(KEY), "{error}");
    assert!(!format!("{error:?}").contains(KEY));
    let report = serde_json::to_string(&client.ledger().records()).expect("json");
    assert!(!report.contains(KEY));
}

#[tokio::test]
async fn no_key_for_a_local_server() {
    let server = MockServer::start().await;
    chat().respond_with(ok(&["hi"])).mount(&server).await;
    let client = LlmClient::new(config(&server), None);

    client
        .complete_one(&request("solve"))
        .await
        .expect("answer");

    let requests = server.received_requests().await.expect("recorded");
    let auth = requests[0]
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert_eq!(auth.trim(), "Bearer");
}
