"""Accounting: the CPU time, memory and tasks of a run as a whole, counted in the slot's
cgroup (CgroupAccounting) or, without a writable one, summed over the run's processes in
/proc (ScanAccounting); and the memory a run may use beyond its limit.

Which one the worker uses (ACCOUNTING) is chosen at start (main.py), where PROC_FD, the
handle on the host's /proc kept from before the chroot, is opened too.
"""

import os


def _pread_int(fd):
    return int(os.pread(fd, 64, 0).split()[0])


class CgroupAccounting:
    """The slot's cgroup (v1), opened before the chroot. The zygote is moved into it, so every
    run and everything a run starts is counted; the counters are reset before each run."""

    name = "cgroup"

    def __init__(self, paths):
        def at(controller, name, flags):
            return os.open(os.path.join(paths[controller], name), flags)

        self.cpu = at("cpuacct", "cpuacct.usage", os.O_RDWR)
        self.usage = at("memory", "memory.usage_in_bytes", os.O_RDONLY)
        self.peak = at("memory", "memory.max_usage_in_bytes", os.O_RDWR)
        self.limit = at("memory", "memory.limit_in_bytes", os.O_WRONLY)
        self.oom = at("memory", "memory.oom_control", os.O_RDONLY)
        self.stat = at("memory", "memory.stat", os.O_RDONLY)
        self.tasks = at("pids", "pids.max", os.O_WRONLY)
        self.procs = [at(c, "cgroup.procs", os.O_WRONLY) for c in ("memory", "pids", "cpuacct")]
        self.floor = None

    def join(self, pid):
        """Move a zygote into the slot's cgroup (its runs are then born there)."""
        for fd in self.procs:
            os.write(fd, str(pid).encode())

    def release_join(self):
        for fd in self.procs:
            os.close(fd)
        self.procs = []

    def _oom_kills(self):
        for line in os.pread(self.oom, 4096, 0).split(b"\n"):
            if line.startswith(b"oom_kill "):
                return int(line.split()[1])
        return 0

    def _reclaimable(self):
        """Bytes charged to the slot for file pages no process maps: clean page cache the
        kernel takes back before it stops a run for memory."""
        stat = {}
        for line in os.pread(self.stat, 16384, 0).split(b"\n"):
            key, _, value = line.partition(b" ")
            if value:
                stat[key] = int(value)
        files = stat.get(b"active_file", 0) + stat.get(b"inactive_file", 0)
        return max(0, files - stat.get(b"mapped_file", 0))

    def start(self, req, allowance):
        """Reset the counters and set this run's limits. The limit counts from a floor taken
        once, at the first run: the warm zygote's own pages, without the page cache charged
        so far. That cache is clean, and the kernel reclaims it when a run needs the room;
        counted in the floor, it would be room for the run on top of its limit (a zygote that
        started on a cold cache had read the whole standard library), and counted from what is
        charged at each run, every file an earlier run read would raise the next run's limit."""
        os.write(self.cpu, b"0")
        if self.floor is None:
            self.floor = _pread_int(self.usage) - self._reclaimable()
        # The run's own program, plus copies of the warm interpreter's pages it writes to.
        os.write(self.limit, str(self.floor + req["memory_bytes"] + allowance).encode())
        self.base = _pread_int(self.usage)
        os.write(self.peak, b"0")
        # + the zygotes
        os.write(self.tasks, str(req.get("max_processes", 32) + (2 if CC_ZYGOTE else 1)).encode())
        self.oom_before = self._oom_kills()

    def check(self, _pid, cpu_limit, _memory_limit):
        """Why the run must be stopped now, if it must. The kernel enforces the memory limit
        by killing one process; the run ends with it (a judge stops a program at its first
        memory-limit kill, wherever it happened)."""
        if _pread_int(self.cpu) / 1e9 > cpu_limit:
            return "cpu_time"
        return "memory" if self._oom_kills() > self.oom_before else None

    def finish(self, _rusage):
        peak = max(0, _pread_int(self.peak) - self.base)
        oom = self._oom_kills() > self.oom_before
        return {"cpu_s": _pread_int(self.cpu) / 1e9, "memory_kb": peak // 1024, "oom": oom}


class ScanAccounting:
    """No writable cgroup: sum over the processes of the run's PID namespace (or, without one,
    of its session), polled with the CPU check. Approximate: what a process uses between two
    polls and takes with it when it exits unwaited is missed."""

    name = "process_scan"

    def join(self, _pid):
        pass

    def release_join(self):
        pass

    def start(self, _req, _allowance):
        self.key = None
        self.cpu_s = 0.0
        self.peak_kb = 0

    def _members(self, pid):
        if self.key is None:
            if not OWN_PID_NS:
                self.key = ("sid", str(pid).encode())
            else:
                try:
                    self.key = ("ns", os.readlink(f"{pid}/ns/pid", dir_fd=PROC_FD))
                except OSError:
                    return []
        kind, value = self.key
        for name in os.listdir(PROC_FD):
            if not name.isdigit():
                continue
            try:
                if kind == "ns" and os.readlink(f"{name}/ns/pid", dir_fd=PROC_FD) == value:
                    yield name
                elif kind == "sid" and _proc_read(name, "stat").rsplit(b")", 1)[1].split()[3] == value:
                    yield name
            except (OSError, IndexError):
                continue

    def check(self, pid, cpu_limit, memory_limit):
        """One pass over the run's processes: CPU (their own and their reaped children's)
        and anonymous resident memory, summed."""
        ticks = rss_kb = 0
        for name in self._members(pid):
            try:
                fields = _proc_read(name, "stat").rsplit(b")", 1)[1].split()
                ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
                for line in _proc_read(name, "status").split(b"\n"):
                    if line.startswith(b"RssAnon:"):
                        rss_kb += int(line.split()[1])
            except (OSError, IndexError, ValueError):
                continue
        self.cpu_s = max(self.cpu_s, ticks / CLOCK_TICKS)
        self.peak_kb = max(self.peak_kb, rss_kb)
        if self.cpu_s > cpu_limit:
            return "cpu_time"
        return "memory" if rss_kb * 1024 > memory_limit else None

    def finish(self, rusage):
        cpu = max(self.cpu_s, rusage.ru_utime + rusage.ru_stime)
        return {"cpu_s": cpu, "memory_kb": max(self.peak_kb, rusage.ru_maxrss), "oom": False}


def _proc_read(name, what):
    """/proc/NAME/WHAT of the host, read through the handle kept from before the chroot."""
    fd = os.open(f"{name}/{what}", os.O_RDONLY, dir_fd=PROC_FD)
    try:
        return os.read(fd, 8192)
    finally:
        os.close(fd)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# What a native run's first process, which only waits for the program, writes of the pages it
# shares with the zygote (about 1 MiB measured): the program gets its memory limit, not the
# warm interpreter's allowance on top.
NATIVE_ALLOWANCE = 2 << 20


def _allowance(req):
    """Memory a run may use beyond its limit: copies of the zygote's pages it writes to. (A
    scan without a cgroup counts every page PID 1 holds, shared or not: the full allowance.)"""
    native = req["kind"] == "native" and isinstance(ACCOUNTING, CgroupAccounting)
    return NATIVE_ALLOWANCE if native else ALLOWANCE


ALLOWANCE = 0  # pages a run may copy from the warm interpreter (the zygote's resident size; see main)
