"""Scratch directories: the base every run's directory is made in, a run's directory
prepared with its files, and removal through directory descriptors only (never a path a
leftover process could swap a symlink into).
"""

import errno
import os


# Where runs' scratch directories are made: the private root's own tmpfs at /tmp, or, without
# a private root, a fresh directory of this worker's on the host (see _make_scratch_base).
SCRATCH_BASE = "/tmp"
SCRATCH_FD = None  # a handle on SCRATCH_BASE: every removal goes through it, never a path


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


def _make_scratch_base():
    """Open the scratch base. In the private root it is the root's own tmpfs at /tmp. Without
    one, /tmp is the host's, which _clear_scratch_base would empty after every run: make a
    fresh directory of our own instead (mkdir fails on anything already there, a symlink
    included), removed when the worker exits (see main; the host removes it too)."""
    global SCRATCH_BASE, SCRATCH_FD
    if not ISOLATION["chroot"]:
        parent = CONFIG.get("temp_dir") or "/tmp"
        for _ in range(100):
            base = os.path.join(parent, f"sstar-scratch-{os.getpid()}-{os.urandom(6).hex()}")
            try:
                os.mkdir(base, 0o700)
                break
            except FileExistsError:
                continue
        else:
            raise SystemExit(f"sstar worker: cannot make a scratch directory under {parent}")
        if ISOLATION["uid"] is not None:
            os.chmod(base, 0o711)  # runs (another uid) reach their own directory, list nothing
        SCRATCH_BASE = base
        WARNINGS.append(
            f"no private root: runs' scratch directories are made on the host, in {parent}/sstar-scratch-*"
        )
    SCRATCH_FD = os.open(SCRATCH_BASE, _DIR_FLAGS)


COUNTER = 0


def _prepare_scratch(files, executable=None):
    """The run's scratch directory with `files` in it (mode 0600; `executable`, 0700)."""
    global COUNTER
    COUNTER += 1
    name = f"run{COUNTER}"
    os.mkdir(name, 0o700, dir_fd=SCRATCH_FD)
    fd = os.open(name, _DIR_FLAGS, dir_fd=SCRATCH_FD)
    try:
        for file, data in files:
            if "/" in file or file in ("", ".", ".."):
                raise ValueError(f"bad scratch file name {file!r}")
            mode = 0o700 if file == executable else 0o600
            out = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode, dir_fd=fd)
            with os.fdopen(out, "wb") as f:
                f.write(data)
        uid = ISOLATION["uid"]
        if uid is not None:
            for file, _ in files:
                os.chown(file, uid, uid, dir_fd=fd, follow_symlinks=False)
            os.fchown(fd, uid, uid)
    finally:
        os.close(fd)
    return os.path.join(SCRATCH_BASE, name)


# Directories deeper than this below a scratch entry are moved up into the base and removed
# on a later pass: one descriptor per level, and a candidate may nest thousands of levels.
REMOVE_DEPTH = 128


def _open_dir(name, dir_fd):
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except PermissionError:
        if os.geteuid() == 0:
            raise
        # Not root: runs share our uid and may have taken their own permissions away. (This
        # chmod follows a symlink swapped in meanwhile, to nothing a run could not chmod.)
        os.chmod(name, 0o700, dir_fd=dir_fd)
        return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)


def _remove_tree(parent_fd, name):
    """rm -rf of `name` in the directory `parent_fd`, through descriptors only: never follows
    a symlink, even one a leftover process swaps in for a directory mid-way (no path is
    resolved twice), so nothing outside the scratch base is touched; as root, so a
    candidate's modes cannot stop it."""
    fds, names = [_open_dir(name, parent_fd)], [name]
    try:
        while fds:
            fd, sub = fds[-1], None
            with os.scandir(fd) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        sub = entry.name
                    else:
                        os.unlink(entry.name, dir_fd=fd)
            if sub is None:
                os.close(fds.pop())
                os.rmdir(names.pop(), dir_fd=fds[-1] if fds else parent_fd)
            elif len(fds) < REMOVE_DEPTH:
                fds.append(_open_dir(sub, fd))
                names.append(sub)
            else:
                os.rename(sub, f"deep-{os.urandom(8).hex()}", src_dir_fd=fd, dst_dir_fd=SCRATCH_FD)
    finally:
        for fd in fds:
            os.close(fd)


def _clear_scratch_base():
    """Empty the scratch base, through its handle: a run's own directory, and anything a run
    running as the owner of the base (no uid to drop to) may have left beside it. Without a
    private root the base is this worker's own directory on the host, never the host's /tmp."""
    for _ in range(100_000):  # passes: each takes what _remove_tree moved up on the last one
        with os.scandir(SCRATCH_FD) as it:
            entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
        if not entries:
            return
        for name, is_dir in entries:
            if is_dir:
                _remove_tree(SCRATCH_FD, name)
            else:
                os.unlink(name, dir_fd=SCRATCH_FD)
    raise OSError(errno.EBUSY, "the scratch base keeps filling up")


def _remove_scratch_base():
    """At exit, without a private root: remove our directory on the host."""
    if ISOLATION["chroot"] or SCRATCH_FD is None:
        return
    try:
        _clear_scratch_base()
        os.rmdir(SCRATCH_BASE)
    except OSError:
        pass  # the host removes it too, once it has reaped us
