//! Faults: rate limits, server errors, hung responses, dropped connections, malformed bodies.

use std::time::{Duration, Instant};

use serde_json::json;
use sstar::llm::{LlmClient, LlmErrorKind};
use wiremock::{MockServer, ResponseTemplate};

use super::support::{chat, config, ok, request, request_count};

#[tokio::test]
async fn rate_limit_with_retry_after_then_success() {
    let server = MockServer::start().await;
    chat()
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(
                    json!({"error": {"message": "slow down", "type": "rate_limit_exceeded"}}),
                ),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    chat().respond_with(ok(&["fine"])).mount(&server).await;

    let client = LlmClient::new(config(&server), None);
    let start = Instant::now();
    let result = client.complete_one(&request("hi")).await;
    let elapsed = start.elapsed();

    assert_eq!(result.expect("succeeds after the 429").text, "fine");
    assert_eq!(request_count(&server).await, 2);
    // The backoff in the test config is 10–50 ms: waiting a second means Retry-After was obeyed.
    assert!(
        elapsed >= Duration::from_millis(950),
        "waited only {elapsed:?}"
    );
    let records = client.ledger().records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].attempts, 2);
}

#[tokio::test]
async fn server_errors_twice_then_success() {
    let server = MockServer::start().await;
    chat()
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream exploded"))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    chat()
        .respond_with(ok(&["third time"]))
        .mount(&server)
        .await;

    let client = LlmClient::new(config(&server), None);
    let completion = client.complete_one(&request("hi")).await.expect("succeeds");

    assert_eq!(completion.text, "third time");
    assert_eq!(request_count(&server).await, 3);
    assert_eq!(client.ledger().records()[0].attempts, 3);
}

#[tokio::test]
async fn persistent_server_errors_become_an_error_value() {
    let server = MockServer::start().await;
    chat()
        .respond_with(ResponseTemplate::new(503).set_body_string("overloaded"))
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.retry.max_attempts = 3;
    let client = LlmClient::new(config, None);

    let error = client
        .complete_one(&request("hi"))
        .await
        .expect_err("fails");

    assert_eq!(error.attempts, 3);
    assert!(
        matches!(&error.kind, LlmErrorKind::Http { status: 503, message } if message == "overloaded"),
        "{error:?}"
    );
    assert_eq!(request_count(&server).await, 3);
    let totals = client.ledger().run_totals();
    assert_eq!((totals.calls, totals.failed_calls), (1, 1));
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = MockServer::start().await;
    chat()
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": {"message": "bad request: context too long"}})),
        )
        .mount(&server)
        .await;
    let client = LlmClient::new(config(&server), None);

    let error = client
        .complete_one(&request("hi"))
        .await
        .expect_err("fails");

    assert!(
        matches!(error.kind, LlmErrorKind::Http { status: 400, .. }),
        "{error:?}"
    );
    assert_eq!(error.attempts, 1);
    assert_eq!(request_count(&server).await, 1);
    assert!(error.to_string().contains("context too long"), "{error}");
}

#[tokio::test]
async fn hung_response_times_out_then_succeeds() {
    let server = MockServer::start().await;
    chat()
        .respond_with(ok(&["too late"]).set_delay(Duration::from_secs(10)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    chat().respond_with(ok(&["on time"])).mount(&server).await;
    let mut config = config(&server);
    config.timeout = Duration::from_millis(300);
    let client = LlmClient::new(config, None);

    let completion = client.complete_one(&request("hi")).await.expect("succeeds");

    // The hung answer would have said "too late": the first request was given up on.
    assert_eq!(completion.text, "on time");
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn always_hung_gives_a_timeout_error() {
    let server = MockServer::start().await;
    chat()
        .respond_with(ok(&["never"]).set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.timeout = Duration::from_millis(200);
    config.retry.max_attempts = 2;
    let client = LlmClient::new(config, None);

    let error = client
        .complete_one(&request("hi"))
        .await
        .expect_err("times out");

    assert_eq!(error.kind, LlmErrorKind::Timeout { timeout_ms: 200 });
    assert_eq!(error.attempts, 2);
}

#[tokio::test]
async fn malformed_json_is_an_error_value() {
    let server = MockServer::start().await;
    chat()
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("{\"choices\": [", "application/json"),
        )
        .mount(&server)
        .await;
    let client = LlmClient::new(config(&server), None);

    let results = client.complete(&request("hi").samples(2)).await;

    assert_eq!(results.len(), 2);
    for result in results {
        let error = result.expect_err("malformed");
        assert!(
            matches!(error.kind, LlmErrorKind::Malformed { .. }),
            "{error:?}"
        );
    }
    assert_eq!(
        request_count(&server).await,
        1,
        "malformed answers are not retried"
    );
}

#[tokio::test]
async fn wrong_shape_and_empty_choices_are_error_values() {
    let server = MockServer::start().await;
    chat()
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"object": "chat.completion"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    chat()
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"choices": []})))
        .mount(&server)
        .await;
    let client = LlmClient::new(config(&server), None);

    let first = client
        .complete_one(&request("one"))
        .await
        .expect_err("no choices field");
    assert!(
        matches!(first.kind, LlmErrorKind::Malformed { .. }),
        "{first:?}"
    );
    let second = client
        .complete_one(&request("two"))
        .await
        .expect_err("empty choices");
    assert_eq!(second.kind, LlmErrorKind::EmptyChoices);
}

#[tokio::test]
async fn refused_connection_is_retried_then_reported() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let mut config = sstar::llm::LlmConfig::new(format!("http://127.0.0.1:{port}/v1"), "m");
    config.retry.base_delay = Duration::from_millis(5);
    config.retry.max_attempts = 3;
    let client = LlmClient::new(config, None);

    let error = client
        .complete_one(&request("hi"))
        .await
        .expect_err("nobody listens");

    assert!(
        matches!(error.kind, LlmErrorKind::Connection { .. }),
        "{error:?}"
    );
    assert_eq!(error.attempts, 3);
}
