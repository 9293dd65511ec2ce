//! N samples: one request with `n` where the server honours it, separate requests where it does not.

use sstar::llm::{LlmClient, Role};
use wiremock::MockServer;

use super::support::{
    bodies, chat, config, list_models_as_llama_cpp, ok, request, CapsN, HonoursN,
};

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

#[tokio::test]
async fn a_refused_n_is_split_by_the_servers_cap_and_remembered() {
    let server = MockServer::start().await;
    chat().respond_with(CapsN(2)).mount(&server).await;
    let mut config = config(&server);
    config.sampling.seed = Some(100);
    let client = LlmClient::new(config, None);

    let results = client.complete(&request("solve").samples(5)).await;
    assert_eq!(results.len(), 5);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let asked: Vec<u64> = bodies(&server)
        .await
        .iter()
        .map(|b| b.get("n").and_then(serde_json::Value::as_u64).unwrap_or(1))
        .collect();
    assert_eq!(asked[0], 5, "the first request asks for all");
    let mut rest = asked[1..].to_vec();
    rest.sort_unstable();
    assert_eq!(rest, [1, 2, 2], "then by the cap the refusal named");
    let mut seeds: Vec<i64> = bodies(&server).await[1..]
        .iter()
        .map(|b| b["seed"].as_i64().expect("seed"))
        .collect();
    seeds.sort_unstable();
    assert_eq!(
        seeds,
        [100, 102, 104],
        "each request starts at its first sample's seed"
    );
    assert_eq!(client.n_limit(), 2);
    assert!(!client.ignores_n());

    let again = client.complete(&request("another prompt").samples(4)).await;
    assert!(again.iter().all(Result::is_ok));
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 6, "no second refusal: two requests of 2");
    assert!(sent[4..].iter().all(|b| b["n"] == 2));
    let run = client.ledger().report().run;
    assert_eq!(
        run.failed_calls, 1,
        "the one refusal is in the ledger as a failed call"
    );
}

#[tokio::test]
async fn a_llama_cpp_server_is_asked_one_sample_per_request_so_usage_counts_every_sample() {
    let server = MockServer::start().await;
    list_models_as_llama_cpp(&server).await;
    chat().respond_with(HonoursN).mount(&server).await;
    let client = LlmClient::new(config(&server), None);

    let results = client.complete(&request("solve").samples(3)).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 3, "one request per sample");
    assert!(sent.iter().all(|b| b.get("n").is_none()), "{sent:?}");
    assert!(client.ignores_n());
    let models_asked = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/v1/models")
        .count();
    assert_eq!(models_asked, 1, "the model list is read once");
    client.complete(&request("again").samples(2)).await;
    assert_eq!(bodies(&server).await.len(), 5);
}
