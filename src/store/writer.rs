//! The run's file thread: async code hands its file work to one thread that does it in order,
//! so no tokio worker waits on the disk (an fsync can take milliseconds, longer on a busy disk).

use std::fmt;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard};
use std::thread::JoinHandle;

type Write = Box<dyn FnOnce() + Send>;

/// One thread doing a run's file work in the order it was handed over.
///
/// Work queued before other work is done before it: a problem's trace lines, inputs and files
/// are on disk before the line that marks it finished. [`Writer::finish`] (and dropping the
/// writer) waits for everything queued, so an interrupted run still writes what it had queued.
pub struct Writer {
    /// `None` once finished (or when the thread could not start): work then runs inline.
    queue: Mutex<Option<mpsc::Sender<Write>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Writer {
    /// Starts the thread. Should the system refuse one, the work is done on the caller's thread
    /// (slower, but nothing is lost).
    pub fn start() -> Self {
        let (send, receive) = mpsc::channel::<Write>();
        let spawned = std::thread::Builder::new()
            .name("sstar-writer".into())
            .spawn(move || {
                for job in receive {
                    // A job that panics loses its own write, not the writes queued after it.
                    let _ = catch_unwind(AssertUnwindSafe(job));
                }
            });
        match spawned {
            Ok(thread) => Self {
                queue: Mutex::new(Some(send)),
                thread: Mutex::new(Some(thread)),
            },
            Err(e) => {
                tracing::warn!("cannot start the file writer thread ({e}); writing inline");
                Self {
                    queue: Mutex::new(None),
                    thread: Mutex::new(None),
                }
            }
        }
    }

    /// Queues `job` after everything queued before it and returns at once.
    pub fn queue(&self, job: impl FnOnce() + Send + 'static) {
        let job: Write = Box::new(job);
        let refused = match &*lock(&self.queue) {
            Some(queue) => queue.send(job).err().map(|refused| refused.0),
            None => Some(job),
        };
        // No thread to take it (finished, or never started): do it here rather than lose it.
        if let Some(job) = refused {
            job();
        }
    }

    /// Runs `job` after everything queued before it and waits for its result without holding
    /// an async thread. Dropping the future does not cancel the job: it still runs.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> io::Result<T> + Send + 'static,
    ) -> io::Result<T> {
        let (send, receive) = tokio::sync::oneshot::channel();
        self.queue(move || {
            let _ = send.send(job());
        });
        receive
            .await
            .unwrap_or_else(|_| Err(io::Error::other("the file writer failed on this write")))
    }

    /// Waits until everything queued is done, then stops the thread; work handed over later
    /// runs on the caller's thread. Blocks: call it from synchronous code.
    pub fn finish(&self) {
        drop(lock(&self.queue).take());
        if let Some(thread) = lock(&self.thread).take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.finish();
    }
}

impl fmt::Debug for Writer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Writer")
            .field("running", &lock(&self.thread).is_some())
            .finish()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[tokio::test]
    async fn work_is_done_in_the_order_it_was_handed_over() {
        let writer = Writer::start();
        let done = Arc::new(Mutex::new(Vec::new()));
        for k in 0..50 {
            let done = done.clone();
            writer.queue(move || done.lock().expect("lock").push(k));
        }
        let seen = done.clone();
        // `run` waits for the queued work before its own.
        let count = writer
            .run(move || Ok(seen.lock().expect("lock").len()))
            .await
            .expect("runs");
        assert_eq!(count, 50);
        assert_eq!(*done.lock().expect("lock"), (0..50).collect::<Vec<_>>());
        let failed = writer
            .run(|| Err::<(), _>(io::Error::other("disk full")))
            .await;
        assert_eq!(failed.expect_err("fails").to_string(), "disk full");
    }

    #[test]
    fn finish_waits_for_queued_work_and_later_work_runs_inline() {
        let writer = Writer::start();
        let (release, blocked) = mpsc::channel::<()>();
        let done = Arc::new(Mutex::new(Vec::new()));
        // The first job holds the thread until released, so the rest are still queued when
        // `finish` is called.
        writer.queue(move || {
            let _ = blocked.recv();
        });
        for k in 0..20 {
            let done = done.clone();
            writer.queue(move || done.lock().expect("lock").push(k));
        }
        release.send(()).expect("release");
        writer.finish();
        assert_eq!(done.lock().expect("lock").len(), 20);
        let late = done.clone();
        writer.queue(move || late.lock().expect("lock").push(99));
        assert_eq!(done.lock().expect("lock").last(), Some(&99));
    }

    #[tokio::test]
    async fn a_panicking_job_fails_alone() {
        let writer = Writer::start();
        let lost = writer.run(|| -> io::Result<()> { panic!("bug") }).await;
        assert!(lost.is_err());
        assert_eq!(writer.run(|| Ok(7)).await.expect("still running"), 7);
    }
}
