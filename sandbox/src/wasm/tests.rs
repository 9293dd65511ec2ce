//! The wasm backend against hostile and ordinary programs: every verdict, both problem kinds,
//! what the guest can and cannot reach, what one run leaves the next, fuel determinism and
//! the compiled snapshot's cache. These need python.wasm (`scripts/setup-wasm`); without it
//! they fail with the install hint.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use super::runtime::C_STACK_EXHAUSTED;
use crate::{
    locate_wasm_python, Backend, Execution, Limits, Outcome, ProgramKind, Sandbox, SandboxConfig,
    Termination,
};

fn module() -> PathBuf {
    locate_wasm_python(None).unwrap_or_else(|e| panic!("the wasm tests need python.wasm: {e}"))
}

fn config() -> SandboxConfig {
    let mut config = SandboxConfig::wasm(Some(module()));
    config.workers = 2;
    config
}

/// One sandbox for the whole test binary: starting one loads the compiled snapshot and runs
/// three calibration programs.
fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| Sandbox::start(config()).expect("the wasm sandbox starts"))
}

fn limits() -> Limits {
    Limits::new(Duration::from_secs(2), 256, 1)
}

fn run_with(kind: ProgramKind, code: &str, stdin: &[u8], limits: Limits) -> Outcome {
    sandbox()
        .run(&Execution::new(kind, code, stdin, limits))
        .expect("the sandbox runs it")
}

fn stdio(code: &str, stdin: &[u8]) -> Outcome {
    run_with(ProgramKind::Stdio, code, stdin, limits())
}

