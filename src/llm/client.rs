//! The model client: N samples per request, cache first, bounded concurrency, retries, ledger entries.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use futures::future::join_all;
use tokio::sync::Semaphore;

use super::batching::Batching;
use super::cache::{self, ResponseCache};
use super::config::LlmConfig;
use super::error::{LlmError, LlmErrorKind};
use super::ledger::{CallRecord, Ledger};
use super::transport::{Answered, Transport, WireRequest};
use super::types::{Completion, CompletionRequest, RawAnswer, Usage};

/// A client for one OpenAI-compatible endpoint. Cheap to clone; clones share
/// the request limit, the cache, the ledger and what was learnt about the
/// server.
#[derive(Clone, Debug)]
pub struct LlmClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: LlmConfig,
    transport: Transport,
    permits: Semaphore,
    cache: Option<ResponseCache>,
    ledger: Ledger,
    /// The most samples one request may ask for, as learnt from the server.
    batching: Batching,
}

impl LlmClient {
    /// A client for `config`. With `cache_dir`, every answer is stored there
    /// and repeated requests are answered from it (the directory is made on
    /// first write).
    pub fn new(config: LlmConfig, cache_dir: Option<PathBuf>) -> Self {
        Self::with_ledger(config, cache_dir, Ledger::new())
    }

    /// Like [`LlmClient::new`], recording into an existing ledger.
    pub fn with_ledger(config: LlmConfig, cache_dir: Option<PathBuf>, ledger: Ledger) -> Self {
        let inner = Inner {
            transport: Transport::new(&config),
            permits: Semaphore::new(config.concurrency.max(1)),
            cache: cache_dir.map(ResponseCache::new),
            ledger,
            batching: Batching::new(),
            config,
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &LlmConfig {
        &self.inner.config
    }

    /// The ledger every call of this client is recorded in.
    pub fn ledger(&self) -> &Ledger {
        &self.inner.ledger
    }

    /// Whether samples are now asked one per request (the server ignores `n`, allows only
    /// 1, or is one whose usage for several choices is wrong).
    pub fn ignores_n(&self) -> bool {
        self.n_limit() <= 1
    }

    /// The most samples one request asks for now.
    pub fn n_limit(&self) -> u32 {
        self.inner.batching.limit()
    }

    /// Asks for `request.n` samples; returns one result per sample, in
    /// sample order. Cached samples cost no request; the rest are asked with `n`, in as
    /// few requests as the server allows (one each where it ignores `n`).
    /// A failed call is an error value for each sample it should have given.
    pub async fn complete(&self, request: &CompletionRequest) -> Vec<Result<Completion, LlmError>> {
        let model = self.inner.config.model_for(request.role).to_owned();
        let base = WireRequest::new(&self.inner.config, &model, &request.messages);
        let fingerprint = cache::fingerprint(&self.inner.config.base_url, &base);
        let indices: Vec<u32> = (0..request.n)
            .map_while(|i| request.first_sample.checked_add(i))
            .collect();

        let mut results: HashMap<u32, Result<Completion, LlmError>> = HashMap::new();
        let hits = self.cache_lookup(&fingerprint, &indices).await;
        if !hits.is_empty() {
            let mut original = Usage::default();
            for (index, raw) in hits {
                original.add(&raw.usage);
                results.insert(index, Ok(Completion::from_raw(raw, true, &model, index)));
            }
            self.inner.ledger.record(CallRecord {
                stage: request.stage.clone(),
                problem_id: request.problem_id.clone(),
                role: request.role,
                model: model.clone(),
                samples: u32::try_from(results.len()).unwrap_or(u32::MAX),
                cached: true,
                usage: Usage::default(),
                cached_usage: original,
                latency_ms: 0,
                attempts: 0,
                cost_usd: Some(0.0),
                error: None,
            });
        }

        let missing: Vec<u32> = indices
            .iter()
            .copied()
            .filter(|i| !results.contains_key(i))
            .collect();
        let call = Call {
            client: self,
            request,
            model: &model,
            base: &base,
        };
        let fetched = call.fetch(&missing).await;
        self.cache_store(&fingerprint, &fetched).await;
        for (index, result) in fetched {
            let completion = result.map(|raw| Completion::from_raw(raw, false, &model, index));
            results.insert(index, completion);
        }

        indices
            .iter()
            .map(|index| {
                results.remove(index).unwrap_or_else(|| {
                    Err(LlmError {
                        model: model.clone(),
                        attempts: 0,
                        kind: LlmErrorKind::Other {
                            message: format!("sample {index} was not answered"),
                        },
                    })
                })
            })
            .collect()
    }

    /// One sample: `request` with `n = 1`.
    pub async fn complete_one(&self, request: &CompletionRequest) -> Result<Completion, LlmError> {
        let mut one = request.clone();
        one.n = 1;
        let model = self.inner.config.model_for(request.role).to_owned();
        self.complete(&one).await.pop().unwrap_or_else(|| {
            Err(LlmError {
                model,
                attempts: 0,
                kind: LlmErrorKind::Other {
                    message: "no sample requested".to_owned(),
                },
            })
        })
    }

    async fn cache_lookup(&self, fingerprint: &str, indices: &[u32]) -> Vec<(u32, RawAnswer)> {
        let Some(cache) = self.inner.cache.clone() else {
            return Vec::new();
        };
        let keys: Vec<(u32, String)> = indices
            .iter()
            .map(|&i| (i, cache::sample_key(fingerprint, i)))
            .collect();
        let lookup = move || {
            keys.into_iter()
                .filter_map(|(i, key)| cache.load(&key).map(|raw| (i, raw)))
                .collect()
        };
        tokio::task::spawn_blocking(lookup)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cache lookup failed");
                Vec::new()
            })
    }

