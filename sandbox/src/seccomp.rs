//! The seccomp filter every run installs last, before the program's first line: kernel
//! interfaces a contest program never needs and an attacker would (keyrings that outlive the
//! run, ptrace, bpf, io_uring, namespaces, mounts; file locks and file watches, which other
//! runs on the same read-only files would see) answer `EPERM`, and sockets of any family but
//! `AF_UNIX` (vsock reaches a VM's host, which no network namespace covers) look unsupported.
//!
//! Compiled here, in Rust, with `seccompiler`; the worker receives the raw BPF and its zygote
//! installs it with `prctl(PR_SET_SECCOMP)` once, so every run it clones inherits it.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

use crate::pool::SandboxError;

/// Syscalls that fail with `EPERM` for a candidate.
const DENIED: &[(&str, libc::c_long)] = &[
    // State that outlives a run: the kernel keyring persists across runs and processes.
    ("add_key", libc::SYS_add_key),
    ("keyctl", libc::SYS_keyctl),
    ("request_key", libc::SYS_request_key),
    // Reading or steering other processes.
    ("ptrace", libc::SYS_ptrace),
    ("process_vm_readv", libc::SYS_process_vm_readv),
    ("process_vm_writev", libc::SYS_process_vm_writev),
    ("kcmp", libc::SYS_kcmp),
    ("pidfd_getfd", libc::SYS_pidfd_getfd),
    // Large kernel attack surfaces with no use in a program that reads stdin.
    ("bpf", libc::SYS_bpf),
    ("perf_event_open", libc::SYS_perf_event_open),
    ("userfaultfd", libc::SYS_userfaultfd),
    ("io_uring_setup", libc::SYS_io_uring_setup),
    ("io_uring_enter", libc::SYS_io_uring_enter),
    ("io_uring_register", libc::SYS_io_uring_register),
    ("fanotify_init", libc::SYS_fanotify_init),
    ("open_by_handle_at", libc::SYS_open_by_handle_at),
    ("name_to_handle_at", libc::SYS_name_to_handle_at),
    ("personality", libc::SYS_personality),
    // Side channels between concurrent runs, whose files (the interpreter, the packages) are
    // shared read-only mounts: a watch sees another run open them, a lock is seen by all.
    ("inotify_init1", libc::SYS_inotify_init1),
    ("inotify_add_watch", libc::SYS_inotify_add_watch),
    ("flock", libc::SYS_flock),
    // Namespaces and the filesystem tree.
    ("unshare", libc::SYS_unshare),
    ("setns", libc::SYS_setns),
    ("mount", libc::SYS_mount),
    ("umount2", libc::SYS_umount2),
    ("pivot_root", libc::SYS_pivot_root),
    ("chroot", libc::SYS_chroot),
    ("open_tree", libc::SYS_open_tree),
    ("move_mount", libc::SYS_move_mount),
    ("fsopen", libc::SYS_fsopen),
    ("fsconfig", libc::SYS_fsconfig),
    ("fsmount", libc::SYS_fsmount),
    ("fspick", libc::SYS_fspick),
    ("mount_setattr", libc::SYS_mount_setattr),
    // The machine itself.
    ("acct", libc::SYS_acct),
    ("swapon", libc::SYS_swapon),
    ("swapoff", libc::SYS_swapoff),
    ("reboot", libc::SYS_reboot),
    ("kexec_load", libc::SYS_kexec_load),
    ("kexec_file_load", libc::SYS_kexec_file_load),
    ("init_module", libc::SYS_init_module),
    ("finit_module", libc::SYS_finit_module),
    ("delete_module", libc::SYS_delete_module),
    ("quotactl", libc::SYS_quotactl),
    ("syslog", libc::SYS_syslog),
    ("settimeofday", libc::SYS_settimeofday),
    ("clock_settime", libc::SYS_clock_settime),
    ("clock_adjtime", libc::SYS_clock_adjtime),
    ("adjtimex", libc::SYS_adjtimex),
];

/// `fcntl` commands that lock a file or watch a directory (the `F_GETLK` family included:
/// it reads another run's lock); the rest of `fcntl` (flags, duplication) stays.
const FCNTL_DENIED: &[libc::c_int] = &[
    libc::F_GETLK,
    libc::F_SETLK,
    libc::F_SETLKW,
    libc::F_OFD_GETLK,
    libc::F_OFD_SETLK,
    libc::F_OFD_SETLKW,
    libc::F_SETLEASE,
    libc::F_NOTIFY,
];

/// `clone` flags that make namespaces; `clone` itself must stay (fork, threads). New PID and
/// IPC namespaces stay allowed because the zygote (which carries the filter) makes one of each
/// per run; without CAP_SYS_ADMIN, which no run has, the kernel refuses them to runs anyway.
/// A new user namespace, the one way to gain that capability, is denied.
const NAMESPACE_FLAGS: &[libc::c_int] = &[
    libc::CLONE_NEWNS,
    libc::CLONE_NEWUTS,
    libc::CLONE_NEWUSER,
    libc::CLONE_NEWNET,
    libc::CLONE_NEWCGROUP,
];

