//! The pull-request comment (`--comment FILE`): the diff, the tests run, the candidates'
//! groups and the call that separated them, tokens and dollars.

use std::fmt::Write as _;

use super::report::FixReport;
use crate::pipeline::truncate;

/// Test output quoted in the comment (head and tail).
const OUTPUT_CHARS: usize = 3000;

/// Markdown for the pull request.
pub fn markdown(report: &FixReport) -> String {
    let mut md = String::new();
    let (function, file, test) = (&report.function, &report.file, &report.test);
    match (&report.diff, report.chosen) {
        (Some(diff), Some(_)) => {
            let _ = writeln!(
                md,
                "### sstar proposes a fix for `{function}` in `{file}`\n"
            );
            let _ = writeln!(
                md,
                "`{test}` fails ({}); with this change it passes.\n\n```diff\n{}```\n",
                report.before.status(),
                diff
            );
        }
        _ => {
            let _ = writeln!(md, "### sstar found no fix for `{function}` in `{file}`\n");
            let _ = writeln!(
                md,
                "`{test}` fails ({}); none of the {} candidates made it pass.\n",
                report.before.status(),
                report.candidates.len()
            );
        }
    }
    let _ = writeln!(md, "<details><summary>Tests run</summary>\n");
    let _ = writeln!(
        md,
        "Before, `{test}` ({}):\n\n```text\n{}\n```\n",
        report.before.status(),
        truncate(report.before.output.trim_end(), OUTPUT_CHARS)
    );
    if let Some(after) = &report.after {
        let _ = writeln!(
            md,
            "With the fix, `{test}` passes:\n\n```text\n{}\n```\n",
            truncate(after.output.trim_end(), OUTPUT_CHARS)
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
                "| {} | {} | {} | `{}` |",
                i + 1,
                samples.join(", "),
                group.change_lines,
                result.replace('|', "\\|")
            );
        }
        if let Some(k) = separating {
            let _ = writeln!(
                md,
                "\nThe call that separated them: `{function}(*{})`.\n",
                report.inputs[k]
            );
        }
    }
    let _ = writeln!(md, "Why this one: {}\n", report.why);
}
