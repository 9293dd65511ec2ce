//! What to run and under which limits: the request half of the sandbox interface.

use std::time::Duration;

use crate::language::Language;

/// What a judged program finds before its own code: LiveCodeBench's prelude, statement for
/// statement (its grader prepends the same lines to every program it runs, function and
/// stdio alike). The star-imports end with `from builtins import *`, so `pow`, `min` and the
/// other builtins are the builtins again after `from math import *`; then the modules by name
/// and the recursion limit. The worker runs it, and anything that must behave like the judge
/// (e.g. an importer computing expected values) gets it from here.
pub const PRELUDE: &str = "from string import *
from re import *
from datetime import *
from collections import *
from heapq import *
from bisect import *
from copy import *
from math import *
from random import *
from statistics import *
from itertools import *
from functools import *
from operator import *
from io import *
from sys import *
from json import *
from builtins import *
from typing import *
import string
import re
import datetime
import collections
import heapq
import bisect
import copy
import math
import random
import statistics
import itertools
import functools
import operator
import io
import sys
import json
sys.setrecursionlimit(50000)
";

/// Python source of how the judge calls a `function` program (entry point lookup, return-value
/// encoding). The worker runs it; a harness computing expected values prepends it to itself.
pub const FUNCTION_CALLS: &str = include_str!("../python/calls.py");

/// Python source both backends' runners are prepended with: a program's std streams, its exit,
/// its stdin read whole (one copy, so both give a program the same interpreter around it).
pub(crate) const PROGRAM_IO: &str = include_str!("../python/program_io.py");

/// Python source both backends' runners are prepended with after [`PROGRAM_IO`]: a program's
/// code run in its module and how it ended reported (one runner, so both backends give the
/// same verdict; each passes in what is its own).
pub(crate) const RUNNER: &str = include_str!("../python/runner.py");

/// How a program is invoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgramKind {
    /// Run as `__main__` with the input as stdin.
    Stdio,
    /// Call `entry_point` (`name` or `Class.method`) with one JSON argument per input line,
    /// after the [`PRELUDE`]; the return value comes back on its own channel.
    Function { entry_point: String },
}

/// Resource limits for one execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// CPU time (user + system) of the program.
    pub cpu: Duration,
    /// Wall-clock time, for programs that sleep or block.
    pub wall: Duration,
    /// Memory the program may allocate beyond the warm interpreter it starts from.
    pub memory_bytes: u64,
    /// Bytes of stdout (and, dropped beyond it, stderr); also the largest file it may write.
    pub output_bytes: u64,
    /// Processes and threads the program's uid may have at once (enforced when run as root).
    pub max_processes: u32,
}

impl Limits {
    /// Limits from a CPU budget and memory/output sizes in MiB, with the wall limit derived
    /// as twice the CPU limit plus a second: sleepers are stopped, busy machines do not flake.
    /// Conversions saturate: a shift would wrap a huge size to 0 bytes, failing every program
    /// (callers keep sizes in range; problem files are checked when loaded).
    pub fn new(cpu: Duration, memory_mb: u64, output_mb: u64) -> Self {
        Self {
            cpu,
            wall: cpu.saturating_mul(2).saturating_add(Duration::from_secs(1)),
            memory_bytes: memory_mb.saturating_mul(1 << 20),
            output_bytes: output_mb.saturating_mul(1 << 20),
            max_processes: 32,
        }
    }
}

/// What a program finds around it beyond the bare interpreter and its standard library.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// A program the judge runs as a candidate: the [`PRELUDE`] runs before it (stdio too),
    /// and it imports only the standard library and `packages`, never the interpreter's own
    /// site-packages, so a verdict does not depend on what else the host has installed.
    /// Otherwise (sstar's own helpers: checkers, input generators, harnesses, `fix`'s test
    /// command) the bare interpreter with its site-packages; a function program always gets
    /// the prelude (its entry point is looked up past the prelude's names).
    pub judged: bool,
    /// Packages of the pinned set ([`crate::packages`]) the program may import, by name.
    pub packages: Vec<String>,
}

impl Environment {
    /// How the judge runs a candidate: after the prelude, with `packages` importable.
    pub fn judged(packages: &[String]) -> Self {
        Self {
            judged: true,
            packages: packages.to_vec(),
        }
    }
}

/// One program run: code, input, extra scratch files, arguments, limits.
#[derive(Debug, Clone)]
pub struct Execution<'a> {
    pub kind: ProgramKind,
    /// What `code` is written in (Python unless said otherwise).
    pub language: Language,
    pub code: &'a str,
    pub stdin: &'a [u8],
    /// Files placed in the scratch directory before the run (plain names, no slashes).
    pub files: Vec<(String, Vec<u8>)>,
    /// `sys.argv[1..]`.
    pub args: Vec<String>,
    pub limits: Limits,
    pub environment: Environment,
}

impl<'a> Execution<'a> {
    pub fn new(kind: ProgramKind, code: &'a str, stdin: &'a [u8], limits: Limits) -> Self {
        Self {
            kind,
            language: Language::Python,
            code,
            stdin,
            files: Vec::new(),
            args: Vec::new(),
            limits,
            environment: Environment::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_sizes_saturate_instead_of_wrapping_to_zero() {
        let limits = Limits::new(Duration::MAX, 1 << 44, u64::MAX);
        assert_eq!(limits.memory_bytes, u64::MAX);
        assert_eq!(limits.output_bytes, u64::MAX);
        assert_eq!(limits.wall, Duration::MAX);
        let limits = Limits::new(Duration::from_millis(1500), 256, 4);
        assert_eq!(limits.wall, Duration::from_secs(4));
        assert_eq!(limits.memory_bytes, 256 << 20);
        assert_eq!(limits.output_bytes, 4 << 20);
    }
}
