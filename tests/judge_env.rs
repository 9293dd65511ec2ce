//! The judge's environment through the real binary: LiveCodeBench's prelude in function and
//! stdio programs, the pinned packages a problem asks for, and what happens when one is not
//! installed or not asked for.

use std::path::Path;

use serde_json::Value;

use crate::common::{sstar, write_problem};

/// Every backend this build has: the wasm one too when built with it.
fn backends() -> Vec<&'static str> {
    if cfg!(feature = "wasm") {
        crate::common::require_wasm_python();
        vec!["process", "wasm"]
    } else {
        vec!["process"]
    }
}

/// `sstar judge PROBLEM PROGRAM --json --sandbox BACKEND` with `env` set: (exit code, report
/// or Null, stderr).
fn judge(
    problem: &Path,
    program: &str,
    backend: &str,
    env: &[(&str, &Path)],
) -> (Option<i32>, Value, String) {
    let file = problem.with_extension("py");
    std::fs::write(&file, program).expect("write program");
    let mut command = sstar();
    command
        .arg("judge")
        .arg(problem)
        .arg(&file)
        .args(["--json", "--sandbox", backend]);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("run sstar judge");
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), report, stderr)
}

/// Judges `program` and asserts it is accepted (exit code 0).
fn assert_accepted(problem: &Path, program: &str, backend: &str, env: &[(&str, &Path)]) {
    let (code, report, stderr) = judge(problem, program, backend, env);
    assert_eq!(
        report["verdict"],
        "accepted",
        "{} under {backend}: {report}\n{stderr}",
        problem.display()
    );
    assert_eq!(code, Some(0));
}

/// Fails unless the pinned packages these tests import are installed where sstar looks
/// (`scripts/test` installs them first, with `sstar packages install`).
fn require_packages(names: &[&str]) {
    let store = sstar_sandbox::packages::PackageStore::from_env().expect("package store");
    let python = sstar_sandbox::Interpreter::from_env().expect("python3");
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| {
            let pin = sstar_sandbox::packages::pin(name).expect("pinned");
            !matches!(store.installed(pin, &python), Ok(Some(_)))
        })
        .collect();
    crate::common::require(
        missing.is_empty(),
        &format!("the packages {missing:?}: run `sstar packages install`"),
    );
}

/// What a LeetCode or LiveCodeBench program may use without importing it, each checked.
const USES_THE_PRELUDE: &str = "
def prelude_checks():
    assert pow(2, 100, 10**9 + 7) == 976371285          # the builtin, not math.pow
    assert list(itertools.accumulate([1, 2, 3])) == [1, 3, 6]
    assert list(accumulate([1, 2])) == [1, 3]
    h = []
    heapq.heappush(h, 3); heappush(h, 1)
    assert heappop(h) == 1
    assert bisect.bisect_left([1, 2, 3], 2) == 1 and bisect_right([1], 1) == 1
    assert copy.deepcopy([[1]]) == [[1]] and deepcopy({1: 2}) == {1: 2}
    assert statistics.median([3, 1, 2]) == 2 and median([1, 3]) == 2
    assert operator.add(1, 2) == 3 and itemgetter(0)([5]) == 5
    assert io.StringIO('x').read() == 'x' and json.dumps([1]) == '[1]'
    assert gcd(12, 18) == 6 and comb(5, 2) == 10 and inf > 10**18 and isqrt(17) == 4
    assert Counter('aab')['a'] == 2 and deque([1]).popleft() == 1
    assert defaultdict(int)[0] == 0 and reduce(lambda a, b: a + b, [1, 2]) == 3
    assert ascii_lowercase[0] == 'a' and re.sub('a', 'b', 'a') == 'b' and math.pi > 3
    assert datetime.date(2024, 1, 1).year == 2024 and random.randint(1, 1) == 1
    assert min(3, 4) == 3 and max([1, 2]) == 2 and sum([1, 2]) == 3   # builtins, not numpy's
    assert List is not None and Optional is not None
    assert sys.getrecursionlimit() == 50000
    assert stdin is sys.stdin and stdout is sys.stdout and argv is sys.argv   # this run's
    deep = lambda n: 0 if n == 0 else 1 + deep(n - 1)
    assert deep(20000) == 20000
";

