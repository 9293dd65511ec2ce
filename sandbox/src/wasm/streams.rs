//! The guest's stdout and stderr: in-memory sinks with the process backend's caps, and the
//! driver's report channel carried on stderr behind a per-run marker.

use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError, StreamResult};

/// Largest write permit handed to the guest (WASI writes arrive in chunks of at most 4 KiB).
const PERMIT: usize = 64 << 10;

/// What the guest wrote, shared by every handle on one stream.
#[derive(Debug, Default)]
pub(crate) struct Captured {
    /// The program's bytes, up to the cap.
    pub program: Vec<u8>,
    /// Stdout: the program went over the cap (the run was stopped). Stderr: bytes were dropped.
    pub overflowed: bool,
    /// Stderr only: what the driver wrote after the marker.
    pub report: Vec<u8>,
    /// Stderr only: the marker was written.
    pub reporting: bool,
    /// Stderr only: the report went over the cap.
    pub report_overflowed: bool,
}

/// How a stream treats bytes past its cap.
#[derive(Debug, Clone)]
enum Mode {
    /// Stdout: stop the run (a trap), like the process backend's kill at the output limit.
    StopAtCap,
    /// Stderr: keep the first `cap` bytes and drop the rest; a write that is exactly `marker`
    /// switches to the report, which is capped (and over it stops the run) like stdout.
    DropPastCap { marker: Arc<[u8]> },
}

/// One captured output stream of a run.
#[derive(Debug, Clone)]
pub(crate) struct Capture {
    cap: usize,
    mode: Mode,
    captured: Arc<Mutex<Captured>>,
}

/// The stream a run's write over its cap stops (see [`Capture::stopped`]).
#[derive(Debug, thiserror::Error)]
#[error("output limit exceeded")]
pub(crate) struct OutputLimitExceeded;

impl Capture {
    /// Stdout: at most `cap` bytes; one more stops the run.
    pub(crate) fn stdout(cap: usize) -> Self {
        Self {
            cap,
            mode: Mode::StopAtCap,
            captured: Arc::default(),
        }
    }

    /// Stderr: the program's first `cap` bytes, then the report written after `marker`.
    pub(crate) fn stderr(cap: usize, marker: &[u8]) -> Self {
        Self {
            cap,
            mode: Mode::DropPastCap {
                marker: Arc::from(marker),
            },
            captured: Arc::default(),
        }
    }

    /// What was written so far.
    pub(crate) fn take(&self) -> Captured {
        std::mem::take(&mut *self.lock())
    }

    /// Whether a write went over a cap that stops the run.
    pub(crate) fn stopped(&self) -> bool {
        let captured = self.lock();
        match self.mode {
            Mode::StopAtCap => captured.overflowed,
            Mode::DropPastCap { .. } => captured.report_overflowed,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Captured> {
        self.captured.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Appends what fits under `cap`; whether all of `bytes` fit.
fn append_capped(into: &mut Vec<u8>, bytes: &[u8], cap: usize) -> bool {
    let room = cap.saturating_sub(into.len());
    into.extend_from_slice(&bytes[..bytes.len().min(room)]);
    bytes.len() <= room
}

impl OutputStream for Capture {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        let cap = self.cap;
        let mut captured = self.lock();
        let fits = match &self.mode {
            Mode::StopAtCap => append_capped(&mut captured.program, &bytes, cap),
            Mode::DropPastCap { marker } => {
                if captured.reporting {
                    let fits = append_capped(&mut captured.report, &bytes, cap);
                    captured.report_overflowed |= !fits;
                    fits
                } else if bytes.as_ref() == marker.as_ref() {
                    captured.reporting = true;
                    true
                } else {
                    captured.overflowed |= !append_capped(&mut captured.program, &bytes, cap);
                    true
                }
            }
        };
        if fits {
            Ok(())
        } else {
            captured.overflowed |= matches!(self.mode, Mode::StopAtCap);
            Err(StreamError::Trap(wasmtime::Error::new(OutputLimitExceeded)))
        }
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        // Always writable: a write past the cap is judged in `write`, so the guest is never
        // told to wait for room that will not come.
        Ok(PERMIT)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for Capture {
    async fn ready(&mut self) {}
}

impl IsTerminal for Capture {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for Capture {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(AsyncCapture(self.clone()))
    }
}

/// The same sink for the (unused by p1) async interface.
struct AsyncCapture(Capture);

impl tokio::io::AsyncWrite for AsyncCapture {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let result = OutputStream::write(&mut self.0, Bytes::copy_from_slice(buf))
            .map(|()| buf.len())
            .map_err(std::io::Error::other);
        std::task::Poll::Ready(result)
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdout_keeps_its_cap_and_stops_past_it() {
        let mut out = Capture::stdout(5);
        assert!(out.write(Bytes::from_static(b"abc")).is_ok());
        assert!(out.write(Bytes::from_static(b"de")).is_ok());
        assert!(!out.stopped());
        assert!(out.write(Bytes::from_static(b"f")).is_err());
        assert!(out.stopped());
        assert_eq!(out.take().program, b"abcde");
    }

    #[test]
    fn stderr_drops_past_its_cap_and_splits_off_the_report() {
        let mut err = Capture::stderr(4, b"@@");
        assert!(err.write(Bytes::from_static(b"trace")).is_ok());
        assert!(err.write(Bytes::from_static(b"back")).is_ok());
        // The marker only counts as a write of its own.
        assert!(err.write(Bytes::from_static(b"@@x")).is_ok());
        assert!(err.write(Bytes::from_static(b"@@")).is_ok());
        assert!(err.write(Bytes::from_static(b"{}")).is_ok());
        assert!(!err.stopped());
        let captured = err.take();
        assert_eq!(captured.program, b"trac");
        assert!(captured.overflowed);
        assert_eq!(captured.report, b"{}");
        let mut err = Capture::stderr(4, b"@@");
        assert!(err.write(Bytes::from_static(b"@@")).is_ok());
        assert!(err.write(Bytes::from_static(b"12345")).is_err());
        assert!(err.stopped());
    }
}
