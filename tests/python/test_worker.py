"""The process worker's parts that need no privilege and no started worker: the protocol's
framing, the mount table's escapes, scratch removal, the compiled-code cache and the
accounting's arithmetic over the counters it reads."""

import os
import socket
import stat
import subprocess
import sys
import threading

import pytest

# --- framing -----------------------------------------------------------------------------------


def test_a_frame_round_trips_over_a_pipe_with_blobs_larger_than_one_read(worker):
    r, w = os.pipe()
    blobs = [b"", b"print(1)\n", bytes(range(256)) * 9000]  # the last: 2.3 MB, past 1 MiB reads

    def write():
        try:
            worker.write_frame(w, {"kind": "stdio", "n": 7}, blobs)
        finally:
            os.close(w)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        header, got = worker.read_frame(r)
        with pytest.raises(EOFError):
            worker.read_exact(r, 1)  # nothing after the frame
    finally:
        os.close(r)  # a reader that failed must not leave the writer blocked
        writer.join()
    assert header == {"kind": "stdio", "n": 7, "blobs": [0, 9, 2304000]}
    assert got == blobs


def test_a_frame_cut_short_is_end_of_input(worker):
    r, w = os.pipe()
    os.write(w, (40).to_bytes(4, "little") + b'{"blobs": [')
    os.close(w)
    with pytest.raises(EOFError):
        worker.read_frame(r)
    os.close(r)


def test_descriptors_travel_with_their_message(worker):
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    r, w = os.pipe()
    try:
        worker.send_fds(ours, b"F", [w, r])
        data, fds = worker.recv_fds(theirs, 1, 4)
        assert data == b"F" and len(fds) == 2 and w not in fds
        os.write(fds[0], b"through the copy")
        assert os.read(r, 100) == b"through the copy"
        for fd in fds:
            os.close(fd)
    finally:
        for fd in (r, w):
            os.close(fd)
        ours.close()
        theirs.close()


# --- isolation ---------------------------------------------------------------------------------


def test_mount_table_escapes_are_undone_once(worker):
    assert worker._unescape(b"/mnt/a\\040b\\011c\\012d\\134e") == b"/mnt/a b\tc\nd\\e"
    # A backslash is escaped too, so what follows an escaped one is literal text.
    assert worker._unescape(b"/x\\134040") == b"/x\\040"
    assert worker._unescape(b"/x\\134\\040") == b"/x\\ "
    assert worker._unescape(b"/plain") == b"/plain"
    line = b"36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw\n"
    assert worker._unescape(line.split()[4]) == b"/mnt/with space"


# --- scratch -----------------------------------------------------------------------------------


@pytest.fixture
def scratch(worker, tmp_path, monkeypatch):
    """A scratch base in tmp_path, opened as the worker opens its own; and a directory outside
    it that removal must never touch."""
    base = tmp_path / "base"
    base.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("host file")
    fd = os.open(base, worker._DIR_FLAGS)
    monkeypatch.setattr(worker, "SCRATCH_BASE", str(base))
    monkeypatch.setattr(worker, "SCRATCH_FD", fd)
    yield base, outside
    os.close(fd)


def test_removal_takes_the_tree_and_no_symlink_out_of_it(worker, scratch):
    base, outside = scratch
    run = base / "run1"
    (run / "a" / "b").mkdir(parents=True)
    (run / "a" / "b" / "file").write_text("x")
    (run / "a" / "to_dir").symlink_to(outside)
    (run / "a" / "to_file").symlink_to(outside / "keep")
    (run / "locked").mkdir()
    (run / "locked" / "inside").write_text("y")
    os.chmod(run / "locked", 0)  # a run may take its own permissions away
    worker._remove_tree(worker.SCRATCH_FD, "run1")
    assert list(base.iterdir()) == []
    assert (outside / "keep").read_text() == "host file"


def test_trees_deeper_than_the_descriptor_budget_are_moved_up_and_cleared(worker, scratch, monkeypatch):
    base, outside = scratch
    monkeypatch.setattr(worker, "REMOVE_DEPTH", 3)
    deep = base / "run1"
    for level in range(10):
        deep = deep / f"d{level}"
    deep.mkdir(parents=True)
    (deep / "link").symlink_to(outside)
    worker._remove_tree(worker.SCRATCH_FD, "run1")
    moved = sorted(p.name for p in base.iterdir())
    assert moved and all(name.startswith("deep-") for name in moved), moved
    worker._clear_scratch_base()
    assert list(base.iterdir()) == []
    assert (outside / "keep").read_text() == "host file"


