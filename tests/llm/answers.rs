//! Answers as the pipeline reads them: no code, `<think>`, `reasoning_content`, truncation.

use serde_json::json;
use sstar::llm::{extract_program, Finish, LlmClient};
use wiremock::{MockServer, ResponseTemplate};

use super::support::{bodies, chat, chat_body, config, ok, request};

#[tokio::test]
async fn reply_without_a_code_block_has_no_program() {
    let server = MockServer::start().await;
    chat()
        .respond_with(ok(&[
            "You could loop over the array and keep a running sum.",
        ]))
        .mount(&server)
        .await;
    let client = LlmClient::new(config(&server), None);

    let completion = client
        .complete_one(&request("solve"))
        .await
        .expect("answer");

    assert_eq!(completion.finish, Finish::Stop);
    assert!(!completion.truncated());
    assert_eq!(extract_program(&completion.text), None);
}

#[tokio::test]
async fn think_reply_is_split_and_its_code_ignored() {
    let server = MockServer::start().await;
    let answer = "<think>\nMaybe:\n```python\nprint('draft')\n```\n</think>\n\nFinal:\n```python\nprint(sum(map(int, input().split())))\n```";
    chat().respond_with(ok(&[answer])).mount(&server).await;
    let client = LlmClient::new(config(&server), None);

    let completion = client
        .complete_one(&request("solve"))
        .await
        .expect("answer");

    assert!(!completion.text.contains("<think>"), "{}", completion.text);
    assert!(completion.text.starts_with("Final:"), "{}", completion.text);
    assert!(completion
        .reasoning
        .as_deref()
        .is_some_and(|r| r.contains("draft")));
    assert_eq!(
        extract_program(&completion.text).as_deref(),
        Some("print(sum(map(int, input().split())))\n")
    );
}

#[tokio::test]
async fn reasoning_model_fields_go_out_and_come_back() {
    let server = MockServer::start().await;
    let body = json!({
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": "```python\nprint(1)\n```", "reasoning_content": "the sum is 1"},
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 20, "completion_tokens": 50,
                  "completion_tokens_details": {"reasoning_tokens": 40}}
    });
    chat()
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.sampling.max_tokens = Some(4096);
    config.sampling.reasoning_effort = Some("high".into());
    let client = LlmClient::new(config, None);

    let completion = client
        .complete_one(&request("solve"))
        .await
        .expect("answer");

    assert_eq!(completion.reasoning.as_deref(), Some("the sum is 1"));
    assert_eq!(completion.usage.reasoning_tokens, 40);
    assert_eq!(
        extract_program(&completion.text).as_deref(),
        Some("print(1)\n")
    );
    let sent = &bodies(&server).await[0];
    assert_eq!(sent["reasoning_effort"], "high");
    assert_eq!(sent["max_completion_tokens"], 4096);
    assert!(sent.get("max_tokens").is_none(), "{sent}");
    assert_eq!(client.ledger().run_totals().usage.reasoning_tokens, 40);
}

#[tokio::test]
async fn cut_off_reply_is_marked_truncated() {
    let server = MockServer::start().await;
    let body = chat_body(
        &["Here is the code:\n```python\nfor i in range("],
        "length",
        10,
        256,
    );
    chat()
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.sampling.max_tokens = Some(256);
    let client = LlmClient::new(config, None);

    let completion = client
        .complete_one(&request("solve"))
        .await
        .expect("answer");

    assert!(completion.truncated());
    assert_eq!(completion.finish, Finish::Length);
    assert_eq!(extract_program(&completion.text), None);
    let sent = &bodies(&server).await[0];
    assert_eq!(sent["max_tokens"], 256);
    assert_eq!(sent["model"], "test-model");
    assert_eq!(sent["messages"][0]["role"], "user");
    assert!((sent["temperature"].as_f64().expect("temperature") - 0.7).abs() < 1e-6);
}
