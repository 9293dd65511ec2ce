//! `sstar report` of a run made against the scripted model: the page names the pick, the
//! groups, a distinguishing input with each group's output, the totals, and shows hostile
//! program output as inert text. `SSTAR_REPORT_KEEP=DIR` keeps the run there (for
//! `scripts/check-report-browser`).

use std::path::{Path, PathBuf};

use super::scripted::{Script, ScriptedModel};
use super::{
    abs_problem, abs_script, add_problem, add_script, read_json, results, run, run_ok, solve,
    start, stdio_problem,
};
use crate::common::sstar;

/// What a hostile candidate prints on any input but the public one.
const HOSTILE: &str = "</script><script>alert(1)</script><img src=x onerror=alert(2)>";

fn hostile_problem(set: &Path) {
    stdio_problem(
        &set.join("echo"),
        "Echo",
        &[("1", "1")],
        &[("2", "2"), ("3", "3")],
    );
}

fn hostile_script() -> Script {
    Script {
        programs: vec![
            "print(input())".into(),
            format!("x = input()\nprint(x if x == '1' else {HOSTILE:?})"),
        ],
        inputs: vec!["2".into(), "3".into()],
        truth: Some(|input| input.trim().to_owned()),
        ..Script::default()
    }
}

/// The text of the problem's section (from its anchor to the next section).
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section class=\"problem\" id=\"problem-{id}\""))
        .unwrap_or_else(|| panic!("no section for {id}"));
    let rest = &html[start..];
    let end = rest[1..].find("<section").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_of_a_scripted_run_shows_the_pick_groups_inputs_and_totals() {
    let server = start(ScriptedModel::new(vec![
        ("Absolute", abs_script()),
        ("Add two", add_script()),
        ("Echo", hostile_script()),
    ]))
    .await;
    let set = tempfile::tempdir().expect("set");
    abs_problem(set.path());
    add_problem(set.path());
    hostile_problem(set.path());
    for (id, difficulty) in [("abs", "hard"), ("add", "easy"), ("echo", "easy")] {
        let toml = set.path().join(id).join("problem.toml");
        let text = std::fs::read_to_string(&toml).expect("toml");
        std::fs::write(
            &toml,
            format!("{text}difficulty = \"{difficulty}\"\nsource = \"scripted\"\n"),
        )
        .expect("toml");
    }
    let temp = tempfile::tempdir().expect("out");
    let out: PathBuf = match std::env::var_os("SSTAR_REPORT_KEEP") {
        Some(dir) => {
            let _ = std::fs::remove_dir_all(&dir);
            dir.into()
        }
        None => temp.path().join("run"),
    };
    run_ok(solve(&server.uri(), set.path(), &out, &["--rounds", "1"])).await;
    // solve leaves a page behind it.
    assert!(out.join("report.html").is_file());
    // The same samples selected by majority, compared with `eval --against`.
    let majority = out.with_file_name(format!(
        "{}-majority",
        out.file_name().expect("name").to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&majority);
    run_ok(solve(
        &server.uri(),
        set.path(),
        &majority,
        &["--rounds", "1", "--select", "majority"],
    ))
    .await;
    let mut eval = sstar();
    eval.arg("eval").arg(&out).arg("--against").arg(&majority);
    let evaluated = run(eval).await;
    assert!(
        evaluated.status.success(),
        "{}",
        String::from_utf8_lossy(&evaluated.stderr)
    );

    let page = temp.path().join("page.html");
    let mut report = sstar();
    report.arg("report").arg(&out).arg("--out").arg(&page);
    let reported = run(report).await;
    assert!(
        reported.status.success(),
        "{}",
        String::from_utf8_lossy(&reported.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&reported.stdout).trim(),
        page.display().to_string()
    );
    let html = std::fs::read_to_string(&page).expect("page");

    // Totals: pass@1 from eval.json, tokens summed over results.jsonl.
    let summary = read_json(&out.join("eval.json"))["summary"].clone();
    let pass = summary["pass_at_1"].as_f64().expect("pass@1");
    assert!(
        html.contains(&format!("id=\"pass-at-1\">{:.1}%<", pass * 100.0)),
        "pass@1 {pass} not on the page"
    );
    let tokens: u64 = results(&out)
        .iter()
        .map(|r| {
            r["prompt_tokens"].as_u64().unwrap_or(0) + r["completion_tokens"].as_u64().unwrap_or(0)
        })
        .sum();
    assert!(tokens > 0);
    assert!(
        html.contains(&format!("id=\"tokens\">{tokens}<")),
        "tokens {tokens} not on the page"
    );

    // Charts: pass@1 by difficulty and source, and the two selections side by side.
    // (plotters writes each SVG text on a line of its own.)
    for title in [
        "pass@1 by difficulty",
        "pass@1 by source",
        "pass@1 side by side",
    ] {
        assert!(
            html.contains(&format!("\n{title}\n</text>")),
            "no chart {title}"
        );
    }
    assert!(html.contains("Compared runs (sstar eval --against)"));
    assert!(html.contains(&format!("{} (majority)", majority.display())));

    // The pick: the lone right program, picked by the judge, in words and in code.
    let abs = section(&html, "abs");
    let selection = read_json(&out.join("problems/abs/selection.json"));
    let sample = selection["pick"]["sample"].as_u64().expect("pick");
    assert!(
        abs.contains(&format!("Sample {sample} was picked by sstar: won")),
        "{abs}"
    );
    assert!(abs.contains("print(abs(int(input())))"));
    assert!(abs.contains("Hidden tests: <span class=\"v-accepted\">accepted</span>"));
    // The groups, with their members.
    let groups = selection["groups"].as_array().expect("groups");
    assert!(groups.len() >= 2);
    for (g, group) in groups.iter().enumerate() {
        let members: Vec<String> = group["samples"]
            .as_array()
            .expect("samples")
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(
            abs.contains(&format!(
                "<td>group {}</td><td>{}</td>",
                g + 1,
                members.join(", ")
            )),
            "group {g} not listed"
        );
    }
    // A distinguishing input with its source, and each group's real output on it side by side.
    assert!(abs.contains("Distinguishing inputs"));
    assert!(
        abs.contains("<strong>model</strong>"),
        "the model-written input's source"
    );
    assert!(abs.contains("shown to the judge"));
    assert!(abs.contains("<pre class=\"input\">-5</pre>"), "{abs}");
    assert!(
        abs.contains("<pre class=\"output\">5</pre>")
            && abs.contains("<pre class=\"output\">-5</pre>")
    );
    // The judge's answers in both orders, and the diff against the runner-up.
    assert!(abs.contains("Pairwise judgements (asked in both orders)"));
    assert!(abs.contains("wins: both orders agree"));
    assert!(abs.contains("Diff against the runner-up"));
    // Added lines, a run of them to one span, each line whole.
    assert!(
        abs.split("<span class=\"d-add\">")
            .skip(1)
            .filter_map(|rest| rest.split("</span>").next())
            .any(|run| run.lines().any(|l| l == "+print(abs(int(input())))")),
        "{abs}"
    );

    // A debug round: its public verdicts and the feedback the model was given.
    let add = section(&html, "add");
    assert!(add.contains("debug feedback sent to the model"));
    assert!(add.contains("Your program fails 2 of the 2 public tests"));
    assert!(add.contains("<span class=\"v-fail\">✗ public/1</span> (wrong_answer)"));

    // Hostile output is text: no markup of it survives, and the page's only script is its own.
    let echo = section(&html, "echo");
    assert!(echo.contains(
        "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"
    ));
    assert!(!html.contains("<img"));
    assert!(!html.contains("alert(1)</script>"));
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.contains("Content-Security-Policy"));
    // Nothing to fetch: no link, no external source (the base URL appears only as text).
    assert!(
        !html.contains("<link") && !html.contains("src=\"http") && !html.contains("href=\"http")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_partial_run_renders_what_exists_and_a_malformed_file_is_named() {
    let server = start(ScriptedModel::new(vec![("Absolute", abs_script())])).await;
    let set = tempfile::tempdir().expect("set");
    abs_problem(set.path());
    let out = tempfile::tempdir().expect("out");
    run_ok(solve(
        &server.uri(),
        set.path(),
        out.path(),
        &["--rounds", "0"],
    ))
    .await;
    // No eval, a problem without selection.json, one that never finished.
    std::fs::remove_file(out.path().join("problems/abs/selection.json")).expect("rm");
    std::fs::create_dir_all(out.path().join("problems/ghost")).expect("mkdir");
    let html = crate::common::run_sstar(&["report", out.path().to_str().expect("utf-8")]);
    assert!(
        html.status.success(),
        "{}",
        String::from_utf8_lossy(&html.stderr)
    );
    let page = std::fs::read_to_string(out.path().join("report.html")).expect("page");
    assert!(page.contains("not evaluated: run sstar eval"));
    assert!(section(&page, "abs").contains("Missing: selection.json"));
    assert!(section(&page, "ghost").contains("the problem never finished"));

    std::fs::write(out.path().join("problems/abs/selection.json"), "{not json").expect("write");
    let failed = crate::common::run_sstar(&["report", out.path().to_str().expect("utf-8")]);
    assert_eq!(failed.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("problems/abs/selection.json: malformed"),
        "{stderr}"
    );
}
