//! The executor: the outcome of a job from the cache, from an identical run in flight, or run
//! now under a permit on the blocking pool.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sstar_sandbox::{Outcome, Sandbox, SandboxError};
use tokio::sync::{Semaphore, SemaphorePermit};

use super::gate::{Gate, Gates};
use super::owned_execution::OwnedExecution;
use crate::store::ExecCache;

/// Told of every execution actually run (cache hits are not), with its time in the sandbox:
/// the pipeline counts them per problem.
pub trait Meter: Sync {
    fn executed(&self, wall: Duration);
}

/// Counting nothing.
impl Meter for () {
    fn executed(&self, _: Duration) {}
}

#[derive(Debug)]
pub struct Executor {
    sandbox: Arc<Sandbox>,
    permits: Semaphore,
    /// `None` where there is no run directory (`judge`, `verify`): everything runs.
    cache: Option<Arc<ExecCache>>,
    /// A gate per execution being run now: an identical one waits, then reads the cache.
    running: Gates,
    executions: AtomicU64,
    cache_hits: AtomicU64,
}

impl Executor {
    /// An executor with as many executions in flight as `sandbox` has workers.
    pub fn new(sandbox: Arc<Sandbox>, cache: Option<ExecCache>) -> Self {
        let permits = Semaphore::new(sandbox.workers().max(1));
        Self {
            sandbox,
            permits,
            cache: cache.map(Arc::new),
            running: Gates::default(),
            executions: AtomicU64::new(0),
            cache_hits: AtomicU64::new(0),
        }
    }

    pub fn sandbox(&self) -> &Arc<Sandbox> {
        &self.sandbox
    }

    /// Executions that may run at once.
    pub fn workers(&self) -> usize {
        self.sandbox.workers().max(1)
    }

    /// Executions actually run (cache hits excluded).
    pub fn executions(&self) -> u64 {
        self.executions.load(Ordering::Relaxed)
    }

    /// Executions answered from the cache instead of being run.
    pub fn cache_hits(&self) -> u64 {
        self.cache_hits.load(Ordering::Relaxed)
    }

    /// A permit for sandbox work done outside [`Executor::run`] (a `program` checker).
    pub(crate) async fn permit(&self) -> Result<SemaphorePermit<'_>, SandboxError> {
        self.permits
            .acquire()
            .await
            .map_err(|_| SandboxError::NoWorkers)
    }

    /// Whether `job`'s outcome is in the cache: an in-memory lookup, nothing is read or run.
    pub fn has_cached(&self, job: &OwnedExecution) -> bool {
        self.cache
            .as_ref()
            .is_some_and(|cache| cache.contains(&cache.key(&job.execution())))
    }

    /// The outcome of `job`: from the cache, from an identical run in flight, or run now.
    pub async fn run(
        &self,
        job: OwnedExecution,
        meter: &dyn Meter,
    ) -> Result<Outcome, SandboxError> {
        let Some(cache) = &self.cache else {
            return self.execute(job, None, meter).await;
        };
        let key = cache.key(&job.execution());
        if let Some(hit) = self.cached(cache, &key).await? {
            return Ok(hit);
        }
        let gate = Gate::enter(&self.running, key);
        let _turn = gate.turn().await;
        if let Some(hit) = self.cached(cache, &gate.key).await? {
            return Ok(hit); // an identical execution finished while this one waited
        }
        self.execute(job, Some((cache.clone(), gate.key.clone())), meter)
            .await
    }

    /// The cached outcome for `key`. A hit is read on the blocking pool: it is a disk read,
    /// under the lock the cache's appends take.
    async fn cached(
        &self,
        cache: &Arc<ExecCache>,
        key: &str,
    ) -> Result<Option<Outcome>, SandboxError> {
        if !cache.contains(key) {
            return Ok(None);
        }
        let (cache, key) = (cache.clone(), key.to_owned());
        let hit = tokio::task::spawn_blocking(move || cache.load(&key))
            .await
            .map_err(|e| SandboxError::Internal(e.to_string()))?;
        if hit.is_some() {
            self.cache_hits.fetch_add(1, Ordering::Relaxed);
        }
        Ok(hit)
    }

    /// Runs `job` now and offers its outcome to the cache under `store`'s key (which keeps
    /// only reproducible outcomes).
    async fn execute(
        &self,
        job: OwnedExecution,
        store: Option<(Arc<ExecCache>, String)>,
        meter: &dyn Meter,
    ) -> Result<Outcome, SandboxError> {
        let _permit = self.permit().await?;
        self.executions.fetch_add(1, Ordering::Relaxed);
        let sandbox = self.sandbox.clone();
        let started = Instant::now();
        let outcome = tokio::task::spawn_blocking(move || {
            let outcome = job.run(&sandbox)?;
            if let Some((cache, key)) = store {
                cache.store(&key, &outcome);
            }
            Ok::<_, SandboxError>(outcome)
        })
        .await
        .map_err(|e| SandboxError::Internal(e.to_string()))?;
        meter.executed(started.elapsed());
        outcome
    }
}
