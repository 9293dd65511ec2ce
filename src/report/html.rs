//! The page, laid out with maud (every value from the run is escaped by the template; only
//! our own CSS, script and the charts' SVG go in unescaped). A Content-Security-Policy lets
//! the page load nothing and run only its own script (by hash), so even text that escaped
//! escaping could not fetch or execute anything.

use base64::Engine as _;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::{Digest, Sha256};

use super::charts;
use super::diff::DiffKind;
use super::fold::{Folded, Once};
use super::model::{join, Overview, ProblemView, Report, Status};
use crate::eval::Rate;

const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

pub(crate) fn page(report: &Report) -> String {
    let o = &report.overview;
    let script_hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(JS));
    let csp = format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{script_hash}'"
    );
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(csp);
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                meta name="generator" content=(concat!("sstar ", env!("CARGO_PKG_VERSION")));
                title { "sstar report: " (o.title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                main {
                    (overview(o))
                    (problems_table(&report.problems))
                    @for p in &report.problems {
                        (problem_section(p))
                    }
                }
                script { (PreEscaped(JS)) }
            }
        }
    }
    .into_string()
}

fn pct(r: &Rate) -> String {
    format!(
        "{:.1}% [{:.1}, {:.1}] ({}/{})",
        r.rate * 100.0,
        r.low * 100.0,
        r.high * 100.0,
        r.successes,
        r.count
    )
}

fn dollars(d: Option<f64>) -> String {
    d.map_or_else(|| "-".into(), |d| format!("${d:.4}"))
}

