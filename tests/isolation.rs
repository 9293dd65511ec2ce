//! Runs isolated from each other, through the CLI: no run finds another's data in its memory,
//! no kernel state (IPC objects, keys) carries over, work and memory spread over child
//! processes count against the run's limits, concurrent sstar processes never share a uid,
//! and the caller's `PYTHONPATH` stays out of the sandbox. Each program is written as an
//! attacker would write it; `SSTAR_WORKERS=1` makes every run of a command share one worker.

use serde_json::Value;

use crate::common::{sstar, write_problem};

/// `sstar judge PROBLEM PROGRAM --all-tests --json` on one worker; the parsed report.
fn judge_on_one_worker(problem: &std::path::Path, program: &str, envs: &[(&str, &str)]) -> Value {
    let file = problem.join("attack.py");
    std::fs::write(&file, program).expect("write program");
    let output = sstar()
        .args(["judge", problem.to_str().expect("utf-8")])
        .arg(&file)
        .args(["--all-tests", "--json"])
        .env("SSTAR_WORKERS", "1")
        .envs(envs.iter().copied())
        .output()
        .expect("run sstar");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "bad json ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Every test's verdict, with what the program printed when it was not accepted.
fn verdicts(report: &Value) -> Vec<String> {
    report["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| t["verdict"].as_str().expect("verdict").to_owned())
        .collect()
}

fn stdio_problem(dir: &std::path::Path, time_limit_ms: u32, tests: &[(&str, &str)]) {
    let manifest = format!(
        "title = \"attack\"\nkind = \"stdio\"\ntime_limit_ms = {time_limit_ms}\nmemory_limit_mb = 256\n"
    );
    let mut files = vec![
        ("problem.toml".to_owned(), manifest),
        ("statement.md".to_owned(), "Survive.\n".to_owned()),
    ];
    for (i, (input, output)) in tests.iter().enumerate() {
        files.push((format!("tests/hidden/{i}.in"), (*input).to_owned()));
        files.push((format!("tests/hidden/{i}.out"), (*output).to_owned()));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    write_problem(dir, &files);
}

/// Makes the problem in `dir` judged by `checker.py` holding `source`.
fn use_program_checker(dir: &std::path::Path, source: &str) {
    let manifest = dir.join("problem.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(&manifest, format!("{text}checker = \"program\"\n")).expect("manifest");
    std::fs::write(dir.join("checker.py"), source).expect("checker");
}

/// Plants a marker in its output and its memory, then hunts for every other run's markers
/// (stdout of earlier runs: `ghostP<d×12>`; expected outputs only the checker was given:
/// `ghostE<d×12>`) in frames, in every object `gc` can reach (frozen ones included) and in
/// all readable memory near them, read through a pipe so unmapped pages cannot crash it.
const MEMORY_HUNTER: &str = r#"
import ctypes, gc, os, re, sys
me = sys.stdin.read().strip()
planted = "ghost" + "P" + me * 12
print(planted)
keep = [planted * 3]
pattern = re.compile(rb"ghost([PE])(\d)\2{11}")
def foreign(blob):
    if isinstance(blob, str):
        blob = blob.encode("utf-8", "replace")
    for m in pattern.finditer(blob):
        if m.group(1) == b"E" or m.group(2).decode() != me:
            return m.group(0).decode()
    return None
found = []
frame = sys._getframe()
while frame is not None:
    for name, value in list(frame.f_locals.items()) + list(frame.f_globals.items()):
        hit = foreign(repr(value)[:1 << 20])
        if hit:
            found.append(("frame " + frame.f_code.co_name, hit))
    frame = frame.f_back
gc.unfreeze()
objects = gc.get_objects()
for obj in objects:
    items = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple, set)) else ()
    for item in list(items):
        if isinstance(item, (str, bytes, bytearray)):
            hit = foreign(item)
            if hit:
                found.append(("gc", hit))
libc = ctypes.CDLL(None, use_errno=True)
libc.write.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
libc.malloc.restype = ctypes.c_void_p
r, w = os.pipe()
anchors = {id(o) for o in objects} | {libc.malloc(64), libc.malloc(1 << 20)}
regions = {(a >> 20) + d for a in anchors for d in range(-8, 9)}
CHUNK = 1 << 16
scanned = 0
for region in sorted(regions):
    for offset in range(0, 1 << 20, CHUNK):
        n = libc.write(w, (region << 20) + offset, CHUNK)
        if n <= 0:
            continue
        data = os.read(r, n)
        while len(data) < n:
            data += os.read(r, n - len(data))
        scanned += n
        hit = foreign(data)
        if hit:
            found.append(("memory", hit))
print("clean" if not found and scanned > (1 << 20) else "found %r after %d bytes" % (found[:3], scanned))
"#;

