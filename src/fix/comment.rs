//! The pull-request comment (`--comment FILE`): the diff, the tests run, the candidates'
//! groups and the call that separated them, tokens and dollars.

use std::fmt::Write as _;

use super::markdown::{code, fence, text};
use crate::pipeline::truncate;
use crate::schema::FixReport;

/// Test output quoted in the comment (head and tail).
const OUTPUT_CHARS: usize = 3000;

/// Markdown for the pull request. What a run printed or a model wrote is quoted only in
/// fences and code spans it cannot close (see [`super::markdown`]); the rest is escaped.
pub fn markdown(report: &FixReport) -> String {
    let mut md = String::new();
    let (function, file, test) = (
        code(&report.function),
        code(&report.file),
        code(&report.test),
    );
    let before = text(&report.before.status());
    match (&report.diff, report.chosen) {
        (Some(diff), Some(_)) => {
            let _ = writeln!(md, "### sstar proposes a fix for {function} in {file}\n");
            let after = report
                .after
                .as_ref()
                .map_or(String::new(), |a| format!(" ({})", text(&a.status())));
            let _ = writeln!(
                md,
                "{test} fails ({before}); with this change it passes{after}.\n\n{}",
                fence("diff", diff)
            );
        }
        _ => {
            let _ = writeln!(md, "### sstar found no fix for {function} in {file}\n");
            let _ = writeln!(
                md,
                "{test} fails ({before}); none of the {} candidates made it pass.\n",
                report.candidates.len()
            );
        }
    }
    // Inside <details>, Markdown needs a blank line after the opening tag; a fence keeps any
    // `</details>` in the output from closing the element.
    let _ = writeln!(md, "<details><summary>Tests run</summary>\n");
    let _ = writeln!(
        md,
        "Before, {test} ({before}):\n\n{}",
        fence(
            "text",
            &truncate(report.before.output.trim_end(), OUTPUT_CHARS)
        )
    );
    if let Some(after) = &report.after {
        let _ = writeln!(
            md,
            "With the fix, {test} ({}):\n\n{}",
            text(&after.status()),
            fence("text", &truncate(after.output.trim_end(), OUTPUT_CHARS))
        );
    }
    let _ = writeln!(md, "</details>\n");
    candidates(&mut md, report);
    if let Some(totals) = &report.model {
        let dollars = totals
            .cost_usd
            .map_or("unpriced".to_owned(), |c| format!("${c:.4}"));
        let _ = writeln!(
            md,
            "Model: {} calls ({} answers from the cache), {} prompt + {} completion tokens, {dollars}.",
            totals.calls,
            totals.cache_hits,
            totals.usage.prompt_tokens,
            totals.usage.completion_tokens
        );
    }
    md
}

fn candidates(md: &mut String, report: &FixReport) {
    let function = &report.function;
    let _ =
        writeln!(
        md,
        "**Candidates:** {} sampled, {} distinct made the tests pass, in {} behaviour group(s).\n",
        report.candidates.len(),
        report.survivors.len(),
        report.groups.len().max(usize::from(!report.survivors.is_empty()))
    );
    if report.groups.len() > 1 {
        let _ = writeln!(
            md,
            "| group | candidates (sample) | changed lines | separating call |"
        );
        let _ = writeln!(md, "| --- | --- | --- | --- |");
        let separating = report.comparisons.iter().find_map(|c| c.input);
        for (i, group) in report.groups.iter().enumerate() {
            let samples: Vec<String> = group
                .members
                .iter()
                .map(|&m| report.survivors[m].sample.to_string())
                .collect();
            let result = separating.map_or(String::new(), |k| group.results[k].clone());
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                i + 1,
                samples.join(", "),
                group.change_lines,
                code(&result)
            );
        }
        if let Some(k) = separating {
            let _ = writeln!(
                md,
                "\nThe call that separated them: {}.\n",
                code(&format!("{function}(*{})", report.inputs[k]))
            );
        }
    }
    let _ = writeln!(md, "Why this one: {}\n", text(&report.why));
}