def test_a_runs_directory_holds_its_files_private_and_refuses_paths(worker, scratch, monkeypatch):
    base, _ = scratch
    monkeypatch.setattr(worker, "COUNTER", 0)
    path = worker._prepare_scratch([("input.txt", b"1 2"), ("solution", b"\x7fELF")], executable="solution")
    assert path == str(base / "run1")
    assert (base / "run1" / "input.txt").read_bytes() == b"1 2"
    assert stat.S_IMODE(os.stat(base / "run1" / "input.txt").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(base / "run1" / "solution").st_mode) == 0o700
    for bad in ("../escape", "a/b", "..", ""):
        with pytest.raises(ValueError):
            worker._prepare_scratch([(bad, b"")])
    assert not (base.parent / "escape").exists()
    worker._clear_scratch_base()
    assert list(base.iterdir()) == []


# --- compiled code -----------------------------------------------------------------------------


@pytest.fixture
def compile_runs(worker, monkeypatch):
    """The cache emptied, runs with PID namespaces, and compile runs faked: each returns the
    output `outputs` maps the source to (None: the compile run fails). Yields the sources
    compile runs were made for."""
    made, outputs = [], {}

    def execute(req, blobs):
        assert req["kind"] == "compile_python" and req["files"] == []
        made.append(blobs[0])
        out = outputs.get(blobs[0])
        result = {"killed_for": None, "exit_code": 0 if out else 1}
        return result, (out or b"", b"", b"")

    monkeypatch.setattr(worker, "execute", execute)
    monkeypatch.setattr(worker, "COMPILED", {})
    monkeypatch.setattr(worker, "SEEN", {})
    monkeypatch.setattr(worker, "OWN_PID_NS", True, raising=False)
    return made, outputs


def test_a_program_is_compiled_once_after_its_first_runs(worker, compile_runs):
    made, outputs = compile_runs
    outputs[b"print(1)"] = b"marshalled"
    req = {"kind": "stdio"}
    got = [worker._compiled(req, b"print(1)") for _ in range(worker.COMPILE_RUN_AT + 3)]
    assert got[: worker.COMPILE_RUN_AT - 1] == [None] * (worker.COMPILE_RUN_AT - 1)
    assert got[worker.COMPILE_RUN_AT - 1 :] == [b"marshalled"] * 4
    assert made == [b"print(1)"], "one compile run, later runs reuse it"


def test_a_failed_compile_run_is_never_retried(worker, compile_runs, monkeypatch):
    made, _ = compile_runs
    monkeypatch.setattr(worker, "COMPILE_RUN_AT", 1)
    assert worker._compiled({"kind": "function"}, b"def (") is None
    assert worker._compiled({"kind": "function"}, b"def (") is None
    assert made == [b"def ("]


def test_the_cache_keeps_the_newest_within_its_bytes(worker, compile_runs, monkeypatch):
    made, outputs = compile_runs
    monkeypatch.setattr(worker, "COMPILE_RUN_AT", 1)
    monkeypatch.setattr(worker, "COMPILED_MAX_BYTES", 100)
    for n in range(4):
        outputs[b"p%d" % n] = bytes([n]) * 40
        assert worker._compiled({"kind": "stdio"}, b"p%d" % n) == bytes([n]) * 40
    assert sorted(worker.COMPILED.values()) == [bytes([2]) * 40, bytes([3]) * 40]
    outputs[b"big"] = b"x" * 101
    assert worker._compiled({"kind": "stdio"}, b"big") is None, "bigger than the whole cache"
    assert sum(map(len, worker.COMPILED.values())) <= 100


def test_only_python_runs_with_their_own_pid_namespace_use_the_cache(worker, compile_runs, monkeypatch):
    made, outputs = compile_runs
    monkeypatch.setattr(worker, "COMPILE_RUN_AT", 1)
    outputs[b"x"] = b"code"
    for kind in ("native", "compile", "compile_python"):
        assert worker._compiled({"kind": kind}, b"x") is None
    monkeypatch.setattr(worker, "OWN_PID_NS", False)
    assert worker._compiled({"kind": "stdio"}, b"x") is None
    assert made == []


