//! Hostile C++ programs against the process sandbox, as an attacker who knows the design
//! would write them: the binary runs under the same namespaces, seccomp filter, uid, cgroup
//! and limits as a Python program, and the compiler, which reads the source, sees nothing of
//! the host but its own directories.

use std::time::{Duration, Instant};

use sstar_sandbox::{Accounting, Execution, Language, Limits, Outcome, ProgramKind, Termination};

use crate::hostile::{cpu_bound, isolated_with, limits, Isolated};

fn isolated() -> Isolated {
    let isolated = isolated_with(true);
    assert!(
        isolated.sandbox.isolation().compiler_root,
        "no compiler root: {:?}",
        isolated.sandbox.isolation().warnings
    );
    isolated
}

/// Memory counted as a native program touches it (a cgroup, which needs root); without one
/// the address space is limited instead, and the memory tests below do not apply.
fn require_touched_memory_counted(s: &Isolated) {
    let cgroup = s.sandbox.isolation().accounting == Accounting::Cgroup;
    crate::common::require(
        cgroup,
        "a cgroup (root) to count a native program's touched memory",
    );
}

/// C++ runs on the hostile suite's own sandbox and limits (named apart from its Python runs).
trait RunCpp {
    fn run_cpp(&self, code: &str) -> Outcome;
    fn run_cpp_with(&self, code: &str, stdin: &[u8], limits: Limits) -> Outcome;
    fn assert_cpp_healthy(&self);
}

impl RunCpp for Isolated {
    fn run_cpp(&self, code: &str) -> Outcome {
        self.run_cpp_with(code, b"", limits())
    }

    fn run_cpp_with(&self, code: &str, stdin: &[u8], limits: Limits) -> Outcome {
        let mut execution = Execution::new(ProgramKind::Stdio, code, stdin, limits);
        execution.language = Language::Cpp;
        let outcome = self.sandbox.run(&execution).expect("sandbox run");
        self.assert_nothing_left();
        outcome
    }

    /// Still answers correctly after the attack.
    fn assert_cpp_healthy(&self) {
        let outcome = self.run_cpp_with(ECHO, b"41\n", limits());
        assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
        assert_eq!(stdout(&outcome), "42\n");
    }
}

const ECHO: &str = "#include <cstdio>\nint main(){long long x; if(scanf(\"%lld\",&x)!=1) return 3; printf(\"%lld\\n\", x+1);}\n";

fn stdout(outcome: &Outcome) -> String {
    String::from_utf8_lossy(&outcome.stdout).into_owned()
}

fn compile_message(outcome: &Outcome) -> &str {
    match &outcome.termination {
        Termination::CompileError { message } => message,
        other => panic!(
            "expected a compile error, got {other:?} ({})",
            String::from_utf8_lossy(&outcome.stderr)
        ),
    }
}

#[test]
fn a_program_compiles_once_and_its_binary_is_reused() {
    let s = isolated();
    s.assert_cpp_healthy();
    let first = s.sandbox.compile_stats();
    assert_eq!(first.compiled + first.disk_hits, 1, "{first:?}");
    s.assert_cpp_healthy();
    let second = s.sandbox.compile_stats();
    assert_eq!(
        second.compiled, first.compiled,
        "compiled again: {second:?}"
    );
    assert_eq!(second.memory_hits, first.memory_hits + 1, "{second:?}");
}

#[test]
fn a_compile_error_carries_the_compilers_first_errors() {
    let s = isolated();
    let outcome =
        s.run_cpp("#include <cstdio>\nint main(){ printf(\"%d\\n\", undeclared_name); }\n");
    let message = compile_message(&outcome);
    assert!(message.contains("solution.cpp:2:"), "{message}");
    assert!(message.contains("undeclared_name"), "{message}");
    assert!(message.lines().count() <= 31, "{message}");
}

#[test]
fn exit_codes_and_signals_are_runtime_errors_named_as_such() {
    let s = isolated();
    let cases = [
        ("int main(){ return 3; }", "exit code 3"),
        (
            "#include <cstdlib>\nint main(){ abort(); }",
            "killed by SIGABRT",
        ),
        (
            "#include <csignal>\nint main(){ raise(SIGTERM); for(;;); }",
            "killed by SIGTERM",
        ),
        (
            "int main(){ volatile int *p = nullptr; return *p; }",
            "killed by SIGSEGV",
        ),
        (
            "#include <vector>\nint main(){ std::vector<int> v; return v.at(5); }",
            "killed by SIGABRT",
        ),
        (
            "int main(){ volatile int z = 0; volatile int r = 7 / z; return r; }",
            "killed by SIGFPE",
        ),
    ];
    for (code, expected) in cases {
        let outcome = s.run_cpp(code);
        assert_eq!(
            outcome.termination,
            Termination::RuntimeError {
                detail: expected.into()
            },
            "{code}"
        );
    }
    s.assert_cpp_healthy();
}

