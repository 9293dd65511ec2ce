//! A program steering the user's terminal through what `sstar judge` shows of it: escape
//! sequences in its stdout, stderr, exception message or checker message reach the terminal
//! as visible text (`\x1b`), never as control bytes; `--json` keeps them raw.

use std::path::Path;

use serde_json::Value;

use crate::common::{run_sstar, write_problem};

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

/// Clears the screen, prints a fake verdict, sets the clipboard (OSC 52), and opens a CSI
/// with the one-character C1 form.
const HOSTILE: &str = r"'\x1b[2J\x1b[H accepted \x1b]52;c;ZXZpbA==\x07 \x9b2J'";

/// Fails unless `bytes` hold no ESC, BEL or C1 CSI (UTF-8 `c2 9b`) and show the escapes.
fn assert_inert(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    assert!(
        !bytes.iter().any(|b| matches!(b, 0x1b | 0x07)) && !text.contains('\u{9b}'),
        "{what}: control bytes reach the terminal: {text:?}"
    );
    assert!(
        text.contains(r"\x1b[2J") && text.contains(r"\x07") && text.contains(r"\u{9b}"),
        "{what}: {text}"
    );
}

fn echo_problem(dir: &Path, checker: Option<&str>) {
    let manifest = match checker {
        Some(_) => "title = \"echo\"\nkind = \"stdio\"\nchecker = \"program\"\n",
        None => "title = \"echo\"\nkind = \"stdio\"\n",
    };
    write_problem(
        dir,
        &[
            ("problem.toml", manifest),
            ("statement.md", "Print the input."),
            ("tests/public/1.in", "hello\n"),
            ("tests/public/1.out", "hello\n"),
        ],
    );
    if let Some(checker) = checker {
        write_problem(dir, &[("checker.py", checker)]);
    }
}

#[test]
fn a_programs_escape_sequences_reach_the_terminal_as_text() {
    let root = tempfile::tempdir().expect("tempdir");
    let plain = root.path().join("plain");
    echo_problem(&plain, None);
    let judged = root.path().join("judged");
    echo_problem(
        &judged,
        Some(&format!("import sys\nprint({HOSTILE})\nsys.exit(1)\n")),
    );
    let broken = root.path().join("broken");
    echo_problem(&broken, Some(&format!("raise ValueError({HOSTILE})\n")));

    let programs = [
        // A wrong answer: the diff and the table show stdout.
        format!("import sys\nprint({HOSTILE})\nprint({HOSTILE}, file=sys.stderr)\n"),
        // A runtime error: the traceback shows stderr and the exception's message.
        format!("import sys\nprint({HOSTILE}, file=sys.stderr)\nraise ValueError({HOSTILE})\n"),
    ];
    let program = root.path().join("program.py");
    for code in &programs {
        std::fs::write(&program, code).expect("write program");
        let output = run_sstar(&["judge", path(&plain), path(&program)]);
        assert_eq!(output.status.code(), Some(1), "{code}");
        assert_inert(code, &output.stdout);
    }

    // What a checker says of an answer, and a broken checker's error.
    std::fs::write(&program, "print(input())\n").expect("write program");
    let output = run_sstar(&["judge", path(&judged), path(&program)]);
    assert_eq!(output.status.code(), Some(1));
    assert_inert("checker message", &output.stdout);
    let output = run_sstar(&["judge", path(&broken), path(&program)]);
    assert_eq!(output.status.code(), Some(2));
    assert_inert("checker error", &output.stderr);

    // JSON is data: the detail keeps the checker's bytes.
    let output = run_sstar(&["judge", path(&judged), path(&program), "--json"]);
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    let detail = report["tests"][0]["detail"].as_str().expect("detail");
    assert!(detail.starts_with("\x1b[2J\x1b[H accepted"), "{detail:?}");
}