/// Accepts when the program's last line says it found nothing; the expected output, which only
/// this checker sees, carries a marker of its own for later runs to hunt.
const CLEAN_CHECKER: &str = r#"
import sys
actual = open(sys.argv[3]).read().split()
expected = open(sys.argv[2]).read()
sys.exit(0 if actual[-1:] == ["clean"] and "ghostE" in expected else 1)
"#;

/// Four tests whose expected outputs carry markers, judged by [`CLEAN_CHECKER`].
fn ghost_problem(dir: &std::path::Path) {
    let mut tests = Vec::new();
    for digit in 1..=4 {
        tests.push((
            format!("{digit}\n"),
            format!("ghostE{}\n", digit.to_string().repeat(12)),
        ));
    }
    let tests: Vec<(&str, &str)> = tests
        .iter()
        .map(|(i, o)| (i.as_str(), o.as_str()))
        .collect();
    stdio_problem(dir, 10_000, &tests);
    use_program_checker(dir, CLEAN_CHECKER);
}

#[test]
fn no_run_finds_another_runs_output_or_expected_answer_in_its_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    ghost_problem(dir.path());
    let report = judge_on_one_worker(dir.path(), MEMORY_HUNTER, &[]);
    assert_eq!(verdicts(&report), vec!["accepted"; 4], "{report:#}");
}

/// Looks for System V shared memory and message queues and a POSIX message queue that an
/// earlier run made, then makes them; tries the kernel keyring, which outlives processes.
const IPC_HUNTER: &str = r#"
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
KEY = 0x5357
found = []
if libc.shmget(KEY, 0, 0) >= 0: found.append("shm")
if libc.msgget(KEY, 0) >= 0: found.append("msg")
libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
if libc.mq_open(b"/sstar-probe", os.O_RDONLY, 0, None) >= 0: found.append("mqueue")
libc.shmget(KEY, 1 << 20, 0o1000 | 0o666)
libc.msgget(KEY, 0o1000 | 0o666)
libc.mq_open(b"/sstar-probe", os.O_RDONLY | os.O_CREAT, 0o666, None)
libc.syscall.restype = ctypes.c_long
# add_key("user", "sstar-probe", "x", 1, KEY_SPEC_USER_KEYRING) on x86_64 / aarch64
nr = {"x86_64": 248, "aarch64": 217}[os.uname().machine]
if libc.syscall(nr, b"user", b"sstar-probe", b"x", 1, -4) >= 0: found.append("keyring")
print("clean" if not found else "found " + " ".join(found))
"#;

#[test]
fn ipc_objects_and_keys_do_not_carry_over_between_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    stdio_problem(dir.path(), 2000, &[("\n", "clean\n"); 3]);
    let report = judge_on_one_worker(dir.path(), IPC_HUNTER, &[]);
    assert_eq!(verdicts(&report), vec!["accepted"; 3], "{report:#}");
}

/// Three children each burn about 0.7 s of CPU, under the per-process limit, while the parent
/// waits on a pipe (not `wait`, which would count them) and leaves them running at exit.
const CPU_IN_CHILDREN: &str = r#"
import os, time
r, w = os.pipe()
for _ in range(3):
    if os.fork() == 0:
        end = time.process_time() + 0.7
        while time.process_time() < end:
            pass
        os.write(w, b"x")
        while True:
            pass
got = b""
while len(got) < 3:
    got += os.read(r, 3)
print("done")
"#;

#[test]
fn cpu_burnt_in_children_is_a_time_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    stdio_problem(dir.path(), 1000, &[("\n", "done\n")]);
    let report = judge_on_one_worker(dir.path(), CPU_IN_CHILDREN, &[]);
    assert_eq!(verdicts(&report), vec!["time_limit_exceeded"], "{report:#}");
}

/// Four children each hold 100 MB (under the per-process limit), 400 MB against 256, all at
/// once: each waits, holding its block, until the run ends.
const MEMORY_IN_CHILDREN: &str = r#"
import os, signal
r, w = os.pipe()
kids = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        block = bytearray(100 << 20)
        for i in range(0, len(block), 4096):
            block[i] = 1
        os.write(w, b"x")
        while True:
            signal.pause()
    kids.append(pid)
got = b""
while len(got) < 4:
    got += os.read(r, 4)
print("done")
"#;

/// Shared memory is nobody's resident set: 3 × 120 MB segments, detached, left behind.
const MEMORY_IN_SHM: &str = r#"
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
for key in range(3):
    sid = libc.shmget(0, 120 << 20, 0o1000 | 0o600)
    addr = libc.shmat(sid, None, 0)
    ctypes.memset(addr, 1, 120 << 20)
    libc.shmdt(ctypes.c_void_p(addr))
print("done")
"#;

