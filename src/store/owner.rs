//! Who owns what sstar reads back: this process's effective uid, read from `/proc` (the
//! standard library has no safe `geteuid`, and this crate has no unsafe code).

use std::io;

/// Where this process's uids are read.
pub const PROC_STATUS: &str = "/proc/self/status";

/// This process's effective uid, the owner of what it creates.
pub fn effective_uid() -> io::Result<u32> {
    let status = std::fs::read_to_string(PROC_STATUS)?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|uids| uids.split_whitespace().nth(1))
        .and_then(|uid| uid.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no effective uid"))
}