/// The names of the denied syscalls, for the threat model and the tests.
pub fn denied_syscalls() -> impl Iterator<Item = &'static str> {
    DENIED
        .iter()
        .map(|(name, _)| *name)
        .chain(LEGACY_DENIED.iter().map(|(name, _)| *name))
        .chain(["clone3"])
}

/// Older spellings some architectures still have.
#[cfg(target_arch = "x86_64")]
const LEGACY_DENIED: &[(&str, libc::c_long)] = &[("inotify_init", libc::SYS_inotify_init)];
#[cfg(not(target_arch = "x86_64"))]
const LEGACY_DENIED: &[(&str, libc::c_long)] = &[];

/// A rule matching when argument `index` (a 32-bit int) equals `value`, or differs from it.
fn int_rule(
    index: u8,
    op: SeccompCmpOp,
    value: libc::c_int,
) -> Result<SeccompRule, seccompiler::BackendError> {
    SeccompCondition::new(index, SeccompCmpArgLen::Dword, op, value as u64)
        .and_then(|condition| SeccompRule::new(vec![condition]))
}

/// The filter as raw `struct sock_filter` records (8 bytes each, native endianness), in the
/// order the child installs them: the `EPERM` list, then one that makes `clone3` look absent
/// (`ENOSYS`: glibc then falls back to `clone`, whose flags a filter can inspect), then one
/// that refuses every socket family but `AF_UNIX` (`EAFNOSUPPORT`).
pub(crate) fn compiled_filters() -> Result<Vec<Vec<u8>>, SandboxError> {
    let arch = TargetArch::try_from(std::env::consts::ARCH)
        .map_err(|e| SandboxError::Spawn(format!("seccomp: {e}")))?;
    let fail = |e: seccompiler::BackendError| SandboxError::Spawn(format!("seccomp: {e}"));
    let mut denied: BTreeMap<i64, Vec<SeccompRule>> = DENIED
        .iter()
        .chain(LEGACY_DENIED)
        .map(|&(_, number)| (number, Vec::new()))
        .collect();
    let fcntl_rules = FCNTL_DENIED
        .iter()
        .map(|&command| int_rule(1, SeccompCmpOp::Eq, command))
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?;
    denied.insert(libc::SYS_fcntl, fcntl_rules);
    let namespace_rules = NAMESPACE_FLAGS
        .iter()
        .map(|&flag| {
            let flag = flag as u64;
            SeccompCondition::new(
                0,
                SeccompCmpArgLen::Qword,
                SeccompCmpOp::MaskedEq(flag),
                flag,
            )
            .and_then(|condition| SeccompRule::new(vec![condition]))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?;
    denied.insert(libc::SYS_clone, namespace_rules);
    let errno = |code: libc::c_int| SeccompAction::Errno(code as u32);
    let main =
        SeccompFilter::new(denied, SeccompAction::Allow, errno(libc::EPERM), arch).map_err(fail)?;
    let clone3 = SeccompFilter::new(
        BTreeMap::from([(libc::SYS_clone3, Vec::new())]),
        SeccompAction::Allow,
        errno(libc::ENOSYS),
        arch,
    )
    .map_err(fail)?;
    let unix_only = || int_rule(0, SeccompCmpOp::Ne, libc::AF_UNIX).map(|rule| vec![rule]);
    let families = SeccompFilter::new(
        BTreeMap::from([
            (libc::SYS_socket, unix_only().map_err(fail)?),
            (libc::SYS_socketpair, unix_only().map_err(fail)?),
        ]),
        SeccompAction::Allow,
        errno(libc::EAFNOSUPPORT),
        arch,
    )
    .map_err(fail)?;
    [main, clone3, families]
        .into_iter()
        .map(|filter| {
            let program = BpfProgram::try_from(filter).map_err(fail)?;
            Ok(program
                .iter()
                .flat_map(|insn| {
                    let mut raw = Vec::with_capacity(8);
                    raw.extend_from_slice(&insn.code.to_ne_bytes());
                    raw.push(insn.jt);
                    raw.push(insn.jf);
                    raw.extend_from_slice(&insn.k.to_ne_bytes());
                    raw
                })
                .collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_compile_to_whole_instructions() {
        let filters = compiled_filters().expect("compile");
        assert_eq!(filters.len(), 3);
        for filter in filters {
            assert!(!filter.is_empty());
            assert_eq!(filter.len() % 8, 0);
        }
        assert!(denied_syscalls().any(|name| name == "keyctl"));
    }
}