#[test]
fn memory_held_by_children_or_in_shared_memory_is_a_memory_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    stdio_problem(dir.path(), 5000, &[("\n", "done\n")]);
    for program in [MEMORY_IN_CHILDREN, MEMORY_IN_SHM] {
        let report = judge_on_one_worker(dir.path(), program, &[]);
        assert_eq!(
            verdicts(&report),
            vec!["memory_limit_exceeded"],
            "{report:#}"
        );
    }
}

/// Tries to import, open and find on `sys.path` a module in `secrets`, the caller's
/// `PYTHONPATH`.
fn pythonpath_attack(secrets: &std::path::Path) -> String {
    format!(
        "import sys\nfound = []\ntry:\n    import hidden_answers\n    found.append('import')\nexcept ImportError:\n    pass\ntry:\n    open({path:?}).read()\n    found.append('open')\nexcept OSError:\n    pass\nif any({dir:?} in p for p in sys.path):\n    found.append('sys.path')\nprint('clean' if not found else found)\n",
        path = secrets.join("hidden_answers.py").to_str().expect("utf-8"),
        dir = secrets.to_str().expect("utf-8"),
    )
}

/// `PYTHONPATH` and the report of judging [`pythonpath_attack`] with it (and `envs`).
fn judge_pythonpath_attack(envs: &[(&str, &str)]) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = tempfile::tempdir().expect("tempdir");
    std::fs::write(secrets.path().join("hidden_answers.py"), "ANSWER = 42\n").expect("write");
    stdio_problem(dir.path(), 2000, &[("\n", "clean\n")]);
    let pythonpath = secrets.path().to_str().expect("utf-8");
    let mut envs = envs.to_vec();
    envs.push(("PYTHONPATH", pythonpath));
    judge_on_one_worker(dir.path(), &pythonpath_attack(secrets.path()), &envs)
}

#[test]
fn the_callers_pythonpath_is_not_mounted() {
    let report = judge_pythonpath_attack(&[]);
    assert_eq!(verdicts(&report), vec!["accepted"], "{report:#}");
}

/// Two sstar processes judging at the same moment: each run prints its uid and when it ran;
/// where the runs overlapped in time, the uids differ. (Runs that did not overlap prove
/// nothing, so a loaded machine gets more tries rather than a false failure.)
#[test]
fn concurrent_sstar_processes_never_share_a_sandbox_uid() {
    let dir = tempfile::tempdir().expect("tempdir");
    stdio_problem(dir.path(), 5000, &[("\n", "x\n")]);
    // A checker that rejects every answer, quoting it: the report's `detail` carries it.
    use_program_checker(
        dir.path(),
        "import sys\nprint(open(sys.argv[3]).read().strip())\nsys.exit(1)\n",
    );
    let program = dir.path().join("uid.py");
    std::fs::write(
        &program,
        "import os, time\nstart = time.time()\ntime.sleep(1.5)\nprint(os.getuid(), start, time.time())\n",
    )
    .expect("write");
    for _ in 0..5 {
        let children: Vec<_> = (0..2)
            .map(|_| {
                sstar()
                    .args(["judge", dir.path().to_str().expect("utf-8")])
                    .arg(&program)
                    .args(["--all-tests", "--json"])
                    .env("SSTAR_WORKERS", "1")
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn sstar")
            })
            .collect();
        let runs: Vec<(u64, f64, f64)> = children
            .into_iter()
            .map(|child| {
                let output = child.wait_with_output().expect("wait");
                let report: Value = serde_json::from_slice(&output.stdout).expect("json");
                let said = report["tests"][0]["detail"]
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| panic!("no program output in {report:#}"));
                let fields: Vec<&str> = said.split_whitespace().collect();
                (
                    fields[0].parse().expect("uid"),
                    fields[1].parse().expect("start"),
                    fields[2].parse().expect("end"),
                )
            })
            .collect();
        let (a, b) = (runs[0], runs[1]);
        if a.1 < b.2 && b.1 < a.2 {
            assert_ne!(a.0, b.0, "two live sandboxes ran candidates as one uid");
            return;
        }
    }
    panic!("the two judges never ran at the same time in five tries");
}

/// The same attacks under `--sandbox wasm` (`SSTAR_SANDBOX=wasm`): the guest has no `ctypes`,
/// no processes and no kernel objects, so an attack that needs them ends in a runtime error
/// (never in an accepted or a hung run), and the parts that can run in the guest run.
#[cfg(feature = "wasm")]
mod wasm {
    use super::*;

    const WASM: (&str, &str) = ("SSTAR_SANDBOX", "wasm");

