//! The answer cache: repeated requests cost no network call, keys follow the request, corrupt entries heal.

use std::path::{Path, PathBuf};

use sstar::llm::{LlmClient, Usage};
use wiremock::MockServer;

use super::support::{chat, config, request, request_count, HonoursN};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn repeated_requests_are_answered_from_disk() {
    let server = MockServer::start().await;
    chat().respond_with(HonoursN).mount(&server).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");

    let first_client = LlmClient::new(config(&server), Some(cache.clone()));
    let a = first_client.complete(&request("one").samples(2)).await;
    let b = first_client.complete(&request("two")).await;
    let asked = request_count(&server).await;
    assert_eq!(asked, 2);
    assert!(a
        .iter()
        .chain(&b)
        .all(|r| r.as_ref().is_ok_and(|c| !c.cached)));
    assert_eq!(files(&cache).len(), 3, "one entry per sample");

    // A new client (a resumed run) with the same cache directory.
    let second_client = LlmClient::new(config(&server), Some(cache.clone()));
    let a2 = second_client.complete(&request("one").samples(2)).await;
    let b2 = second_client.complete(&request("two")).await;

    assert_eq!(
        request_count(&server).await,
        asked,
        "no request the second time"
    );
    for (fresh, cached) in a.iter().chain(&b).zip(a2.iter().chain(&b2)) {
        let (fresh, cached) = (fresh.as_ref().expect("ok"), cached.as_ref().expect("ok"));
        assert!(cached.cached);
        assert_eq!(cached.text, fresh.text);
        assert_eq!(cached.usage, fresh.usage);
        assert_eq!(cached.sample_index, fresh.sample_index);
    }
    let totals = second_client.ledger().run_totals();
    assert_eq!(totals.calls, 0);
    assert_eq!(totals.cache_hits, 3);
    assert_eq!(totals.usage, Usage::default());
    assert_eq!(totals.cost_usd, Some(0.0));
    assert_eq!(
        totals.cached_usage,
        first_client.ledger().run_totals().usage
    );
}

#[tokio::test]
async fn more_samples_later_ask_only_for_the_new_ones() {
    let server = MockServer::start().await;
    chat().respond_with(HonoursN).mount(&server).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let client = LlmClient::new(config(&server), Some(dir.path().to_owned()));

    client.complete(&request("p").samples(2)).await;
    let results = client.complete(&request("p").samples(4)).await;

    assert_eq!(results.len(), 4);
    let cached: Vec<bool> = results
        .iter()
        .map(|r| r.as_ref().expect("ok").cached)
        .collect();
    assert_eq!(cached, [true, true, false, false]);
    let sent = super::support::bodies(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1]["n"], 2, "only the two missing samples are asked");
}

#[tokio::test]
async fn changed_sampling_parameters_miss_the_cache() {
    let server = MockServer::start().await;
    chat().respond_with(HonoursN).mount(&server).await;
    let dir = tempfile::tempdir().expect("tempdir");

    let client = LlmClient::new(config(&server), Some(dir.path().to_owned()));
    client.complete_one(&request("p")).await.expect("ok");
    let mut hotter = config(&server);
    hotter.sampling.temperature = Some(1.0);
    let client = LlmClient::new(hotter, Some(dir.path().to_owned()));
    let completion = client.complete_one(&request("p")).await.expect("ok");

    assert!(!completion.cached);
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn corrupt_entries_are_ignored_and_overwritten() {
    let server = MockServer::start().await;
    chat().respond_with(HonoursN).mount(&server).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let client = LlmClient::new(config(&server), Some(dir.path().to_owned()));
    client.complete_one(&request("p")).await.expect("ok");
    let entries = files(dir.path());
    assert_eq!(entries.len(), 1);
    std::fs::write(&entries[0], b"{\"version\": 1, \"key\": \"trunc").expect("corrupt it");

    let again = client.complete_one(&request("p")).await.expect("ok");
    assert!(!again.cached);
    assert_eq!(request_count(&server).await, 2);

    let third = client.complete_one(&request("p")).await.expect("ok");
    assert!(third.cached, "the corrupt entry was replaced");
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn failed_calls_are_not_cached() {
    let server = MockServer::start().await;
    chat()
        .respond_with(wiremock::ResponseTemplate::new(400))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    chat().respond_with(HonoursN).mount(&server).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let client = LlmClient::new(config(&server), Some(dir.path().to_owned()));

    client.complete_one(&request("p")).await.expect_err("400");
    assert!(files(dir.path()).is_empty());
    let ok = client
        .complete_one(&request("p"))
        .await
        .expect("asked again");
    assert!(!ok.cached);
}
