//! Framing between host and worker: u32 little-endian header length, a JSON header naming
//! the lengths of the raw byte blobs that follow it. Reads carry a deadline so a wedged
//! worker costs a timeout, never a hang.

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, BorrowedFd};
use std::time::Instant;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Largest header we accept from a worker; anything bigger is a protocol fault.
const MAX_HEADER: usize = 1 << 20;

/// Writes `header` (a JSON object) with a `blobs` field listing the blob lengths, then the blobs.
pub(crate) fn write_frame(
    out: &mut impl Write,
    header: impl Serialize,
    blobs: &[&[u8]],
) -> io::Result<()> {
    let mut value = serde_json::to_value(header).map_err(io::Error::other)?;
    let lengths: Vec<usize> = blobs.iter().map(|b| b.len()).collect();
    match value.as_object_mut() {
        Some(object) => object.insert("blobs".into(), lengths.into()),
        None => return Err(io::Error::other("frame header must be a json object")),
    };
    let raw = serde_json::to_vec(&value).map_err(io::Error::other)?;
    let size = u32::try_from(raw.len()).map_err(io::Error::other)?;
    out.write_all(&size.to_le_bytes())?;
    out.write_all(&raw)?;
    for blob in blobs {
        out.write_all(blob)?;
    }
    out.flush()
}

/// Reads one frame, failing with `TimedOut` if it has not fully arrived by `deadline`.
pub(crate) fn read_frame<H: DeserializeOwned>(
    source: &mut impl ReadFd,
    deadline: Instant,
) -> io::Result<(H, Vec<Vec<u8>>)> {
    let mut reader = DeadlineReader { source, deadline };
    let mut size = [0u8; 4];
    reader.read_exact(&mut size)?;
    let size = u32::from_le_bytes(size) as usize;
    if size > MAX_HEADER {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame header of {size} bytes"),
        ));
    }
    let mut raw = vec![0; size];
    reader.read_exact(&mut raw)?;
    #[derive(serde::Deserialize)]
    struct Lengths {
        #[serde(default)]
        blobs: Vec<usize>,
    }
    let lengths: Lengths =
        serde_json::from_slice(&raw).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let header: H =
        serde_json::from_slice(&raw).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let mut blobs = Vec::with_capacity(lengths.blobs.len());
    for length in lengths.blobs {
        let mut blob = Vec::new();
        (&mut reader).take(length as u64).read_to_end(&mut blob)?;
        if blob.len() != length {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        blobs.push(blob);
    }
    Ok((header, blobs))
}

/// A readable pipe whose descriptor can be polled.
pub(crate) trait ReadFd: Read + AsRawFd {}
impl<T: Read + AsRawFd> ReadFd for T {}

struct DeadlineReader<'a, R> {
    source: &'a mut R,
    deadline: Instant,
}

impl<R: ReadFd> Read for DeadlineReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        // SAFETY: the descriptor belongs to `self.source`, which outlives this borrow.
        let fd = unsafe { BorrowedFd::borrow_raw(self.source.as_raw_fd()) };
        if !wait_readable(fd, remaining.as_millis().min(i32::MAX as u128) as i32)? {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "worker did not answer in time",
            ));
        }
        self.source.read(buf)
    }
}

/// `poll(2)` for readability (or hang-up) with a timeout in milliseconds.
fn wait_readable(fd: BorrowedFd<'_>, timeout_ms: i32) -> io::Result<bool> {
    let mut pollfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    loop {
        // SAFETY: `pollfd` is a valid, exclusively borrowed array of one element.
        let ready = unsafe { libc::poll(&mut pollfd, 1, timeout_ms) };
        match ready {
            -1 => {
                let err = io::Error::last_os_error();
                if err.kind() != io::ErrorKind::Interrupted {
                    return Err(err);
                }
            }
            0 => return Ok(false),
            _ => return Ok(true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixStream;
    use std::time::Duration;

    #[test]
    fn frame_round_trips_with_blobs() {
        let (mut a, mut b) = UnixStream::pair().expect("socketpair");
        write_frame(
            &mut a,
            serde_json::json!({"x": 1}),
            &[b"hello", b"", &[0, 255]],
        )
        .expect("write");
        let (header, blobs): (serde_json::Value, _) =
            read_frame(&mut b, Instant::now() + Duration::from_secs(5)).expect("read");
        assert_eq!(header["x"], 1);
        assert_eq!(blobs, vec![b"hello".to_vec(), Vec::new(), vec![0, 255]]);
    }

    #[test]
    fn silent_peer_times_out() {
        let (_a, mut b) = UnixStream::pair().expect("socketpair");
        let err =
            read_frame::<serde_json::Value>(&mut b, Instant::now() + Duration::from_millis(20))
                .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }
}