#[test]
fn a_busy_loop_and_threads_burning_cpu_hit_the_cpu_limit() {
    let s = isolated();
    let outcome = s.run_cpp_with(
        "int main(){ volatile unsigned long x = 0; for(;;) x++; }",
        b"",
        cpu_bound(),
    );
    assert_eq!(outcome.termination, Termination::TimeLimit { wall: false });
    let threads = "#include <thread>\n#include <vector>\nint main(){ std::vector<std::thread> t; for(int i=0;i<8;i++) t.emplace_back([]{ volatile unsigned long x=0; for(;;) x++; }); for(auto&th:t) th.join(); }";
    let started = Instant::now();
    let outcome = s.run_cpp_with(threads, b"", cpu_bound());
    assert_eq!(
        outcome.termination,
        Termination::TimeLimit { wall: false },
        "{outcome:?}"
    );
    // Counted across threads: stopped long before a second of wall time per thread.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    s.assert_cpp_healthy();
}

#[test]
fn sleeping_forever_is_a_wall_time_limit() {
    let s = isolated();
    let outcome = s.run_cpp("#include <unistd.h>\nint main(){ for(;;) sleep(1000); }");
    assert_eq!(outcome.termination, Termination::TimeLimit { wall: true });
    s.assert_cpp_healthy();
}

#[test]
#[ignore = "needs a cgroup (root)"]
fn memory_bombs_hit_the_memory_limit() {
    let s = isolated();
    require_touched_memory_counted(&s);
    let touched = "#include <vector>\n#include <cstring>\nint main(){ std::vector<char*> v; for(;;){ char*p=new char[1<<20]; memset(p,1,1<<20); v.push_back(p);} }";
    assert_eq!(s.run_cpp(touched).termination, Termination::MemoryLimit);
    // Reserved address space is no memory; touched pages are.
    let huge = "#include <cstdlib>\nint main(){ volatile char*p=(volatile char*)malloc(4ull<<30); if(!p) return 7; for(unsigned long i=0;i<(4ull<<30);i+=4096) p[i]=1; return p[4096]; }";
    assert_eq!(s.run_cpp(huge).termination, Termination::MemoryLimit);
    let reserved = "#include <cstdlib>\n#include <cstdio>\nint main(){ volatile char*p=(volatile char*)malloc(8ull<<30); p[0]=1; printf(\"%d\\n\", p[0]); }";
    let outcome = s.run_cpp(reserved);
    assert_eq!(
        (&outcome.termination, stdout(&outcome).as_str()),
        (&Termination::Finished, "1\n")
    );
    s.assert_cpp_healthy();
}

#[test]
#[ignore = "needs a cgroup (root)"]
fn the_memory_limit_is_the_programs_own_not_the_interpreters() {
    let s = isolated();
    require_touched_memory_counted(&s);
    let touch = |mb: u64| {
        format!("#include <cstdio>\n#include <cstdlib>\nint main(){{ size_t n = (size_t){mb} << 20; volatile char* p = (volatile char*)malloc(n); for (size_t i = 0; i < n; i += 4096) p[i] = 1; puts(\"ok\"); }}")
    };
    let limits = Limits::new(Duration::from_secs(2), 64, 4);
    let under = s.run_cpp_with(&touch(60), b"", limits);
    assert_eq!(under.termination, Termination::Finished, "{under:?}");
    // 6 MiB over: within a Python run's allowance for the warm interpreter, not a program's.
    let over = s.run_cpp_with(&touch(70), b"", limits);
    assert_eq!(over.termination, Termination::MemoryLimit, "{over:?}");
}

#[test]
fn a_fork_bomb_is_bounded_and_leaves_nothing() {
    let s = isolated();
    let outcome = s.run_cpp_with(
        "#include <unistd.h>\nint main(){ for(;;) fork(); }",
        b"",
        Limits {
            wall: Duration::from_secs(3),
            ..limits()
        },
    );
    assert!(
        matches!(
            outcome.termination,
            Termination::TimeLimit { .. } | Termination::RuntimeError { .. }
        ),
        "{outcome:?}"
    );
    s.assert_cpp_healthy();
}

