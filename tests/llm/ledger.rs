//! The ledger's sums equal the `usage` the server reported; costs follow the price table.

use serde_json::json;
use sstar::llm::{CompletionRequest, LlmClient, Message, ModelPrice, Role};
use wiremock::{MockServer, ResponseTemplate};

use super::support::{chat, config, MODEL};

fn body(prompt: u64, completion: u64, cached: u64, reasoning: u64) -> serde_json::Value {
    json!({
        "choices": [{"index": 0, "message": {"content": "x"}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "prompt_tokens_details": {"cached_tokens": cached},
            "completion_tokens_details": {"reasoning_tokens": reasoning},
        },
    })
}

#[tokio::test]
async fn sums_match_the_usage_the_server_returned() {
    let server = MockServer::start().await;
    let usages = [(100, 40, 0, 10), (250, 80, 200, 0), (30, 7, 0, 3)];
    for (p, c, k, r) in usages {
        chat()
            .respond_with(ResponseTemplate::new(200).set_body_json(body(p, c, k, r)))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    let mut config = config(&server);
    config.prices.models.insert(
        MODEL.into(),
        ModelPrice {
            input: 1.0,
            output: 2.0,
            cached_input: Some(0.5),
        },
    );
    let client = LlmClient::new(config, None);

    let calls = [("p1", "generate"), ("p1", "debug"), ("p2", "generate")];
    for (i, (problem, stage)) in calls.into_iter().enumerate() {
        let req = CompletionRequest::new(
            Role::Generate,
            problem,
            vec![Message::user(format!("q{i}"))],
        )
        .stage(stage);
        client.complete_one(&req).await.expect("answer");
    }

    let report = client.ledger().report();
    let run = &report.run;
    assert_eq!(run.calls, 3);
    assert_eq!(run.samples, 3);
    assert_eq!(run.usage.prompt_tokens, 380);
    assert_eq!(run.usage.completion_tokens, 127);
    assert_eq!(run.usage.cached_tokens, 200);
    assert_eq!(run.usage.reasoning_tokens, 13);
    // (380 - 200) · $1 + 200 · $0.5 + 127 · $2, per million tokens.
    let expected = (180.0 + 100.0 + 254.0) / 1e6;
    assert!((run.cost_usd.expect("priced") - expected).abs() < 1e-12);

    let p1 = &report.by_problem["p1"];
    assert_eq!(
        (p1.calls, p1.usage.prompt_tokens, p1.usage.completion_tokens),
        (2, 350, 120)
    );
    assert_eq!(report.by_problem["p2"].usage.prompt_tokens, 30);
    assert_eq!(report.by_stage["generate"].usage.completion_tokens, 47);
    assert_eq!(report.by_stage["debug"].usage.prompt_tokens, 250);
    let records = client.ledger().records();
    assert_eq!(records.len(), 3);
    assert!(records
        .iter()
        .all(|r| r.cost_usd.is_some() && r.attempts == 1));

    let json = serde_json::to_value(&report).expect("serialisable");
    assert_eq!(json["run"]["usage"]["prompt_tokens"], 380);
}

#[tokio::test]
async fn unknown_price_means_unknown_cost() {
    let server = MockServer::start().await;
    chat()
        .respond_with(ResponseTemplate::new(200).set_body_json(body(10, 10, 0, 0)))
        .mount(&server)
        .await;
    let client = LlmClient::new(config(&server), None);

    let req = CompletionRequest::new(Role::Generate, "p", vec![Message::user("q")]);
    client.complete_one(&req).await.expect("answer");

    let run = client.ledger().run_totals();
    assert_eq!(run.usage.prompt_tokens, 10);
    assert_eq!(run.cost_usd, None);
    assert_eq!(run.unpriced_calls, 1);
}

#[tokio::test]
async fn n_samples_split_one_call_usage_exactly() {
    let server = MockServer::start().await;
    chat()
        .respond_with(super::support::HonoursN)
        .mount(&server)
        .await;
    let client = LlmClient::new(config(&server), None);

    let req = CompletionRequest::new(Role::Generate, "p", vec![Message::user("q")]).samples(4);
    let results = client.complete(&req).await;

    let run = client.ledger().run_totals();
    assert_eq!((run.calls, run.samples), (1, 4));
    // HonoursN reports 10 prompt and 5·n completion tokens for the call.
    assert_eq!(
        (run.usage.prompt_tokens, run.usage.completion_tokens),
        (10, 20)
    );
    let (mut prompt, mut completion) = (0, 0);
    for r in &results {
        let usage = r.as_ref().expect("ok").usage;
        prompt += usage.prompt_tokens;
        completion += usage.completion_tokens;
    }
    assert_eq!((prompt, completion), (10, 20));
}