fn function(entry: &str, code: &str, stdin: &[u8]) -> Outcome {
    let kind = ProgramKind::Function {
        entry_point: entry.into(),
    };
    run_with(kind, code, stdin, limits())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_sandbox_says_what_it_is() {
    let s = sandbox();
    assert_eq!(s.backend(), Backend::Wasm);
    assert_eq!(s.python_version(), "3.12.0 (wasm32-wasi)");
    assert!(s.uids().is_empty());
    assert!(s.interpreter().is_none());
    assert_eq!(s.workers(), 2);
    assert_eq!(s.isolation().backend, Backend::Wasm);
    assert_eq!(s.isolation().accounting, crate::Accounting::WasmFuel);
    assert!(s.isolation().warnings.is_empty(), "{:?}", s.isolation());
    let fingerprint = s.fingerprint();
    assert!(fingerprint.starts_with("backend wasm\n"), "{fingerprint}");
    assert!(fingerprint.contains(super::limits::CALIBRATED_SHA256));
    assert!(fingerprint.contains(&super::limits::FUEL_PER_CPU_MS.to_string()));
    assert_eq!(fingerprint, s.fingerprint());
}

#[test]
fn a_stdio_program_reads_stdin_and_writes_stdout() {
    let outcome = stdio("a, b = map(int, input().split())\nprint(a + b)\n", b"3 4\n");
    assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
    assert_eq!(outcome.stdout, b"7\n");
    assert_eq!(outcome.exit_code, Some(0));
    let outcome = stdio(
        "import sys\nprint(__name__, sys.argv)\nprint(sys.stdin.read())",
        b"rest\n",
    );
    assert_eq!(text(&outcome.stdout), "__main__ ['solution.py']\nrest\n\n");
}

#[test]
fn syntax_errors_and_missing_entry_points_are_compile_errors() {
    let outcome = stdio("def f(:\n    pass\n", b"");
    let Termination::CompileError { message } = &outcome.termination else {
        panic!("{outcome:?}");
    };
    assert!(message.contains("SyntaxError"), "{message}");
    let outcome = function("solve", "def other():\n    return 1\n", b"");
    assert_eq!(
        outcome.termination,
        Termination::CompileError {
            message: "entry point `solve` not found".into()
        }
    );
    // A name the prelude provides is not the program's entry point.
    let outcome = function("add", "x = 1\n", b"");
    assert!(matches!(
        outcome.termination,
        Termination::CompileError { .. }
    ));
}

#[test]
fn exceptions_and_exit_statuses_are_runtime_errors() {
    let outcome = stdio(
        "import sys\nprint('out')\nprint('err', file=sys.stderr)\ndef g(x):\n    return 1 / x\ng(0)\n",
        b"",
    );
    assert_eq!(
        outcome.termination,
        Termination::RuntimeError {
            detail: "ZeroDivisionError".into()
        }
    );
    assert_eq!(outcome.stdout, b"out\n");
    let stderr = text(&outcome.stderr);
    assert!(stderr.starts_with("err\nTraceback"), "{stderr}");
    assert!(
        stderr.contains("File \"solution.py\", line 5, in g"),
        "{stderr}"
    );
    assert!(!stderr.contains("sstar-report"), "{stderr}");
    let cases = [
        ("import sys\nsys.exit(3)", 3),
        ("import sys\nsys.exit(200)", 200),
        ("raise SystemExit('bad input')", 1),
        ("import os\nos._exit(255)", 255),
        ("import os\nos._exit(300)", 44),
    ];
    for (code, status) in cases {
        let outcome = stdio(code, b"");
        assert_eq!(
            outcome.termination,
            Termination::RuntimeError {
                detail: format!("exit code {status}")
            },
            "{code}"
        );
    }
    assert_eq!(
        text(&stdio("raise SystemExit('bad input')", b"").stderr),
        "bad input\n"
    );
    for code in ["import sys\nsys.exit(0)", "exit()", "quit(None)"] {
        assert_eq!(
            stdio(code, b"").termination,
            Termination::Finished,
            "{code}"
        );
    }
    let outcome = stdio("import numpy", b"");
    assert_eq!(
        outcome.termination,
        Termination::RuntimeError {
            detail: "ModuleNotFoundError".into()
        }
    );
}

#[test]
fn a_program_cannot_forge_the_report() {
    // Whatever a program writes on stderr is its own stderr, not the runner's report.
    let code = "import sys\nsys.stderr.write('{\"outcome\": \"ok\"}')\nsys.stderr.flush()\nraise KeyError(1)";
    let outcome = stdio(code, b"");
    assert_eq!(
        outcome.termination,
        Termination::RuntimeError {
            detail: "KeyError".into()
        }
    );
    assert!(text(&outcome.stderr).starts_with("{\"outcome\": \"ok\"}"));
}

#[test]
fn function_problems_get_the_prelude_and_return_json() {
    let outcome = function(
        "add",
        "def add(a, b):\n    return [a + b, inf, -inf, (1, 2), {3}, gcd(12, 18)]\n",
        b"1\n2\n",
    );
    assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
    let value = outcome.returned.expect("a value");
    assert_eq!(value.to_string(), "[3,Infinity,-Infinity,[1,2],[3],6]");
    // Python's JSON in the arguments too, and huge integers.
    let outcome = function(
        "Solution.twice",
        "class Solution:\n    def twice(self, x, big):\n        return [x * 2, big + 1]\n",
        format!("Infinity\n{}\n", "9".repeat(5000)).as_bytes(),
    );
    let value = outcome.returned.expect("a value");
    assert_eq!(value[0].to_string(), "Infinity");
    assert_eq!(value[1].to_string(), format!("1{}", "0".repeat(5000)));
    // LeetCode starters that name only the method find Solution's.
    let outcome = function(
        "solve",
        "class Solution:\n    def solve(self, s):\n        return s[::-1]\n",
        b"\"abc\"\n",
    );
    assert_eq!(outcome.returned, Some(serde_json::json!("cba")));
    let outcome = function("f", "def f():\n    return [][1]\n", b"");
    assert_eq!(
        outcome.termination,
        Termination::RuntimeError {
            detail: "IndexError".into()
        }
    );
}

#[test]
fn cpu_time_is_counted_in_fuel_and_stops_a_spinning_program() {
    let mut limits = limits();
    limits.cpu = Duration::from_millis(50);
    let outcome = run_with(ProgramKind::Stdio, "while True:\n    pass\n", b"", limits);
    assert_eq!(outcome.termination, Termination::TimeLimit { wall: false });
    assert_eq!(outcome.cpu, limits.cpu);
}

#[test]
fn the_same_program_burns_the_same_fuel_every_time() {
    let code = "d = {}\nfor i in range(20000):\n    d[str(i)] = i * i\nprint(sum(len(k) for k in d), hash('abc'))\n";
    let first = stdio(code, b"");
    assert_eq!(first.termination, Termination::Finished, "{first:?}");
    assert!(first.cpu > Duration::ZERO);
    for _ in 0..2 {
        let again = stdio(code, b"");
        assert_eq!((again.cpu, &again.stdout), (first.cpu, &first.stdout));
    }
    let mut limits = limits();
    limits.cpu = Duration::from_millis(20);
    let spin = "i = 0\nwhile True:\n    i += 1\n    if i % 100000 == 0:\n        print(i)\n";
    let first = run_with(ProgramKind::Stdio, spin, b"", limits);
    let again = run_with(ProgramKind::Stdio, spin, b"", limits);
    assert_eq!(first.termination, Termination::TimeLimit { wall: false });
    assert_eq!(
        first.stdout, again.stdout,
        "stopped at the same instruction"
    );
}

#[test]
fn sleepers_are_held_to_the_wall_limit_without_sleeping_it() {
    let mut limits = limits();
    limits.cpu = Duration::from_millis(500);
    limits.wall = Duration::from_secs(60);
    let code = "import time\nt = time.monotonic()\ntime.sleep(0.05)\nprint(time.monotonic() - t >= 0.05)\n";
    let outcome = run_with(ProgramKind::Stdio, code, b"", limits);
    assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
    assert_eq!(outcome.stdout, b"True\n");
    // A sleep that would pass the wall limit ends the run at once (one that slept would hold
    // this test for an hour, past any CI's patience).
    for code in [
        "import time\ntime.sleep(3600)",
        "import select\nselect.select([], [], [], 3600)",
    ] {
        let outcome = run_with(ProgramKind::Stdio, code, b"", limits);
        assert_eq!(
            outcome.termination,
            Termination::TimeLimit { wall: true },
            "{code}"
        );
    }
    // Lock waits spin in this threadless build: they burn fuel, so they end at the CPU limit.
    limits.cpu = Duration::from_millis(50);
    let code = "import threading\nthreading.Event().wait(3600)";
    let outcome = run_with(ProgramKind::Stdio, code, b"", limits);
    assert_eq!(outcome.termination, Termination::TimeLimit { wall: false });
    // Sleeps add up, with the CPU time spent between them.
    limits.wall = Duration::from_millis(500);
    let code = "import time\nwhile True:\n    time.sleep(0.1)\n    print('z', flush=True)";
    let outcome = run_with(ProgramKind::Stdio, code, b"", limits);
    assert_eq!(outcome.termination, Termination::TimeLimit { wall: true });
    assert!((1..=5).contains(&(outcome.stdout.len() / 2)), "{outcome:?}");
}

#[test]
fn memory_past_the_limit_is_a_memory_limit() {
    for code in [
        "x = bytearray(300 << 20)",
        // Above 2**31-1, wasm32 CPython raises OverflowError; 64-bit CPython, MemoryError.
        "x = bytearray(10**10)",
        "x = [0] * (10**10)",
        "xs = []\nwhile True:\n    xs.append([0] * 100000)",
        "s = 'x' * (400 << 20)",
    ] {
        let outcome = stdio(code, b"");
        assert_eq!(
            outcome.termination,
            Termination::MemoryLimit,
            "{code}: {outcome:?}"
        );
    }
    let outcome = stdio("x = bytearray(100 << 20)\nprint(len(x))", b"");
    assert_eq!(outcome.termination, Termination::Finished);
    // Linear memory, beyond what a trivial program ends with (some of which was free).
    assert!(
        (90 << 10..120 << 10).contains(&outcome.memory_kb),
        "{}",
        outcome.memory_kb
    );
    // Caught, a MemoryError is the program's business, as natively.
    let outcome = stdio(
        "try:\n    x = bytearray(300 << 20)\nexcept MemoryError:\n    print('caught')",
        b"",
    );
    assert_eq!(outcome.termination, Termination::Finished);
    assert_eq!(outcome.stdout, b"caught\n");
}

#[test]
fn output_past_the_limit_stops_the_run_and_stderr_is_cut() {
    let outcome = stdio("while True:\n    print('x' * 1000)", b"");
    assert_eq!(outcome.termination, Termination::OutputLimit);
    assert_eq!(outcome.stdout.len(), 1 << 20);
    let outcome = stdio(
        "import sys\nfor _ in range(3000):\n    print('e' * 1000, file=sys.stderr)\nprint('done')",
        b"",
    );
    assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
    assert_eq!(outcome.stdout, b"done\n");
    assert_eq!(outcome.stderr.len(), 1 << 20);
    assert!(outcome.stderr_truncated);
    // A huge return value counts against the output limit too.
    let outcome = function("f", "def f():\n    return 'y' * (2 << 20)\n", b"");
    assert_eq!(outcome.termination, Termination::OutputLimit);
}

#[test]
fn files_and_arguments_are_visible_and_nothing_else_of_the_host() {
    let mut execution = Execution::new(
        ProgramKind::Stdio,
        "import os, sys\nprint(sys.argv[1:])\nprint(open(sys.argv[1]).read())\nprint(sorted(os.listdir('/')), sorted(os.listdir('.')))\ntry:\n    open('new.txt', 'w')\nexcept OSError as e:\n    print(type(e).__name__)\ntry:\n    open('/etc/passwd')\nexcept OSError as e:\n    print(type(e).__name__)\n",
        b"",
        limits(),
    );
    execution.files = vec![
        ("expected.txt".into(), b"42".to_vec()),
        ("input.txt".into(), b"1 2".to_vec()),
    ];
    execution.args = vec!["expected.txt".into(), "two words".into()];
    let outcome = sandbox().run(&execution).expect("runs");
    assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
    assert_eq!(
        text(&outcome.stdout),
        "['expected.txt', 'two words']\n42\n['expected.txt', 'input.txt'] ['expected.txt', 'input.txt']\nPermissionError\nFileNotFoundError\n"
    );
}

#[test]
fn the_guest_sees_no_environment_no_host_files_and_no_network() {
    assert!(
        std::env::var_os("PATH").is_some(),
        "the host has an environment"
    );
    let outcome = stdio("import os\nprint(dict(os.environ))", b"");
    assert_eq!(outcome.stdout, b"{}\n");
    let code = "import os\nfor path in ['/', '/etc', '/tmp', '/proc/self', '/home', '..']:\n    try:\n        print(path, os.listdir(path))\n    except OSError as e:\n        print(path, type(e).__name__)\nfor path in ['/etc/passwd', '/proc/self/environ', '../etc/passwd']:\n    try:\n        open(path)\n        print(path, 'OPENED')\n    except OSError as e:\n        print(path, type(e).__name__)\n";
    let outcome = stdio(code, b"");
    let said = text(&outcome.stdout);
    assert!(!said.contains("OPENED"), "{said}");
    // `/` is the run's working directory, empty when it has no files; nothing else lists.
    assert!(said.starts_with("/ []\n"), "{said}");
    assert_eq!(said.matches('[').count(), 1, "{said}");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let code = format!(
        "import socket\ntry:\n    socket.socket(socket.AF_INET, socket.SOCK_STREAM).connect(('127.0.0.1', {port}))\n    print('CONNECTED')\nexcept OSError as e:\n    print(type(e).__name__, e.errno)\n"
    );
    let outcome = stdio(&code, b"");
    assert_eq!(text(&outcome.stdout), "OSError 58\n", "{outcome:?}"); // ENOTSUP
    assert!(listener.accept().is_err(), "nothing connected");
}

#[test]
fn deep_recursion_through_c_frames_says_it_is_unsupported() {
    let code = "import sys, functools\nsys.setrecursionlimit(100000)\n@functools.lru_cache(None)\ndef f(n):\n    return 0 if n == 0 else f(n - 1) + 1\nprint(f(5000))\n";
    let outcome = stdio(code, b"");
    assert_eq!(
        outcome.termination,
        Termination::RuntimeError {
            detail: C_STACK_EXHAUSTED.into()
        }
    );
    // Where this build's C recursion limit stops a program first, the detail says so too.
    let code = "import sys\nsys.setrecursionlimit(100000)\nx = []\nfor _ in range(3000):\n    x = [x]\nprint(len(repr(x)))\n";
    let Termination::RuntimeError { detail } = stdio(code, b"").termination else {
        panic!("not a runtime error");
    };
    assert!(
        detail.starts_with("RecursionError (wasm: C recursion limit"),
        "{detail}"
    );
    // A plain Python recursion error is just that.
    let code = "def f(n):\n    return f(n + 1)\nf(0)\n";
    assert_eq!(
        stdio(code, b"").termination,
        Termination::RuntimeError {
            detail: "RecursionError".into()
        }
    );
    // Recursion in plain Python frames is not limited by the C stack.
    let code = "import sys\nsys.setrecursionlimit(100000)\ndef f(n):\n    return 0 if n == 0 else f(n - 1) + 1\nprint(f(50000))\n";
    let outcome = stdio(code, b"");
    assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
    assert_eq!(outcome.stdout, b"50000\n");
}

#[test]
fn started_threads_run_to_completion_at_once() {
    let code = "import threading, sys\nthreading.stack_size(1 << 26)\nsys.setrecursionlimit(10**6)\ndef main():\n    print('in thread', threading.current_thread() is not None)\nt = threading.Thread(target=main)\nt.start()\nt.join()\nprint('joined', t.is_alive())\n";
    let outcome = stdio(code, b"");
    assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
    assert_eq!(text(&outcome.stdout), "in thread True\njoined False\n");
    // An exception in a thread is printed and does not fail the program, as natively.
    let code = "import threading\nthreading.Thread(target=lambda: 1 / 0).start()\nprint('after')\n";
    let outcome = stdio(code, b"");
    assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
    assert_eq!(outcome.stdout, b"after\n");
    assert!(text(&outcome.stderr).contains("ZeroDivisionError"));
}

#[test]
fn random_starts_from_the_process_backends_seed() {
    // Warm workers seed `random` with 0; so does the driver, on first import.
    let outcome = stdio("import random\nprint(random.random())", b"");
    assert_eq!(outcome.stdout, b"0.8444218515250481\n");
}

#[test]
fn nothing_a_run_changes_reaches_the_next() {
    // Every run is a fresh copy of the snapshot: what one run does to the interpreter (loaded
    // modules, their attributes, random's state, limits, the environment, builtins) is gone
    // in the next.
    let code = "import sys, os, random, collections
print(random.random(), 'planted' in sys.modules, hasattr(collections, 'planted'), sys.getrecursionlimit(), dict(os.environ))
sys.modules['planted'] = sys
collections.planted = True
sys.setrecursionlimit(12345)
os.environ['PLANTED'] = '1'
random.random()
import builtins
builtins.print = None
";
    let first = stdio(code, b"");
    assert_eq!(first.termination, Termination::Finished, "{first:?}");
    assert_eq!(
        text(&first.stdout),
        "0.8444218515250481 False False 1000 {}\n"
    );
    let second = stdio(code, b"");
    assert_eq!(second.stdout, first.stdout, "{second:?}");
}

#[test]
fn runs_proceed_in_parallel_from_many_threads() {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6)
            .map(|i| {
                scope.spawn(move || {
                    let input = format!("{i} {i}\n");
                    let outcome = stdio(
                        "a, b = map(int, input().split())\nprint(a * b)",
                        input.as_bytes(),
                    );
                    assert_eq!(text(&outcome.stdout), format!("{}\n", i * i));
                })
            })
            .collect();
        for handle in handles {
            handle.join().expect("no panic");
        }
    });
}

#[test]
fn a_second_start_loads_the_compiled_module_from_the_cache() {
    let cache = crate::cache_dir::private("wasm").expect("a private cache directory");
    let start =
        || super::WasmRuntime::start(&module(), 1, Some(&cache), no_packages()).expect("starts");
    let first = start();
    drop(first);
    assert_eq!(start().compiled(), &super::Compiled::Cached);
}

#[test]
fn runs_from_inside_an_async_runtime() {
    // WASI's host calls block on a tokio runtime of their own: a caller on an async task must
    // not make them panic.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let outcome = runtime.block_on(async { stdio("print(input())", b"async\n") });
    assert_eq!(outcome.stdout, b"async\n");
}

fn no_packages() -> crate::packages::Offered {
    let python = crate::Interpreter {
        executable: std::path::PathBuf::new(),
    };
    crate::packages::Offered::from_env(&python, true)
}
