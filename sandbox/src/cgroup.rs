//! Group accounting for runs: one cgroup (v1: `memory`, `pids`, `cpuacct`) per worker slot,
//! created under the cgroup sstar itself runs in and removed when the pool goes.
//!
//! A slot's zygote lives in its cgroup, so every run it forks, and every process that run
//! starts, is born there: CPU time, peak memory (shared memory and scratch files included)
//! and tasks are counted for the run as a whole. The worker resets the counters before each
//! run. Where no cgroup is writable the worker polls the run's PID namespace instead and
//! says so (see `python/worker/accounting.py`).

use std::path::{Path, PathBuf};

use serde::Serialize;

/// The v1 controllers a slot needs, in the order the worker expects them.
const CONTROLLERS: [&str; 3] = ["memory", "pids", "cpuacct"];

/// Prefix of every directory sstar creates, so stale ones can be recognised and removed.
const PREFIX: &str = "sstar-";

/// One slot's cgroup directories, one per controller; removed on drop.
#[derive(Debug, Serialize)]
pub(crate) struct SlotCgroup {
    pub memory: PathBuf,
    pub pids: PathBuf,
    pub cpuacct: PathBuf,
}

impl SlotCgroup {
    /// Creates the slot's directories, or says why it cannot (the worker then falls back).
    pub(crate) fn create(tag: &str, slot: u32) -> Result<Self, String> {
        let name = format!("{PREFIX}{}-{tag}-{slot}", std::process::id());
        let mounts = std::fs::read_to_string("/proc/self/mountinfo")
            .map_err(|e| format!("/proc/self/mountinfo: {e}"))?;
        let own = std::fs::read_to_string("/proc/self/cgroup")
            .map_err(|e| format!("/proc/self/cgroup: {e}"))?;
        let mut made: Vec<PathBuf> = Vec::new();
        for controller in CONTROLLERS {
            let parent = v1_directory(&mounts, &own, controller)
                .ok_or_else(|| format!("no cgroup v1 `{controller}` hierarchy mounted"))?;
            remove_stale(&parent);
            let dir = parent.join(&name);
            if let Err(e) = std::fs::create_dir(&dir) {
                made.iter().for_each(|d| remove(d));
                return Err(format!("{}: {e}", dir.display()));
            }
            made.push(dir);
        }
        let [memory, pids, cpuacct] =
            <[PathBuf; 3]>::try_from(made).map_err(|_| "cgroup directories missing".to_string())?;
        // A run over its memory limit is stopped, never swapped out: swapping would let it use
        // the host's swap past its limit, and end as a wall-clock timeout instead. (Best
        // effort: a kernel without swap accounting has nothing to swap to here anyway.)
        let _ = std::fs::write(memory.join("memory.swappiness"), "0");
        Ok(Self {
            memory,
            pids,
            cpuacct,
        })
    }
}

impl Drop for SlotCgroup {
    fn drop(&mut self) {
        for dir in [&self.memory, &self.pids, &self.cpuacct] {
            remove(dir);
        }
    }
}

/// Where `controller`'s hierarchy is mounted joined with our own place in it, if mounted.
fn v1_directory(mountinfo: &str, own_cgroups: &str, controller: &str) -> Option<PathBuf> {
    let mount_point = mountinfo.lines().find_map(|line| {
        let (left, right) = line.split_once(" - ")?;
        let mut right = right.split_whitespace();
        if right.next()? != "cgroup" {
            return None;
        }
        let options = right.nth(1)?;
        options
            .split(',')
            .any(|o| o == controller)
            .then(|| left.split_whitespace().nth(4).map(PathBuf::from))?
    })?;
    let own = own_cgroups.lines().find_map(|line| {
        let mut fields = line.splitn(3, ':');
        let (_, list, path) = (fields.next()?, fields.next()?, fields.next()?);
        list.split(',').any(|c| c == controller).then_some(path)
    })?;
    let joined = mount_point.join(own.trim_start_matches('/'));
    // Inside a cgroup namespace or a container our path may not exist under the mount.
    Some(if joined.is_dir() { joined } else { mount_point })
}

/// Removes directories left by sstar processes that no longer run (killed with SIGKILL).
fn remove_stale(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid.to_string()).exists() {
            remove(&entry.path());
        }
    }
}

/// `rmdir` of a cgroup; it fails while a task is still in it, which the kernel may take a
/// moment to reap after the worker is killed, so try for up to half a second.
fn remove(dir: &Path) {
    for _ in 0..500 {
        match std::fs::remove_dir(dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            _ => return,
        }
    }
    tracing::debug!("could not remove cgroup {}", dir.display());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_our_place_in_each_hierarchy() {
        let mountinfo = "30 25 0:26 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n\
                         31 25 0:27 / /sys/fs/cgroup/pids rw,relatime shared:10 - cgroup cgroup rw,pids\n\
                         32 25 0:28 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
        let own = "8:pids:/\n4:memory:/jobs/a\n0::/\n";
        // The joined path does not exist on the test machine: falls back to the mount point.
        assert_eq!(
            v1_directory(mountinfo, own, "memory"),
            Some(PathBuf::from("/sys/fs/cgroup/memory"))
        );
        assert_eq!(
            v1_directory(mountinfo, own, "pids"),
            Some(PathBuf::from("/sys/fs/cgroup/pids"))
        );
        assert_eq!(v1_directory(mountinfo, own, "cpuacct"), None);
    }
}