def test_the_runs_seen_are_forgotten_past_their_bound(worker, compile_runs, monkeypatch):
    monkeypatch.setattr(worker, "SEEN_MAX", 3)
    for n in range(3):
        worker._compiled({"kind": "stdio"}, b"s%d" % n)
    assert len(worker.SEEN) == 3
    worker._compiled({"kind": "stdio"}, b"s3")
    assert len(worker.SEEN) == 1


# --- accounting --------------------------------------------------------------------------------


@pytest.fixture
def cgroup(tmp_path):
    """A slot's cgroup files, as plain files: (paths by controller, a writer by file name)."""
    paths = {c: tmp_path / c for c in ("cpuacct", "memory", "pids")}
    for path in paths.values():
        path.mkdir()
        (path / "cgroup.procs").write_text("")
    files = {
        "cpuacct.usage": "cpuacct",
        "memory.usage_in_bytes": "memory",
        "memory.max_usage_in_bytes": "memory",
        "memory.limit_in_bytes": "memory",
        "memory.oom_control": "memory",
        "memory.stat": "memory",
        "pids.max": "pids",
    }

    def write(name, text):
        (paths[files[name]] / name).write_text(text)

    for name in files:
        write(name, "")
    return {c: str(p) for c, p in paths.items()}, write


def read_text(directory, name):
    with open(os.path.join(directory, name)) as f:
        return f.read()


def test_the_cgroup_limit_counts_from_the_zygotes_pages_without_page_cache(worker, cgroup, monkeypatch):
    paths, write = cgroup
    monkeypatch.setattr(worker, "CC_ZYGOTE", None)
    write("memory.usage_in_bytes", "1000000\n")
    write("memory.stat", "cache 9\nactive_file 300000\ninactive_file 100000\nmapped_file 50000\n")
    write("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
    accounting = worker.CgroupAccounting(paths)
    assert accounting._reclaimable() == 350000
    assert accounting._oom_kills() == 2
    accounting.start({"memory_bytes": 64 << 20, "max_processes": 5}, 4096)
    memory = read_text(paths["memory"], "memory.limit_in_bytes")
    assert int(memory) == 1000000 - 350000 + (64 << 20) + 4096
    assert read_text(paths["pids"], "pids.max") == "6", "the run's processes and the zygote"
    assert accounting.check(1, cpu_limit=2.0, _memory_limit=0) is None
    write("cpuacct.usage", "2500000000\n")
    assert accounting.check(1, cpu_limit=2.0, _memory_limit=0) == "cpu_time"
    write("cpuacct.usage", "0\n")
    write("memory.oom_control", "oom_kill 3\n")
    assert accounting.check(1, cpu_limit=2.0, _memory_limit=0) == "memory"
    write("memory.max_usage_in_bytes", str(1000000 + 5 * 1024 * 1024))
    used = accounting.finish(None)
    assert used == {"cpu_s": 0.0, "memory_kb": 5 * 1024, "oom": True}


def test_without_a_cgroup_a_runs_session_is_summed_from_proc(worker, monkeypatch):
    proc = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; x = bytearray(40 << 20); sys.stdin.read()"],
        stdin=subprocess.PIPE,
        start_new_session=True,  # a run without a PID namespace is its own session
    )
    try:
        monkeypatch.setattr(worker, "PROC_FD", proc, raising=False)
        monkeypatch.setattr(worker, "OWN_PID_NS", False, raising=False)
        accounting = worker.ScanAccounting()
        accounting.start({}, 0)
        for _ in range(200):  # until the child has touched its 40 MiB
            if accounting.check(child.pid, cpu_limit=60, memory_limit=1 << 40) is None and accounting.peak_kb > 40000:
                break
            threading.Event().wait(0.02)
        assert 40000 < accounting.peak_kb < 400000, accounting.peak_kb
        assert accounting.check(child.pid, cpu_limit=60, memory_limit=1 << 20) == "memory"
        assert accounting.check(child.pid, cpu_limit=-1, memory_limit=1 << 40) == "cpu_time"
        assert list(accounting._members(child.pid)) == [str(child.pid)]
    finally:
        child.communicate(b"")
        os.close(proc)


def test_a_status_field_is_read_in_kilobytes(worker):
    fd = os.open("/proc/self/status", os.O_RDONLY)
    try:
        assert worker._status_kb(fd, b"VmRSS:") > 1000
        assert worker._status_kb(fd, b"NoSuchField:") == 0
    finally:
        os.close(fd)
