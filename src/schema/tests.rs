//! Every run file, written by its writer and read back by its reader; the previous release's
//! files (format 1, `tests/fixtures/previous-*`) read; and every field the writers write is
//! described in docs/run-directory.md.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::*;
use crate::store::{append_line, read_lines, write_json_atomic, RunDir};

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

fn read<T: DeserializeOwned>(path: &str) -> T {
    let path = fixture(path);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn lines<T: DeserializeOwned>(path: &str) -> Vec<T> {
    let lines = read_lines(&fixture(path)).expect("reads");
    assert!(!lines.torn && !lines.values.is_empty(), "{path}");
    lines.values
}

/// `value` as JSON: what its writer writes.
fn json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).expect("serializes")
}

/// The previous release's run directories, and a problem of each.
const RUNS: [(&str, &str); 2] = [
    ("previous-run", "count-lakes"),
    ("previous-model-run", "run-length"),
];

#[test]
fn each_file_of_the_previous_release_reads_as_format_1_and_round_trips_in_the_current_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, (run, problem)) in RUNS.into_iter().enumerate() {
        let out = RunDir::new(dir.path().join(i.to_string()));

        let info: RunInfo = read(&format!("{run}/run.json"));
        assert_eq!(info.format.get(), 1);
        write_json_atomic(&out.run_json(), &info).expect("write");
        let back = out.info().expect("reads back");
        assert_eq!(back.format, Format::current());
        assert_eq!(
            RunInfo {
                format: info.format,
                ..back
            },
            info
        );

        let results: Vec<ProblemResult> = lines(&format!("{run}/results.jsonl"));
        assert!(results.iter().all(|r| r.format.get() == 1));
        for result in &results {
            append_line(&out.results(), result).expect("append");
        }
        let back = out.finished().expect("reads back");
        assert_eq!(back.len(), results.len());
        for result in &results {
            let again = &back[&result.id];
            assert_eq!(again.format, Format::current());
            assert_eq!(json(again), json(result));
        }

        let selection: SelectionReport = read(&format!("{run}/problems/{problem}/selection.json"));
        assert_eq!(selection.format.get(), 1);
        write_json_atomic(&out.selection(problem), &selection).expect("write");
        let back = out.read_selection(problem).expect("reads").expect("exists");
        assert_eq!(
            SelectionReport {
                format: selection.format,
                ..back
            },
            selection
        );

        let trace: Vec<RoundRecord> = lines(&format!("{run}/problems/{problem}/trace.jsonl"));
        for line in &trace {
            append_line(&out.trace(problem), line).expect("append");
        }
        let back: Vec<RoundRecord> = read_lines(&out.trace(problem)).expect("reads").values;
        assert_eq!(back.len(), trace.len());
        for (a, b) in back.into_iter().zip(&trace) {
            assert_eq!(
                RoundRecord {
                    format: b.format,
                    ..a
                },
                *b
            );
        }

        let submission: Vec<SubmissionEntry> = read(&format!("{run}/submission.json"));
        write_json_atomic(&out.submission(), &submission).expect("write");
        let given = crate::pipeline::load_candidates(&out.submission()).expect("reads back");
        for entry in &submission {
            let programs = &given[&entry.question_id];
            assert_eq!(programs[0].code.as_ref(), entry.code_list[0]);
            assert_eq!(Some(programs[0].language), entry.language);
        }
    }

    let eval: EvalReport = read("previous-run/eval.json");
    assert_eq!(eval.format.get(), 1);
    let out = RunDir::new(dir.path().join("0"));
    write_json_atomic(&out.eval_json(), &eval).expect("write");
    let back = crate::eval::load_eval(&out)
        .expect("reads")
        .expect("exists");
    assert_eq!(back.format, Format::current());
    assert_eq!(
        json(&EvalReport {
            format: back.format,
            ..eval
        }),
        json(&back)
    );

    let ledger: LedgerReport = read("previous-model-run/ledger.json");
    assert_eq!(ledger.format.get(), 1);
    assert!(ledger.run.calls > 0);
    let out = RunDir::new(dir.path().join("1"));
    write_json_atomic(&out.ledger(), &ledger).expect("write");
    let back = out.read_ledger().expect("reads").expect("exists");
    assert_eq!(
        LedgerReport {
            format: ledger.format,
            ..back
        },
        ledger
    );
}

