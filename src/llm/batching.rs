//! How many samples one request may ask for (`n`), as learnt from the server during a run.
//!
//! Servers differ: OpenAI and vLLM honour `n`; llama.cpp's server refuses an `n` above its
//! parallel slots (HTTP 400 naming `n`) and, when it does answer several choices, reports
//! the usage of the first choice only; Ollama ignores `n` and answers one choice. The limit
//! starts at OpenAI's and only goes down, so each lesson costs at most one request.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::sync::OnceCell;

use super::transport::Transport;

/// Most samples asked in one request (OpenAI's limit on `n`).
const MAX_N_PER_REQUEST: u32 = 128;

/// How long the one look at the server's model list may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// What the client knows about `n` on its endpoint; shared by the client's clones.
#[derive(Debug)]
pub(crate) struct Batching {
    limit: AtomicU32,
    probed: OnceCell<()>,
}

impl Batching {
    pub(crate) fn new() -> Self {
        Self {
            limit: AtomicU32::new(MAX_N_PER_REQUEST),
            probed: OnceCell::new(),
        }
    }

    /// The most samples one request asks for now.
    pub(crate) fn limit(&self) -> u32 {
        self.limit.load(Ordering::Relaxed)
    }

    /// Asks no more than `cap` samples per request from now on (said once per change).
    pub(crate) fn lower(&self, cap: u32, model: &str, why: &str) {
        let cap = cap.max(1);
        let before = self.limit.fetch_min(cap, Ordering::Relaxed);
        if cap < before {
            tracing::info!(
                model,
                cap,
                "server {why}: asking for at most {cap} samples per request from now on"
            );
        }
    }

    /// Before the first request with `n > 1`: a look at the server's model list (once per
    /// client, by every clone). A llama.cpp server is asked one sample per request, since
    /// the usage it reports for several choices counts the first one only and the ledger
    /// would undercount. Any failure of the look teaches nothing; the requests themselves
    /// report what is wrong with the endpoint.
    pub(crate) async fn probe(&self, transport: &Transport, model: &str) {
        self.probed
            .get_or_init(|| async {
                let owners = transport.model_owners(PROBE_TIMEOUT).await;
                if owners.iter().any(|owner| owner == "llamacpp") {
                    let why = "is llama.cpp, which counts usage for one of n choices";
                    self.lower(1, model, why);
                }
            })
            .await;
    }
}