fn seconds(s: f64) -> String {
    if s >= 120.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        format!("{s:.1} s")
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn folded(f: &Folded, class: &str) -> Markup {
    html! {
        pre class=(class) { (f.text) }
        @if let Some(note) = f.note() {
            div.fold { (note) }
        }
    }
}

/// A text shown once per problem, folded under `summary`; a repeat says (as `short`) where
/// it was shown.
fn once(o: &Once<(usize, usize)>, summary: &str, short: &str, class: &str) -> Markup {
    html! {
        @match o {
            Once::Shown(f) => details { summary { (summary) } (folded(f, class)) },
            Once::SameAs((sample, round)) => div.fold {
                (short) ": as in sample " (sample) ", round " (round)
            },
        }
    }
}

fn chart(svg: Option<String>) -> Markup {
    html! {
        @if let Some(svg) = svg {
            // plotters escapes every text it draws (tested in charts.rs).
            div.chart { (PreEscaped(svg)) }
        }
    }
}

fn overview(o: &Overview) -> Markup {
    let stage_time: Vec<(String, f64)> = o
        .stages
        .iter()
        .map(|s| (s.stage.clone(), s.seconds))
        .collect();
    let stage_dollars: Vec<(String, f64)> = o
        .stages
        .iter()
        .filter_map(|s| Some((s.stage.clone(), s.dollars?)))
        .collect();
    let by_difficulty: Vec<(String, Rate)> = o
        .by_difficulty
        .iter()
        .map(|(k, b)| (k.clone(), b.pass_at_1))
        .collect();
    let by_source: Vec<(String, Rate)> = o
        .by_source
        .iter()
        .map(|(k, b)| (k.clone(), b.pass_at_1))
        .collect();
    let methods: Vec<(String, Rate)> = o
        .methods
        .iter()
        .map(|m| (m.short.clone(), m.pass_at_1))
        .collect();
    html! {
        header id="overview" {
            h1 { "sstar report: " (o.title) }
            p.muted {
                @if let Some(v) = &o.version { (v) " · " }
                @if let Some(set) = &o.set { "set " code { (set) } " · " }
                @if let Some(s) = &o.started { "started " (s) }
                @if let Some(f) = &o.finished { ", finished " (f) }
                @else if o.started.is_some() { ", not finished (interrupted or running)" }
            }
            @if !o.missing.is_empty() {
                div.note {
                    "Not in this run directory: "
                    @for (i, m) in o.missing.iter().enumerate() {
                        @if i > 0 { "; " }
                        (m)
                    }
                    "."
                }
            }
            @if o.model_free {
                div.note { "Selection was model-free: no model was asked; inputs from the problems' structure, picks by agreement." }
            }
            @if o.analysis_only {
                div.note { "The picks used the hidden tests (oracle): analysis only, not a score." }
            }
        }
        section id="totals" {
            h2 { "Totals" }
            div.cards {
                div.card {
                    div.small { "problems" }
                    div.big { (o.problems) }
                    div.small {
                        @for (i, (s, n)) in o.status_counts.iter().enumerate() {
                            @if i > 0 { ", " }
                            (n) " " (s.name())
                        }
                    }
                }
                div.card {
                    div.small { "pass@1 (hidden tests, 95% interval)" }
                    @if let Some(r) = &o.pass_at_1 {
                        div.big id="pass-at-1" { (format!("{:.1}%", r.rate * 100.0)) }
                        div.small { (pct(r)) }
                        @if !o.complete { div.small { "over the " (o.scored) " scored problems only" } }
                    } @else if o.evaluated {
                        div.big { "-" } div.small { "no problem was scored" }
                    } @else {
                        div.big { "-" } div.small { "not evaluated: run sstar eval" }
                    }
                }
                div.card {
                    div.small { "pass@N (any final program)" }
                    @if let Some(r) = &o.pass_at_n {
                        div.big { (format!("{:.1}%", r.rate * 100.0)) }
                        div.small { (pct(r)) }
                    } @else {
                        div.big { "-" }
                    }
                }
                div.card {
                    div.small { "model tokens" }
                    div.big id="tokens" { (o.prompt_tokens + o.completion_tokens) }
                    div.small { (o.prompt_tokens) " prompt + " (o.completion_tokens) " completion; " (plural(o.llm_calls as usize, "call", "calls")) }
                }
                div.card {
                    div.small { "dollars" }
                    div.big { (dollars(o.dollars)) }
                    @if o.dollars.is_none() { div.small { "unknown (no price given)" } }
                }
                div.card {
                    div.small { "sandbox time" }
                    div.big { (seconds(o.sandbox_seconds)) }
                    div.small { (o.executions) " executions, summed over workers" }
                }
                div.card {
                    div.small { "wall time" }
                    div.big {
                        @match o.wall_seconds {
                            // run.json's stamps are whole seconds.
                            Some(w) if w < 1.0 => "< 1 s",
                            Some(w) => (seconds(w)),
                            None => "-",
                        }
                    }
                    div.small { "problems' own: " (seconds(o.problem_seconds)) " summed" }
                }
            }
            div.charts {
                (chart(charts::bars("time per stage", "seconds", &stage_time, false)))
                (chart(charts::bars("dollars per stage", "$", &stage_dollars, true)))
                // A breakdown whose only key is "unknown" says nothing the totals do not.
                @if o.evaluated && by_difficulty.iter().any(|(k, _)| k != "unknown") {
                    (chart(charts::rates("pass@1 by difficulty", &by_difficulty)))
                }
                @if o.evaluated && by_source.iter().any(|(k, _)| k != "unknown") {
                    (chart(charts::rates("pass@1 by source", &by_source)))
                }
                @if !methods.is_empty() {
                    (chart(charts::rates("pass@1 side by side", &methods)))
                }
            }
            @if !o.methods.is_empty() {
                h3 { "Compared runs (sstar eval --against)" }
                table {
                    thead { tr { th { "run" } th.num { "pass@1 [95%]" } th.num { "this run minus it, paired [95%]" } } }
                    tbody {
                        @for m in &o.methods {
                            tr {
                                td { (m.label) }
                                td.num { (pct(&m.pass_at_1)) }
                                td.num {
                                    @if let Some(d) = &m.difference {
                                        (format!("{:+.1} points [{:+.1}, {:+.1}] over {}", d.difference * 100.0, d.low * 100.0, d.high * 100.0, d.count))
                                    } @else { "-" }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Stages" }
            table {
                thead { tr { th { "stage" } th.num { "calls" } th.num { "tokens" } th.num { "seconds" } th.num { "dollars" } } }
                tbody {
                    @for s in &o.stages {
                        tr {
                            td { (s.stage) }
                            td.num { (s.calls) }
                            td.num { (s.tokens) }
                            td.num { (format!("{:.2}", s.seconds)) }
                            td.num { (dollars(s.dollars)) }
                        }
                    }
                }
            }
            p.muted { "Model seconds are request latencies summed (requests overlap); sandbox seconds are summed over workers." }
            details {
                summary { "Settings" }
                @if !o.models.is_empty() {
                    p { "model" @if o.models.len() > 1 { "s" } ": " (o.models.join(", ")) }
                }
                @if let Some(m) = &o.method { p { "selection: " code { (m) } } }
                @if let Some(s) = &o.sandbox { p { "sandbox: " (s) } }
                @if let Some(c) = &o.command { p { "command: " code { (c) } } }
                dl.settings {
                    @for (k, v) in &o.settings {
                        dt { (k) } dd { (v) }
                    }
                }
            }
        }
    }
}

fn problems_table(problems: &[ProblemView]) -> Markup {
    // Cost sorts by dollars when any problem has a price (unpriced last), else by tokens:
    // never dollars and tokens in one order.
    let priced = problems.iter().any(|p| p.dollars.is_some());
    let cost_key = |p: &ProblemView| match p.dollars {
        Some(d) => d,
        None if priced => -1.0,
        None => p.tokens as f64,
    };
    html! {
        section id="problems-section" {
            h2 { "Problems" }
            div.toolbar id="filter" hidden {
                label for="status-filter" { "status " }
                select id="status-filter" {
                    option value="" { "all" }
                    @for s in Status::ALL {
                        @if problems.iter().any(|p| p.status == s) {
                            option value=(s.key()) { (s.name()) }
                        }
                    }
                }
                " " span.muted id="shown-count" {}
                span.muted { " · click a column to sort" }
            }
            table.sortable id="problems" {
                thead {
                    tr {
                        th { "problem" }
                        th { "status" }
                        th.num title="final programs passing every public test, of all final programs" { "public-passing" }
                        th.num { "groups" }
                        th.num { "pick" }
                        th { "verdict (hidden)" }
                        th.num title="final programs the hidden tests accept (k/N)" { "hidden k/N" }
                        th.num { "cost" }
                        th.num { "seconds" }
                    }
                }
                tbody {
                    @for p in problems {
                        tr data-status=(p.status.key()) {
                            td { a href=(format!("#{}", p.anchor)) { (p.id) } }
                            td class=(format!("status s-{}", p.status.key())) { (p.status.name()) }
                            td.num data-sort=(p.candidates) { (p.candidates) "/" (p.finals) }
                            td.num { (p.groups_count) }
                            td.num data-sort=(p.pick.as_ref().map_or(-1, |k| k.sample as i64)) {
                                @if let Some(k) = &p.pick { "sample " (k.sample) } @else { "-" }
                            }
                            td {
                                @if let Some((v, passed, total)) = p.verdict {
                                    span class=(if v.is_accepted() { "v-accepted" } else { "v-fail" }) { (v.as_str()) }
                                    " " (passed) "/" (total)
                                } @else if let Some(n) = &p.not_scored {
                                    span.muted { (n) }
                                } @else {
                                    span.muted { "-" }
                                }
                            }
                            td.num data-sort=(p.hidden_accepted.map_or(-1.0, |(k, n)| if n == 0 { 0.0 } else { k as f64 / n as f64 })) {
                                @if let Some((k, n)) = p.hidden_accepted { (k) "/" (n) } @else { "-" }
                            }
                            td.num data-sort=(cost_key(p)) {
                                @if let Some(d) = p.dollars { (format!("${d:.4}")) } @else { (p.tokens) " tok" }
                            }
                            td.num data-sort=(format!("{:.3}", p.seconds)) { (format!("{:.1}", p.seconds)) }
                        }
                    }
                }
            }
        }
    }
}

fn problem_section(p: &ProblemView) -> Markup {
    html! {
        section.problem id=(p.anchor) {
            h2 {
                (p.id) " "
                span class=(format!("status s-{}", p.status.key())) { "· " (p.status.name()) }
            }
            p.muted {
                @if let Some(m) = &p.method { "selection " code { (m) } " · " }
                @if let Some(d) = &p.difficulty { "difficulty " (d) " · " }
                @if let Some(s) = &p.source { "source " (s) " · " }
                (plural(p.samples, "sample", "samples")) " · "
                (format!("{:.1} s", p.seconds)) " · "
                (p.tokens) " tokens"
                @if let Some(d) = p.dollars { " · " (format!("${d:.4}")) }
                " · " a href="#problems-section" { "back to the table" }
            }
            @if !p.compute.is_empty() {
                p.muted { @for line in &p.compute { (line) " " } }
            }
            @if !p.missing.is_empty() {
                div.note { "Missing: " (p.missing.join("; ")) "." }
            }
            @if let Some(e) = &p.error {
                div.note { "Error: " (e) }
            }
            h3 { "The pick and why" }
            @if p.why.is_empty() {
                p.muted { "Nothing was picked." }
            }
            @for line in &p.why { p.why { (line) } }
            p {
                @if let Some((v, passed, total)) = p.verdict {
                    "Hidden tests: " span class=(if v.is_accepted() { "v-accepted" } else { "v-fail" }) { (v.as_str()) } " (" (passed) "/" (total) " tests)"
                } @else if let Some(n) = &p.not_scored {
                    "Hidden tests: not scored (" (n) ")"
                } @else {
                    span.muted { "Hidden tests: not evaluated." }
                }
                @if let Some((k, n)) = p.hidden_accepted {
                    "; the hidden tests accept " (k) " of " (n) " final programs."
                }
            }
            (samples(p))
            (groups(p))
            (inputs(p))
            (judge(p))
            @if let Some(code) = &p.code {
                h3 {
                    "The chosen program"
                    @if let Some(k) = &p.pick { " (sample " (k.sample) ")" }
                    @if p.language == Some(crate::program::Language::Cpp) { ", in C++" }
                }
                (folded(code, "code"))
            }
            @if let Some(d) = &p.diff {
                details open {
                    summary { "Diff against the runner-up, sample " (d.runner_up) " (" (d.why) ")" }
                    @if d.lines.is_empty() {
                        p.muted { "The two programs are identical." }
                    } @else {
                        pre.code.diff {
                            // A run of lines of one kind is one span (a block per run).
                            @for run in d.lines.chunk_by(|a, b| a.kind == b.kind) {
                                @let class = match run[0].kind {
                                    DiffKind::Hunk | DiffKind::Folded => "d-hunk",
                                    DiffKind::Same => "d-same",
                                    DiffKind::Removed => "d-del",
                                    DiffKind::Added => "d-add",
                                };
                                span class=(class) {
                                    @for (i, l) in run.iter().enumerate() {
                                        @if i > 0 { "\n" }
                                        (l.text)
                                    }
                                }
                            }
                        }
                        @if d.omitted > 0 {
                            div.fold { "… " (d.omitted) " more diff lines; both programs are whole in selection.json" }
                        }
                    }
                    p.muted { "- runner-up, + chosen." }
                }
            }
        }
    }
}

fn samples(p: &ProblemView) -> Markup {
    html! {
        @if !p.samples_view.is_empty() {
            details open[p.samples_view.len() <= 8] {
                summary {
                    "Samples and debug rounds ("
                    (p.samples_view.iter().filter(|s| s.passes_public).count()) " of "
                    (p.samples_view.len()) " pass the public tests)"
                }
                // Numbers are right-aligned by column (table.rounds in the CSS): a page holds
                // thousands of these rows.
                table.rounds {
                    thead { tr { th { "sample" } th { "round" } th { "status" } th { "public tests" } th.num { "passed" } th.num { "tokens" } } }
                    tbody {
                        @for s in &p.samples_view {
                            @for r in &s.rounds {
                                tr {
                                    td { (s.sample) }
                                    td { (r.round) }
                                    td { (r.status) @if r.cached { span.tag { "cached" } } }
                                    td {
                                        // Passing tests as a bare mark (a page of 200 problems
                                        // holds thousands of them); failing ones named.
                                        // A run of passing tests is one span of marks.
                                        @for run in r.public.chunk_by(|a, b| a.1.is_accepted() && b.1.is_accepted()) {
                                            @if run[0].1.is_accepted() {
                                                span.v-accepted { @for _ in run { "✓" } }
                                            } @else {
                                                " " span.v-fail { "✗ " (run[0].0) } " (" (run[0].1.as_str()) ") "
                                            }
                                        }
                                        @if let Some(f) = &r.feedback {
                                            (once(f, "debug feedback sent to the model", "debug feedback", "feedback"))
                                        }
                                        @if let Some(t) = &r.problem {
                                            (once(t, "what went wrong", "what went wrong", "reply"))
                                        }
                                    }
                                    td { (r.passed) "/" (r.total) }
                                    td { (r.tokens) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn groups(p: &ProblemView) -> Markup {
    html! {
        @if !p.groups.is_empty() {
            h3 { "Behaviour groups" }
            table.groups {
                thead { tr { th { "group" } th { "samples" } th.num { "wins" } th.num { "agreement" } th { "" } } }
                tbody {
                    @for g in &p.groups {
                        tr class=[g.picked.then_some("picked")] {
                            td { "group " (g.index + 1) }
                            td { (join(&g.samples)) }
                            td.num { (g.wins) }
                            td.num {
                                @if let Some(a) = g.agreement { (a) }
                                @else if let Some(a) = g.agreements { (a) " expected outputs" }
                                @else { "-" }
                            }
                            td { @if g.picked { "picked" } }
                        }
                    }
                }
            }
            @if !p.always_failing.is_empty() {
                p.muted { "Failing on every input, left out: samples " (join(&p.always_failing)) }
            }
        }
    }
}

fn input_title(i: &super::model::InputView) -> Markup {
    html! {
        "input #" (i.index) " · " strong { (i.source) }
        @if let Some(t) = &i.tag { span.tag { (t) } }
        @if let Some(s) = i.seed { span.tag { "seed " (s) } }
        " · " (i.bytes) " bytes"
        @if let Some(n) = i.splits { " · split off " (plural(n, "group", "groups")) }
        @if !i.kept { span.tag { "dropped" } }
        @if i.judged { span.tag { "shown to the judge" } }
        @if let Some(f) = &i.file { " · " span.muted { (f) } }
    }
}

fn inputs(p: &ProblemView) -> Markup {
    html! {
        @if !p.distinguishing.is_empty() {
            h3 { "Distinguishing inputs and each group's real output" }
            @for (k, i) in p.distinguishing.iter().enumerate() {
                div.input {
                    p { (input_title(i)) }
                    (folded(&i.preview, "input"))
                    @if p.outputs_recorded {
                        div.side {
                            @for g in &p.groups {
                                div.cell.picked[g.picked] {
                                    // Members are in the groups table above (and by the first input).
                                    div.small {
                                        "group " (g.index + 1)
                                        @if k == 0 { " (sample" @if g.samples.len() > 1 { "s" } " " (join(&g.samples)) ")" }
                                        @if g.picked { " · picked" }
                                    }
                                    @if let Some(o) = g.outputs.get(k) { (folded(o, "output")) } @else { pre { "-" } }
                                }
                            }
                        }
                    }
                }
            }
            @if !p.outputs_recorded {
                p.note { "This run did not record the groups' outputs (sstar before the report); rerun selection to see them." }
            }
        }
        @if p.inputs_total > 0 {
            details {
                summary { "All synthesized inputs (" (p.inputs_total) ")" }
                @if let Some(c) = &p.input_counts { p { (c) } }
                table {
                    thead { tr { th { "source" } th.num { "inputs" } th.num { "kept" } } }
                    tbody {
                        @for (s, n, kept) in &p.inputs_by_source {
                            tr { td { (s) } td.num { (n) } td.num { (kept) } }
                        }
                    }
                }
                @if !p.inputs_listed.is_empty() {
                    table.inputs {
                        thead { tr { th { "input" } th { "source" } th.num { "bytes" } th { "" } th { "preview" } } }
                        tbody {
                            @for i in &p.inputs_listed {
                                tr {
                                    td { "#" (i.index) }
                                    td { (i.source) @if let Some(t) = &i.tag { span.tag { (t) } } @if let Some(s) = i.seed { span.tag { "seed " (s) } } }
                                    td { (i.bytes) }
                                    td {
                                        @if !i.kept { span.tag { "dropped" } }
                                        @if let Some(n) = i.splits { @if n > 0 { "splits " (n) } }
                                    }
                                    td {
                                        @if i.above { span.muted { "shown above" } }
                                        @else { code { (i.preview.text.trim_end()) } @if i.preview.is_folded() { span.muted { " …" } } }
                                    }
                                }
                            }
                        }
                    }
                }
                p.muted {
                    @if p.inputs_total > p.inputs_listed.len() {
                        (p.inputs_total - p.inputs_listed.len()) " more inputs; "
                    }
                    "each input is whole in the run directory (inputs/K.in)."
                }
            }
        }
    }
}

fn judge(p: &ProblemView) -> Markup {
    html! {
        @if !p.comparisons.is_empty() {
            h3 { "Pairwise judgements (asked in both orders)" }
            @if let Some(judge) = &p.judge { p { (judge) } }
            table {
                thead { tr { th { "pair" } th { "input" } th { "asked: A = first, B = second" } th { "swapped: A = second, B = first" } th { "later rounds (asked, swapped)" } th { "decision" } } }
                tbody {
                    @for c in &p.comparisons {
                        tr {
                            td { "group " (c.a + 1) " vs group " (c.b + 1) }
                            td { @if let Some(i) = c.input { "#" (i) } @else { "-" } }
                            td { (c.asked) }
                            td { (c.swapped) }
                            td { @for (k, round) in c.later.iter().enumerate() { @if k > 0 { br; } (round) } }
                            td { (c.sentence) }
                        }
                    }
                }
            }
        }
    }
}
