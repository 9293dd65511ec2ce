"""The zygote's warm state: the standard library imported, the prelude run once into the
module judged programs run in, and the std streams every run starts with (see warm_up).
"""

import os
import sys


# What contest programs and the function prelude use. Every module kept warm makes each fork
# (and each run's exit) slower, so heavier ones (hashlib, pprint, dataclasses, …) load on use.
PRELOAD = """array bisect collections copy datetime decimal enum fractions functools heapq io itertools
json math operator random re statistics string typing""".split()
FAST_CLONE = True


def warm_up():
    """In the zygote only (the supervisor needs none of it): import what runs use, then
    freeze the heap so its pages stay shared with every run."""
    global random, threading, traceback, types, FAST_CLONE, PRELUDE_MODULE, PRELUDE_NAMES, PRELUDE_RECURSION
    for name in PRELOAD + CONFIG.get("preload", []):
        try:
            __import__(name)
        except ImportError:
            pass
    import atexit  # noqa: F401  warmed for every run (program_io.py)
    import io  # noqa: F401
    import random
    import site
    import threading
    import traceback
    import types

    # -S skips site.main(): the builtins it adds (exit, quit, help, copyright, credits,
    # license) are added here, as a normal start has them; nothing else of site runs.
    site.setquit()
    site.sethelper()
    site.setcopyright()
    # Runs skip CPython's at-fork reseeding (see _clone_run): one fixed `random` state for
    # every run on every worker, so a program using it gets the same verdict wherever it runs.
    random.seed(0)
    # The raw clone in _clone_run skips CPython's fork hooks, sound only while the zygote has
    # one thread (a preloaded module could start one): otherwise the hooks run around it.
    FAST_CLONE = threading.active_count() == 1
    # Our 1 GiB RLIMIT_STACK (room for deep recursion on the main thread) would also become
    # glibc's default thread stack and break thread creation under the memory limit.
    threading.stack_size(8 << 20)
    # The prelude runs once, here, into the module a judged run runs its program in: the run
    # gets its own copy of it with the fork. Binding its ~600 names afresh in each run would
    # write to the page of every object it names (their reference counts), ~260 copy-on-write
    # faults and ~0.7 ms a run; this way a run writes only the module's own dictionary.
    limit = sys.getrecursionlimit()
    PRELUDE_MODULE = _main_module()
    exec(PRELUDE, PRELUDE_MODULE.__dict__)
    PRELUDE_NAMES = dict(PRELUDE_MODULE.__dict__)
    PRELUDE_RECURSION = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    global STREAMS
    STREAMS = _prebuilt_streams()
    import gc

    gc.collect()
    gc.freeze()


# What `from sys import *` binds that each run has its own of (its streams, its argv); every
# other name the prelude binds is the same object in every run (modules, functions, constants,
# and `sys.path`, which runs change in place).
PRELUDE_PER_RUN = ("stdin", "stdout", "stderr", "argv")
PRELUDE_MODULE = None  # the zygote's `__main__` after the prelude (see warm_up)
PRELUDE_NAMES = {}  # what it held then, for the entry point's lookup
PRELUDE_RECURSION = 1000


STREAMS = None  # the std streams every run starts with (see _prebuilt_streams)


def _prebuilt_streams():
    """A run's std streams, built once here rather than in each run (three text streams cost
    a run about 0.2 ms, most of it copy-on-write faults). They are built on descriptors of the
    kinds a run's are (stdin a memfd at its start, stdout and stderr pipes), so what they learn
    of them when made (seekable or not, the position) is what a run's own streams would; each
    run gets its own unused copy with the fork."""
    own_stderr = sys.stderr
    stdin = os.memfd_create("stdin", 0)
    pipes = [os.pipe() for _ in range(2)]
    saved = []
    for target, fd in zip((0, 1, 2), (stdin, pipes[0][1], pipes[1][1])):
        try:
            saved.append(os.dup(target))
        except OSError:
            saved.append(None)
        os.dup2(fd, target)
    try:
        _std_streams()
        return sys.stdin, sys.stdout, sys.stderr
    finally:
        for target, fd in zip((0, 1, 2), saved):
            if fd is None:
                os.close(target)
            else:
                os.dup2(fd, target)
                os.close(fd)
        for fd in (stdin, *pipes[0], *pipes[1]):
            os.close(fd)
        sys.stdin = sys.stdout = None
        sys.stderr = own_stderr


def _judged_module():
    """The module a judged program runs in: this run's copy of the zygote's, as if PRELUDE
    had just run in it here."""
    for name in PRELUDE_PER_RUN:
        PRELUDE_MODULE.__dict__[name] = getattr(sys, name)
    sys.setrecursionlimit(PRELUDE_RECURSION)
    return PRELUDE_MODULE