#[test]
fn livecodebench_prelude_names_work_in_function_and_stdio_programs() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_problem(
        &dir.path().join("fn"),
        &[
            (
                "problem.toml",
                "title = \"F\"\nkind = \"function\"\nentry_point = \"Solution.solve\"\n",
            ),
            ("statement.md", "Return n squared, modulo m.\n"),
            ("tests/public/1.in", "3\n5\n"),
            ("tests/public/1.out", "4\n"),
        ],
    );
    write_problem(
        &dir.path().join("io"),
        &[
            ("problem.toml", "title = \"S\"\nkind = \"stdio\"\n"),
            ("statement.md", "Print a to the b, modulo m.\n"),
            ("tests/public/1.in", "2 10 7\n"),
            ("tests/public/1.out", "2\n"),
        ],
    );
    let function = format!(
        "{USES_THE_PRELUDE}\nclass Solution:\n    def solve(self, n, m):\n        prelude_checks()\n        return pow(n, 2, m)\n"
    );
    let stdio = format!(
        "{USES_THE_PRELUDE}\nprelude_checks()\na, b, m = map(int, input().split())\nprint(pow(a, b, m))\n"
    );
    for backend in backends() {
        for (problem, program) in [("fn", &function), ("io", &stdio)] {
            assert_accepted(&dir.path().join(problem), program, backend, &[]);
        }
    }
}

/// A stdio problem asking for `packages`, with one test: input `3 1 2`, output `1 2 3`.
fn sorting_problem(dir: &Path, packages: &str) {
    write_problem(
        dir,
        &[
            (
                "problem.toml",
                &format!("title = \"Sort\"\nkind = \"stdio\"\npackages = {packages}\n"),
            ),
            ("statement.md", "Print the numbers sorted.\n"),
            ("tests/public/1.in", "3 1 2\n"),
            ("tests/public/1.out", "1 2 3\n"),
        ],
    );
}

const SORTED_LIST: &str = "from sortedcontainers import SortedList
s = SortedList(map(int, input().split()))
print(*s)
";