    /// The memory hunter minus its raw-memory scan (`ctypes` does not exist in the guest):
    /// frames and every object `gc` can reach.
    fn hunter_without_ctypes() -> String {
        let end = MEMORY_HUNTER.find("libc = ").expect("ctypes part");
        format!(
            "{}print('clean' if not found else 'found %r' % (found[:3],))\n",
            MEMORY_HUNTER[..end].replace("import ctypes, gc", "import gc")
        )
    }

    #[test]
    fn no_run_finds_another_runs_output_or_expected_answer() {
        crate::common::require_wasm_python();
        let dir = tempfile::tempdir().expect("tempdir");
        ghost_problem(dir.path());
        let report = judge_on_one_worker(dir.path(), &hunter_without_ctypes(), &[WASM]);
        assert_eq!(verdicts(&report), vec!["accepted"; 4], "{report:#}");
        // With ctypes the hunt cannot even start.
        let report = judge_on_one_worker(dir.path(), MEMORY_HUNTER, &[WASM]);
        assert_eq!(verdicts(&report), vec!["runtime_error"; 4], "{report:#}");
    }

    #[test]
    fn attacks_that_need_kernel_objects_or_processes_cannot_start() {
        crate::common::require_wasm_python();
        let dir = tempfile::tempdir().expect("tempdir");
        stdio_problem(dir.path(), 2000, &[("\n", "done\n")]);
        for program in [
            IPC_HUNTER,
            CPU_IN_CHILDREN,
            MEMORY_IN_CHILDREN,
            MEMORY_IN_SHM,
        ] {
            let report = judge_on_one_worker(dir.path(), program, &[WASM]);
            assert_eq!(
                verdicts(&report),
                vec!["runtime_error"],
                "{program}\n{report:#}"
            );
        }
    }

    #[test]
    fn the_callers_pythonpath_is_not_visible() {
        crate::common::require_wasm_python();
        let report = judge_pythonpath_attack(&[WASM]);
        assert_eq!(verdicts(&report), vec!["accepted"], "{report:#}");
    }
}

/// Runs `code` on each of `inputs`, one after another on one worker (from the eighth run on,
/// the worker loads the program's code compiled once in a run of its own).
fn runs_on_one_worker(code: &str, inputs: &[&str]) -> Vec<sstar_sandbox::Outcome> {
    use sstar_sandbox::{Execution, Interpreter, Limits, ProgramKind, Sandbox, SandboxConfig};
    let mut config = SandboxConfig::new(Interpreter::from_env().expect("python3"));
    config.workers = 1;
    let sandbox = Sandbox::start(config).expect("sandbox");
    let limits = Limits::new(std::time::Duration::from_secs(5), 256, 4);
    inputs
        .iter()
        .map(|input| {
            let run = Execution::new(ProgramKind::Stdio, code, input.as_bytes(), limits);
            sandbox.run(&run).expect("run")
        })
        .collect()
}

/// What a program can see of its own code: its names, where it says it is, its line numbers,
/// its constants and a traceback quoting its source.
const INTROSPECTS: &str = r#"
import sys
def where():
    frame = sys._getframe()
    return (__name__, __file__, frame.f_code.co_filename, frame.f_code.co_firstlineno,
            where.__code__.co_consts, where.__qualname__)
print(where())
if input() == "boom":
    raise ValueError("boom")
"#;

#[test]
fn a_program_sees_the_same_code_on_every_run_however_it_was_compiled() {
    // The first runs compile the program themselves; from the eighth on they load it compiled.
    let inputs = ["boom", "a", "b", "c", "d", "e", "f", "g", "h", "boom", "i"];
    let outcomes = runs_on_one_worker(INTROSPECTS, &inputs);
    let first = String::from_utf8_lossy(&outcomes[0].stdout).into_owned();
    assert!(
        first.contains("'__main__', 'solution.py', 'solution.py', 3"),
        "{first}"
    );
    for (input, outcome) in inputs.iter().zip(&outcomes) {
        assert_eq!(
            String::from_utf8_lossy(&outcome.stdout),
            first,
            "on {input}"
        );
    }
    let traceback =
        |outcome: &sstar_sandbox::Outcome| String::from_utf8_lossy(&outcome.stderr).into_owned();
    assert!(
        traceback(&outcomes[0]).contains("File \"solution.py\", line 9, in <module>"),
        "{}",
        traceback(&outcomes[0])
    );
    assert_eq!(traceback(&outcomes[0]), traceback(&outcomes[9]));
}

#[test]
fn a_program_that_does_not_compile_is_a_compile_error_on_every_run() {
    let inputs: Vec<String> = (0..10).map(|i| i.to_string()).collect();
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let outcomes = runs_on_one_worker("print(input()\n", &inputs);
    for outcome in &outcomes {
        match &outcome.termination {
            sstar_sandbox::Termination::CompileError { message } => {
                assert!(message.contains("SyntaxError"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}
