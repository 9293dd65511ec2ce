//! One limit on requests in flight, shared by every caller, measured on the server.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::join_all;
use sstar::llm::LlmClient;
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

use super::support::{chat, chat_body, config, request};

/// Answers after `delay` and notes when each request arrived: a request is
/// in flight on the server from its arrival until its answer leaves.
struct Timed {
    arrivals: Arc<Mutex<Vec<Instant>>>,
    delay: Duration,
}

impl Respond for Timed {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.arrivals.lock().expect("lock").push(Instant::now());
        ResponseTemplate::new(200)
            .set_body_json(chat_body(&["ok"], "stop", 1, 1))
            .set_delay(self.delay)
    }
}

/// Whether no arrival found `limit` requests already in flight. The server answers each request
/// `delay` after it arrives, and a caller holding no permit sends only after an answer came
/// back: so when request k arrives, `k - limit + 1` earlier ones have been answered, each
/// having arrived at least `delay` before. A causal bound, true however slow the machine:
/// sorted, arrival k comes at least `delay` after arrival `k - limit`.
fn within_limit(arrivals: &[Instant], delay: Duration, limit: usize) -> bool {
    let mut sorted = arrivals.to_vec();
    sorted.sort();
    sorted
        .iter()
        .zip(sorted.iter().skip(limit))
        .all(|(&earlier, &later)| later >= earlier + delay)
}

#[tokio::test]
async fn requests_in_flight_never_exceed_the_limit() {
    let server = MockServer::start().await;
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let delay = Duration::from_millis(200);
    chat()
        .respond_with(Timed {
            arrivals: arrivals.clone(),
            delay,
        })
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.concurrency = 2;
    let client = LlmClient::new(config, None);

    // Eight callers on two clones of the client (as problems running concurrently would).
    let other = client.clone();
    let calls = (0..8).map(|i| {
        let client = if i % 2 == 0 {
            client.clone()
        } else {
            other.clone()
        };
        async move { client.complete_one(&request(&format!("prompt {i}"))).await }
    });
    let results = join_all(calls).await;

    assert!(results.iter().all(Result::is_ok));
    let arrivals = arrivals.lock().expect("lock").clone();
    assert_eq!(arrivals.len(), 8);
    assert!(within_limit(&arrivals, delay, 2), "{arrivals:?}");
    // The bound can fail: eight callers with no limit would arrive together.
    assert!(!within_limit(&[arrivals[0]; 3], delay, 2));
}