    async fn cache_store(&self, fingerprint: &str, fetched: &[(u32, Result<RawAnswer, LlmError>)]) {
        let Some(cache) = self.inner.cache.clone() else {
            return;
        };
        let entries: Vec<(String, RawAnswer)> = fetched
            .iter()
            .filter_map(|(i, r)| {
                Some((cache::sample_key(fingerprint, *i), r.as_ref().ok()?.clone()))
            })
            .collect();
        if entries.is_empty() {
            return;
        }
        let store = move || {
            for (key, raw) in entries {
                if let Err(e) = cache.store(&key, &raw) {
                    tracing::warn!(error = %e, "answer not cached");
                }
            }
        };
        if let Err(e) = tokio::task::spawn_blocking(store).await {
            tracing::warn!(error = %e, "cache store failed");
        }
    }
}

/// The network side of one `complete`.
struct Call<'a> {
    client: &'a LlmClient,
    request: &'a CompletionRequest,
    model: &'a str,
    base: &'a WireRequest,
}

type Fetched = Vec<(u32, Result<RawAnswer, LlmError>)>;

impl Call<'_> {
    fn inner(&self) -> &Inner {
        &self.client.inner
    }

    async fn fetch(&self, missing: &[u32]) -> Fetched {
        if missing.len() > 1 {
            let inner = self.inner();
            inner.batching.probe(&inner.transport, self.model).await;
        }
        let limit = usize::try_from(self.client.n_limit()).unwrap_or(1).max(1);
        if missing.len() <= 1 || limit <= 1 {
            return self.fetch_separately(missing).await;
        }
        let batches = missing.chunks(limit).map(|chunk| self.fetch_batch(chunk));
        join_all(batches).await.into_iter().flatten().collect()
    }

    /// One request with `n = chunk.len()`. A server that refuses that `n` has the request
    /// split by the cap it names; one that answers with fewer choices has the rest asked
    /// again; either way the client asks no more than that from then on.
    async fn fetch_batch(&self, chunk: &[u32]) -> Fetched {
        let asked = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
        let mut wire = self.base.clone();
        if asked > 1 {
            wire.n = Some(asked);
        }
        // Each batch after the first gets its own seed, as separate requests do: a seeded
        // server answers two equal requests with equal samples.
        let first = chunk.first().copied().unwrap_or(0);
        wire.seed = self.base.seed.map(|s| s.wrapping_add(i64::from(first)));
        let answers = match self.send(&wire).await {
            Ok(answers) => answers,
            Err(e) => match e.kind.n_cap(asked) {
                Some(cap) if asked > 1 => {
                    let why = format!("refused n = {asked}");
                    self.inner().batching.lower(cap, self.model, &why);
                    return Box::pin(self.fetch(chunk)).await;
                }
                _ => return chunk.iter().map(|&i| (i, Err(e.clone()))).collect(),
            },
        };
        let got = answers.len();
        let mut out: Fetched = chunk
            .iter()
            .copied()
            .zip(answers.into_iter().map(Ok))
            .collect();
        if got < chunk.len() {
            let got = u32::try_from(got).unwrap_or(u32::MAX);
            let why = format!("answered n = {asked} with {got} choices");
            self.inner().batching.lower(got, self.model, &why);
            out.extend(Box::pin(self.fetch(&chunk[out.len()..])).await);
        }
        out
    }

    /// One request per sample, concurrently (within the client's limit).
    /// With a seed, sample `i` uses `seed + i` so the answers differ.
    async fn fetch_separately(&self, indices: &[u32]) -> Fetched {
        let calls = indices.iter().map(|&index| async move {
            let mut wire = self.base.clone();
            wire.n = None;
            wire.seed = self.base.seed.map(|s| s.wrapping_add(i64::from(index)));
            let result = self.send(&wire).await.and_then(|answers| {
                answers.into_iter().next().ok_or_else(|| LlmError {
                    model: self.model.to_owned(),
                    attempts: 1,
                    kind: LlmErrorKind::EmptyChoices,
                })
            });
            (index, result)
        });
        join_all(calls).await
    }

    /// One request with retries; records the call in the ledger.
    async fn send(&self, wire: &WireRequest) -> Result<Vec<RawAnswer>, LlmError> {
        let inner = self.inner();
        let policy = &inner.config.retry;
        let max_attempts = policy.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = match inner.permits.acquire().await {
                Ok(_permit) => inner.transport.send(wire).await,
                Err(_) => {
                    return Err(self.fail(
                        attempt,
                        LlmErrorKind::Other {
                            message: "request limiter closed".to_owned(),
                        },
                    ))
                }
            };
            match outcome {
                Ok(answered) => {
                    self.record_success(&answered, attempt);
                    return Ok(answered.answers);
                }
                Err(failure) if failure.retryable && attempt < max_attempts => {
                    let delay = policy.delay(attempt, failure.retry_after, &mut rand::thread_rng());
                    tracing::warn!(
                        model = self.model,
                        stage = %self.request.stage,
                        problem = %self.request.problem_id,
                        attempt,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        error = %failure.kind,
                        "model call failed, retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                Err(failure) => return Err(self.fail(attempt, failure.kind)),
            }
        }
    }

    fn fail(&self, attempts: u32, kind: LlmErrorKind) -> LlmError {
        let error = LlmError {
            model: self.model.to_owned(),
            attempts,
            kind,
        };
        tracing::warn!(
            stage = %self.request.stage,
            problem = %self.request.problem_id,
            %error,
            "model call failed"
        );
        self.inner().ledger.record(CallRecord {
            error: Some(error.to_string()),
            ..self.record(attempts)
        });
        error
    }

    fn record_success(&self, answered: &Answered, attempts: u32) {
        let inner = self.inner();
        inner.ledger.record(CallRecord {
            samples: u32::try_from(answered.answers.len()).unwrap_or(u32::MAX),
            usage: answered.usage,
            latency_ms: u64::try_from(answered.latency.as_millis()).unwrap_or(u64::MAX),
            cost_usd: inner.config.prices.cost(self.model, &answered.usage),
            ..self.record(attempts)
        });
    }

    fn record(&self, attempts: u32) -> CallRecord {
        CallRecord {
            stage: self.request.stage.clone(),
            problem_id: self.request.problem_id.clone(),
            role: self.request.role,
            model: self.model.to_owned(),
            samples: 0,
            cached: false,
            usage: Usage::default(),
            cached_usage: Usage::default(),
            latency_ms: 0,
            attempts,
            cost_usd: None,
            error: None,
        }
    }
}