/// A `fix.json` as `sstar fix` writes one: a proposed fix, every optional part present.
fn fix_report() -> FixReport {
    let run = |passed: bool| TestRun {
        passed,
        exit_code: Some(i32::from(!passed)),
        stopped: None,
        tests: Some(TestCounts {
            tests: 3,
            passed: 2 + u64::from(passed),
            failed: u64::from(!passed),
            errors: 0,
            skipped: 0,
        }),
        refused: (!passed).then(|| "failures on record".into()),
        output: "== 1 failed, 2 passed ==".into(),
        record: None,
    };
    FixReport {
        format: Format::current(),
        outcome: FixEnd::Proposed,
        test: "pytest -q".into(),
        file: "src/m.py".into(),
        function: "f".into(),
        location: Some(crate::fix::Location {
            first: 3,
            def_line: 3,
            end: 9,
        }),
        before: run(false),
        candidates: vec![CandidateRecord {
            sample: 0,
            attempts: vec![Attempt {
                code: Some("def f(x):\n    return x\n".into()),
                reply: None,
                test: Some(run(true)),
            }],
            passed: true,
        }],
        survivors: vec![Survivor {
            sample: 0,
            code: "def f(x):\n    return x\n".into(),
            change_lines: 2,
        }],
        inputs: vec!["[1]".into()],
        groups: vec![FixGroup {
            members: vec![0],
            change_lines: 2,
            results: vec!["returned 1".into()],
        }],
        comparisons: Vec::new(),
        chosen: Some(0),
        why: "the only survivor".into(),
        after: Some(run(true)),
        diff: Some("-    return 0\n+    return x\n".into()),
        model: Some(Totals::default()),
        executions: 4,
    }
}

#[test]
fn fix_json_round_trips_and_reads_without_a_format_as_format_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("fix.json");
    let report = fix_report();
    write_json_atomic(&path, &report).expect("write");
    let back: FixReport = crate::store::read_json(&path)
        .expect("reads")
        .expect("exists");
    assert_eq!(back, report);
    // The previous release wrote the same shape without `format`.
    let mut previous = json(&report);
    previous.as_object_mut().expect("object").remove("format");
    let old: FixReport = serde_json::from_value(previous).expect("reads");
    assert_eq!(old.format.get(), 1);
}

#[test]
fn a_middle_line_a_newer_sstar_wrote_is_an_error_naming_the_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("results.jsonl");
    let results: Vec<ProblemResult> = lines("previous-run/results.jsonl");
    append_line(&path, &results[0]).expect("append");
    let mut newer = json(&results[1]);
    newer["format"] = (RESULTS_FORMAT + 1).into();
    append_line(&path, &newer).expect("append");
    append_line(&path, &results[2]).expect("append");
    let e = read_lines::<ProblemResult>(&path).expect_err("refused");
    let text = e.to_string();
    assert!(
        text.contains("results.jsonl") && text.contains("line 2") && text.contains("newer"),
        "{text}"
    );
}

/// Object keys anywhere in `value`, except the keys of maps (ids, stage names, difficulties).
fn keys(value: &Value, out: &mut BTreeSet<String>) {
    const MAPS: [&str; 7] = [
        "problems",
        "not_scored",
        "by_stage",
        "by_problem",
        "by_difficulty",
        "by_source",
        "models",
    ];
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                out.insert(key.clone());
                match child {
                    Value::Object(entries) if MAPS.contains(&key.as_str()) => {
                        entries.values().for_each(|v| keys(v, out))
                    }
                    _ => keys(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

/// The part of docs/run-directory.md from the heading naming `file` to the next heading.
fn section(doc: &str, file: &str) -> String {
    let heading = |line: &str| line.starts_with("## ");
    let mut lines = doc
        .lines()
        .skip_while(|l| !(heading(l) && l.contains(file)));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no section for {file}"));
    std::iter::once(first)
        .chain(lines.take_while(|l| !heading(l)))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_field_the_writers_write_is_described_in_the_run_directory_doc() {
    let doc = include_str!("../../docs/run-directory.md");
    let trace: Vec<RoundRecord> = lines("previous-run/problems/count-lakes/trace.jsonl");
    let results: Vec<ProblemResult> = lines("previous-run/results.jsonl");
    let files: [(&str, Value); 8] = [
        (
            "`run.json`",
            json(&read::<RunInfo>("previous-model-run/run.json")),
        ),
        ("`results.jsonl`", json(&results)),
        ("trace.jsonl", json(&trace)),
        (
            "selection.json",
            json(&read::<SelectionReport>(
                "previous-run/problems/count-lakes/selection.json",
            )),
        ),
        (
            "`submission.json`",
            json(&read::<Vec<SubmissionEntry>>(
                "previous-run/submission.json",
            )),
        ),
        (
            "`ledger.json`",
            json(&read::<LedgerReport>("previous-model-run/ledger.json")),
        ),
        (
            "`eval.json`",
            json(&read::<EvalReport>("previous-run/eval.json")),
        ),
        ("The `fix` run directory", json(&fix_report())),
    ];
    let mut missing = Vec::new();
    for (file, value) in files {
        let mut text = section(doc, file);
        if file.contains("fix") {
            // Its `model` is a ledger `TOTALS`, described there.
            text.push_str(&section(doc, "`ledger.json`"));
        }
        let mut found = BTreeSet::new();
        keys(&value, &mut found);
        for key in found {
            if !text.contains(&format!("`{key}`")) && !text.contains(&format!("\"{key}\"")) {
                missing.push(format!("{file}: {key}"));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented fields: {missing:#?}");
}