#[test]
fn a_setsid_double_fork_daemon_does_not_survive() {
    let s = isolated();
    let daemon = "#include <unistd.h>\n#include <cstdio>\nint main(){ if(fork()==0){ setsid(); if(fork()==0){ for(;;) sleep(1);} _exit(0);} puts(\"parent done\"); }";
    let outcome = s.run_cpp(daemon);
    assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
    assert_eq!(stdout(&outcome), "parent done\n");
    s.assert_cpp_healthy();
}

#[test]
fn ptrace_and_namespace_escapes_are_denied() {
    let s = isolated();
    let code = r#"#include <sys/ptrace.h>
#include <sys/mount.h>
#include <sched.h>
#include <unistd.h>
#include <cstdio>
#include <cerrno>
int main(){
  long a = ptrace(PTRACE_TRACEME, 0, 0, 0);
  long b = ptrace(PTRACE_ATTACH, 1, 0, 0);
  int c = unshare(CLONE_NEWUSER);
  int d = mount("none", "/tmp", "tmpfs", 0, 0);
  int e = chroot("/");
  printf("%ld %ld %d %d %d\n", a, b, c, d, e);
}"#;
    let outcome = s.run_cpp(code);
    assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
    assert_eq!(stdout(&outcome), "-1 -1 -1 -1 -1\n");
    s.assert_cpp_healthy();
}

#[test]
fn killing_the_parent_or_everything_does_not_hurt_the_host() {
    let s = isolated();
    for code in [
        "#include <signal.h>\n#include <unistd.h>\nint main(){ kill(getppid(), SIGKILL); kill(getppid(), SIGTERM); sleep(1); }",
        "#include <signal.h>\nint main(){ kill(-1, SIGKILL); return 0; }",
        "#include <signal.h>\nint main(){ kill(1, SIGKILL); kill(1, SIGTERM); return 0; }",
    ] {
        let outcome = s.run_cpp(code);
        assert!(
            matches!(outcome.termination, Termination::Finished | Termination::RuntimeError { .. }),
            "{code}: {outcome:?}"
        );
    }
    s.assert_cpp_healthy();
}

#[test]
fn the_environment_is_empty_and_host_files_are_out_of_reach() {
    std::env::set_var("SSTAR_HOSTILE_SECRET", "hunter2");
    let s = isolated();
    let code = r#"#include <cstdio>
extern char **environ;
int main(){
  int n = 0; for (char **e = environ; *e; e++) n++;
  const char *paths[] = {"/root/.bashrc", "/home", "/proc/1/environ", "/etc/shadow", "/work"};
  printf("env %d\n", n);
  for (const char *p : paths) printf("%s %s\n", p, fopen(p, "r") ? "open" : "closed");
}"#;
    let outcome = s.run_cpp(code);
    assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
    let out = stdout(&outcome);
    assert!(out.starts_with("env 0\n"), "{out}");
    assert!(!out.contains(" open"), "{out}");
    s.assert_cpp_healthy();
}

#[test]
fn the_network_is_unreachable() {
    let s = isolated();
    let code = r#"#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <cstdio>
int main(){
  int t = socket(AF_INET, SOCK_STREAM, 0);
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  int v = socket(AF_INET6, SOCK_STREAM, 0);
  int connected = -1;
  if (t >= 0) { sockaddr_in a{}; a.sin_family = AF_INET; a.sin_port = htons(80); inet_pton(AF_INET, "127.0.0.1", &a.sin_addr); connected = connect(t, (sockaddr*)&a, sizeof a); }
  printf("%d %d %d %d\n", t < 0, u < 0, v < 0, connected);
}"#;
    let outcome = s.run_cpp(code);
    assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
    assert_eq!(stdout(&outcome), "1 1 1 -1\n");
    s.assert_cpp_healthy();
}

#[test]
fn writes_outside_the_scratch_directory_fail_and_huge_output_is_cut() {
    let s = isolated();
    let code = r#"#include <cstdio>
int main(){
  const char *paths[] = {"/etc/x", "/usr/x", "/x", "/tmp/x", "./mine"};
  for (const char *p : paths) printf("%s %s\n", p, fopen(p, "w") ? "written" : "refused");
}"#;
    let outcome = s.run_cpp(code);
    let out = stdout(&outcome);
    assert!(out.contains("./mine written"), "{out}");
    for path in ["/etc/x", "/usr/x", "/x ", "/tmp/x"] {
        assert!(out.contains(&format!("{} refused", path.trim())), "{out}");
    }
    let flood = "#include <cstdio>\nint main(){ static char b[1<<16]; for(;;) fwrite(b,1,sizeof b,stdout); }";
    assert_eq!(
        s.run_cpp_with(flood, b"", cpu_bound()).termination,
        Termination::OutputLimit
    );
    let file = "#include <cstdio>\nint main(){ static char b[1<<16]; FILE*f=fopen(\"big\",\"w\"); for(;;) fwrite(b,1,sizeof b,f); }";
    assert_eq!(
        s.run_cpp_with(file, b"", cpu_bound()).termination,
        Termination::OutputLimit
    );
    s.assert_cpp_healthy();
}