#[test]
fn a_sorted_list_program_is_accepted_where_the_problem_asks_for_it() {
    require_packages(&["sortedcontainers"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let problem = dir.path().join("sort");
    sorting_problem(&problem, "[\"sortedcontainers\"]");
    for backend in backends() {
        assert_accepted(&problem, SORTED_LIST, backend, &[]);
    }
    // A function problem too, with numpy beside it (process backend: numpy is native).
    require_packages(&["numpy"]);
    write_problem(
        &dir.path().join("fn"),
        &[
            (
                "problem.toml",
                "title = \"F\"\nkind = \"function\"\nentry_point = \"f\"\npackages = [\"numpy\", \"sortedcontainers\"]\n",
            ),
            ("statement.md", "Sort the list.\n"),
            ("tests/public/1.in", "[3, 1, 2]\n"),
            ("tests/public/1.out", "[1, 2, 3]\n"),
        ],
    );
    let program = "import numpy as np\nfrom sortedcontainers import SortedList\ndef f(xs):\n    assert int(np.array(xs).sum()) == 6\n    return list(SortedList(xs))\n";
    assert_accepted(&dir.path().join("fn"), program, "process", &[]);
}

#[test]
fn a_package_the_problem_does_not_ask_for_is_an_ordinary_module_not_found_error() {
    require_packages(&["sortedcontainers", "numpy"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let problem = dir.path().join("sort");
    sorting_problem(&problem, "[\"numpy\"]");
    // Installed and pinned, but not this problem's; and not pinned at all.
    let programs = [SORTED_LIST, "import requests\n"];
    for (i, program) in programs.iter().enumerate() {
        let (code, report, stderr) = judge(&problem, program, "process", &[]);
        assert_eq!(code, Some(1), "program {i}: {stderr}");
        assert_eq!(report["verdict"], "runtime_error", "program {i}: {report}");
        let detail = report["tests"][0]["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("ModuleNotFoundError"),
            "program {i}: {report}"
        );
    }
}

#[test]
fn a_missing_package_installation_is_a_setup_error_before_anything_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let problem = dir.path().join("sort");
    sorting_problem(&problem, "[\"sortedcontainers\"]");
    let empty = dir.path().join("empty-store");
    for backend in backends() {
        let (code, report, stderr) = judge(
            &problem,
            SORTED_LIST,
            backend,
            &[("SSTAR_PACKAGES", &empty)],
        );
        assert_eq!(code, Some(2), "{backend}: {report}\n{stderr}");
        assert_eq!(report, Value::Null, "no verdict is printed: {report}");
        assert!(
            stderr.contains("package `sortedcontainers` 2.4.0 is not installed")
                && stderr.contains("sstar packages install sortedcontainers"),
            "{backend}: {stderr}"
        );
    }
    // `verify` and `solve` stop the same way, `solve` before its run directory exists.
    let set = dir.path();
    write_problem(&problem, &[("solutions/ok.py", SORTED_LIST)]);
    let verify = sstar()
        .arg("verify")
        .arg(set)
        .env("SSTAR_PACKAGES", &empty)
        .output()
        .expect("verify");
    assert_eq!(verify.status.code(), Some(2));
    let candidates = dir.path().join("candidates.jsonl");
    std::fs::write(
        &candidates,
        serde_json::json!({"id": "sort", "code": SORTED_LIST}).to_string() + "\n",
    )
    .expect("candidates");
    let run = dir.path().join("run");
    let solve = sstar()
        .arg("solve")
        .arg(set)
        .arg("--out")
        .arg(&run)
        .arg("--candidates")
        .arg(&candidates)
        .env("SSTAR_PACKAGES", &empty)
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("SSTAR_MODEL")
        .output()
        .expect("solve");
    assert_eq!(solve.status.code(), Some(2));
    assert!(!run.exists(), "no run directory is made");
}

#[test]
fn a_native_package_under_wasm_and_an_unknown_package_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let problem = dir.path().join("unknown");
    sorting_problem(&problem, "[\"requests\"]");
    let (code, _, stderr) = judge(&problem, SORTED_LIST, "process", &[]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("problem.toml") && stderr.contains("no package `requests`"),
        "{stderr}"
    );
    if cfg!(feature = "wasm") {
        let problem = dir.path().join("native");
        sorting_problem(&problem, "[\"numpy\"]");
        let (code, _, stderr) = judge(&problem, "import numpy\n", "wasm", &[]);
        assert_eq!(code, Some(2));
        assert!(stderr.contains("native extension"), "{stderr}");
    }
}

#[test]
fn a_program_cannot_change_the_packages_the_next_one_imports() {
    require_packages(&["sortedcontainers"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let problem = dir.path().join("sort");
    sorting_problem(&problem, "[\"sortedcontainers\"]");
    // Rewrite the package's own source so the next program's SortedList sorts backwards; it
    // prints the expected answer only if no file could be opened for writing.
    let attack = "import os, sortedcontainers
root = os.path.dirname(sortedcontainers.__file__)
written = []
for name in os.listdir(root):
    try:
        with open(os.path.join(root, name), 'a') as f:
            f.write('\\nSortedList.__iter__ = lambda self: iter([3, 2, 1])\\n')
        written.append(name)
    except OSError:
        pass
print(*written or [1, 2, 3])
";
    for backend in backends() {
        assert_accepted(&problem, attack, backend, &[]);
        assert_accepted(&problem, SORTED_LIST, backend, &[]);
    }
}

#[test]
fn a_set_toml_gives_its_packages_to_the_problems_that_name_none() {
    require_packages(&["sortedcontainers"]);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("set.toml"),
        "packages = [\"sortedcontainers\"]\n",
    )
    .expect("set.toml");
    let inherits = dir.path().join("inherits");
    write_problem(
        &inherits,
        &[
            ("problem.toml", "title = \"Sort\"\nkind = \"stdio\"\n"),
            ("statement.md", "Print the numbers sorted.\n"),
            ("tests/public/1.in", "3 1 2\n"),
            ("tests/public/1.out", "1 2 3\n"),
        ],
    );
    let own = dir.path().join("own");
    sorting_problem(&own, "[]");
    assert_accepted(&inherits, SORTED_LIST, "process", &[]);
    let (_, report, stderr) = judge(&own, SORTED_LIST, "process", &[]);
    assert_eq!(report["verdict"], "runtime_error", "{report}\n{stderr}");
    std::fs::write(dir.path().join("set.toml"), "packages = [\"pandas\"]\n").expect("set.toml");
    let (code, _, stderr) = judge(&inherits, SORTED_LIST, "process", &[]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("set.toml") && stderr.contains("pandas"),
        "{stderr}"
    );
}

#[test]
fn a_package_store_under_tmp_is_offered_though_the_sandbox_has_its_own_tmp() {
    require_packages(&["sortedcontainers"]);
    // A copy of the installed store in a temporary directory (under /tmp, where the process
    // sandbox's private root mounts a tmpfs of its own).
    let store = sstar_sandbox::packages::PackageStore::from_env().expect("store");
    let copy = tempfile::tempdir().expect("tempdir");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(store.root().join("py3"))
        .arg(copy.path())
        .status()
        .expect("cp");
    assert!(status.success());
    let dir = tempfile::tempdir().expect("tempdir");
    let problem = dir.path().join("sort");
    sorting_problem(&problem, "[\"sortedcontainers\"]");
    for backend in backends() {
        assert_accepted(
            &problem,
            SORTED_LIST,
            backend,
            &[("SSTAR_PACKAGES", copy.path())],
        );
    }
}
