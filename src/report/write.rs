//! Reading a run, building its view and writing the page atomically.

use std::path::{Path, PathBuf};

use super::error::ReportError;
use super::files::RunFiles;
use super::{html, model};
use crate::store::write_atomic;

/// Where `sstar report RUN` writes by default.
pub fn default_path(run: &Path) -> PathBuf {
    run.join("report.html")
}

/// The page for the run at `run`, as a string.
pub fn render(run: &Path) -> Result<String, ReportError> {
    let files = RunFiles::read(run)?;
    Ok(html::page(&model::build(&files)))
}

/// Writes the page for `run` to `out` (default `RUN/report.html`); returns where.
pub fn write_report(run: &Path, out: Option<&Path>) -> Result<PathBuf, ReportError> {
    let page = render(run)?;
    let path = out.map_or_else(|| default_path(run), Path::to_path_buf);
    write_atomic(&path, page.as_bytes()).map_err(ReportError::io(&path))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "</script><script>alert(1)</script><img src=x onerror=alert(2)>";

    /// A run as an older sstar wrote it: no eval.json, no trace, no ledger, selection.json
    /// without `distinguishing`, `splits` or group outputs; hostile text everywhere.
    fn old_run(root: &Path) {
        let id = "p<b>1";
        let dir = root.join("problems").join(id);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let result = serde_json::json!({
            "id": id, "status": "selected", "public_passed": true, "samples": 2, "llm_calls": 0,
            "prompt_tokens": 0, "completion_tokens": 0, "seconds": 1.5, "difficulty": HOSTILE,
        });
        std::fs::write(root.join("results.jsonl"), format!("{result}\n")).expect("results");
        let selection = serde_json::json!({
            "method": "sstar", "model_free": true,
            "finals": [
                {"sample": 0, "public_passed": 1, "public_total": 1, "code": format!("print({HOSTILE:?})")},
                {"sample": 1, "public_passed": 1, "public_total": 1, "code": "print(1)"},
            ],
            "candidates": [0, 1],
            "inputs": [{"source": "mutation", "bytes": 3, "preview": HOSTILE}],
            "groups": [{"samples": [0], "wins": 0}, {"samples": [1], "wins": 0}],
            "comparisons": [{"a": 0, "b": 1, "input": 0, "answers": ["A", null], "decided_by": "tie"}],
            "pick": {"final_index": 0, "sample": 0, "reason": HOSTILE},
        });
        std::fs::write(dir.join("selection.json"), selection.to_string()).expect("selection");
    }

    #[test]
    fn an_old_run_renders_and_hostile_text_stays_text() {
        let dir = tempfile::tempdir().expect("dir");
        old_run(dir.path());
        let page = render(dir.path()).expect("renders");
        assert_eq!(
            page.matches("<script").count(),
            1,
            "only the page's own script"
        );
        assert!(!page.contains("<img") && !page.contains("<b>1"));
        assert!(page.contains("&lt;img src=x onerror=alert(2)&gt;"));
        assert!(page.contains("id=\"problem-p_3cb_3e1\""));
        // What is missing is said, not guessed.
        assert!(page.contains("not evaluated: run sstar eval"));
        assert!(page.contains("Missing: trace.jsonl"));
        assert!(page.contains("did not record the groups' outputs"));
        // The diff runs against the other group's program.
        assert!(page.contains("+print(&quot;&lt;/script&gt;"));
    }

    #[test]
    fn a_directory_that_is_no_run_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("dir");
        let error = render(dir.path()).expect_err("not a run");
        assert!(error.to_string().contains("not a run directory"), "{error}");
        std::fs::write(dir.path().join("run.json"), "{").expect("write");
        let error = render(dir.path()).expect_err("malformed");
        assert!(error.to_string().contains("run.json: malformed"), "{error}");
    }
}
