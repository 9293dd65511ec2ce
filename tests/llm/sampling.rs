//! N samples: one request with `n` where the server honours it, separate requests where it does not.

use sstar::llm::{LlmClient, Role};
use wiremock::MockServer;

use super::support::{bodies, chat, config, ok, request, HonoursN};

#[tokio::test]
async fn n_is_sent_when_the_server_honours_it() {
    let server = MockServer::start().await;
    chat().respond_with(HonoursN).mount(&server).await;
    let client = LlmClient::new(config(&server), None);

    let results = client.complete(&request("solve").samples(3)).await;

    let texts: Vec<String> = results
        .into_iter()
        .map(|r| r.expect("answer").text)
        .collect();
    assert_eq!(texts, ["answer 0", "answer 1", "answer 2"]);
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["n"], 3);
    assert!(!client.ignores_n());
}

#[tokio::test]
async fn ignored_n_falls_back_to_separate_requests_and_is_remembered() {
    let server = MockServer::start().await;
    chat().respond_with(ok(&["only one"])).mount(&server).await;
    let mut config = config(&server);
    config.sampling.seed = Some(100);
    let client = LlmClient::new(config, None);

    let first = client.complete(&request("solve").samples(3)).await;
    assert_eq!(first.len(), 3);
    assert!(first
        .iter()
        .all(|r| r.as_ref().is_ok_and(|c| c.text == "only one")));
    let sent = bodies(&server).await;
    assert_eq!(
        sent.len(),
        3,
        "one request with n, then one per missing sample"
    );
    assert_eq!(sent[0]["n"], 3);
    assert!(sent[1..].iter().all(|b| b.get("n").is_none()));
    let mut seeds: Vec<i64> = sent[1..]
        .iter()
        .map(|b| b["seed"].as_i64().expect("seed"))
        .collect();
    seeds.sort_unstable();
    assert_eq!(seeds, [101, 102], "samples 1 and 2 get their own seeds");
    assert!(client.ignores_n());

    let second = client.complete(&request("another prompt").samples(2)).await;
    assert!(second.iter().all(Result::is_ok));
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 5);
    assert!(
        sent[3..].iter().all(|b| b.get("n").is_none()),
        "n not tried again"
    );
}

#[tokio::test]
async fn roles_use_their_models() {
    let server = MockServer::start().await;
    chat().respond_with(ok(&["WINNER: A"])).mount(&server).await;
    let mut config = config(&server);
    config.judge_model = "judge-model".into();
    let client = LlmClient::new(config, None);

    let mut judge = request("compare");
    judge.role = Role::Judge;
    client.complete_one(&judge).await.expect("answer");
    client
        .complete_one(&request("generate"))
        .await
        .expect("answer");

    let models: Vec<String> = bodies(&server)
        .await
        .iter()
        .map(|b| b["model"].as_str().expect("model").to_owned())
        .collect();
    assert_eq!(models, ["judge-model", "test-model"]);
}