#[test]
fn deep_recursion_gets_the_stack_a_judge_gives() {
    let s = isolated();
    let code = "#include <cstdio>\nint f(int n){ volatile char pad[64]; pad[0]=n; return n ? f(n-1)+pad[0]%2 : 0; }\nint main(){ printf(\"%d\\n\", f(1000000)); }";
    let outcome = s.run_cpp(code);
    assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
    s.assert_cpp_healthy();
}

#[test]
fn including_host_files_or_devices_fails_to_compile_and_shows_nothing() {
    let s = isolated();
    let secret_dir = tempfile::tempdir().expect("tempdir");
    let secret = secret_dir.path().join("secret.h");
    std::fs::write(&secret, "int leaked_secret_value_31337 = 1;\n").expect("write");
    let includes = [
        "/etc/passwd".to_owned(),
        "/etc/hostname".to_owned(),
        "/root/.bashrc".to_owned(),
        "/proc/self/environ".to_owned(),
        "/dev/zero".to_owned(),
        "/dev/urandom".to_owned(),
        "/dev/stdin".to_owned(),
        secret.display().to_string(),
        std::env::current_dir()
            .expect("cwd")
            .join("Cargo.toml")
            .display()
            .to_string(),
    ];
    for path in includes {
        let started = Instant::now();
        let outcome = s.run_cpp(&format!("#include \"{path}\"\nint main(){{}}\n"));
        let message = compile_message(&outcome);
        assert!(message.contains("No such file"), "{path}: {message}");
        assert!(!message.contains("root:x:0"), "{message}");
        assert!(!message.contains("31337"), "{message}");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{path}: {:?}",
            started.elapsed()
        );
    }
    s.assert_cpp_healthy();
}

#[test]
fn compile_bombs_end_as_compile_errors() {
    let s = isolated();
    // Each level doubles the instantiations: past the compiler's depth limit, or its CPU.
    let templates = "template<int N> struct B { static const long v = B<N-1>::v + B<N-2>::v; };\ntemplate<> struct B<0> { static const long v = 1; };\ntemplate<> struct B<1> { static const long v = 1; };\nint main(){ return B<100000>::v; }";
    let started = Instant::now();
    compile_message(&s.run_cpp(templates));
    assert!(
        started.elapsed() < Duration::from_secs(80),
        "{:?}",
        started.elapsed()
    );
    // An include of itself, forever.
    let recursive = "#include \"solution.cpp\"\nint main(){}";
    compile_message(&s.run_cpp(recursive));
    // A 4 GiB initialised array: the object file is over the compiler's output limit.
    let huge = "char a[1ull<<32] = {1};\nint main(){ return a[5]; }";
    compile_message(&s.run_cpp(huge));
    // A million lines of errors: trimmed to the first ones.
    let spam = format!("int main(){{ {} }}", "undeclared_x;".repeat(20_000));
    let message = compile_message(&s.run_cpp(&spam)).to_owned();
    assert!(message.len() < 4_000, "{}", message.len());
    s.assert_cpp_healthy();
}

#[test]
fn a_function_problem_refuses_cpp() {
    let s = isolated();
    let mut execution = Execution::new(
        ProgramKind::Function {
            entry_point: "f".into(),
        },
        ECHO,
        b"",
        limits(),
    );
    execution.language = Language::Cpp;
    let outcome = s.sandbox.run(&execution).expect("run");
    assert!(compile_message(&outcome).contains("stdio"), "{outcome:?}");
}

#[test]
fn a_python_program_cannot_pass_for_a_native_program_killed_by_a_signal() {
    let s = isolated();
    // The report channel a native run's first process writes a child's signal to.
    let forged =
        "import os\nos.write(3, b'{\"outcome\": \"signal\", \"signal\": 9}')\nprint('done')";
    let outcome = s
        .sandbox
        .run(&Execution::new(ProgramKind::Stdio, forged, b"", limits()))
        .expect("run");
    assert_eq!(outcome.termination, Termination::Finished, "{outcome:?}");
    assert_eq!(outcome.signal, None);
}
