//! The test command's own record of its tests. An exit status proves nothing (a candidate can
//! end the process with status 0 before a test runs), so the command runs with pytest asked,
//! through `PYTEST_ADDOPTS`, for a JUnit XML report beside the run's scratch copy; the shell
//! around it prints that file after the command ends, and sstar reads it back from the end of
//! the output.

use super::junit::{CaseOutcome, Junit};

/// Around the record at the end of the output; the wrapper always prints them last, after
/// whatever the command printed. (Plain text: they go into a single-quoted `printf` format.)
const BEGIN: &str = "\n=== sstar: JUnit XML record of the test command ===\n";
const END: &str = "\n=== sstar: end of record ===\n";

/// `command` run as before (`/bin/sh -c`, its own exit status kept), pytest's report asked for
/// in the scratch directory (the copy's parent, private to the run), then printed.
pub(crate) fn wrap(command: &str) -> String {
    format!(
        "_sstar_record=\"${{PWD%/*}}/.sstar-junit.xml\"\n\
         PYTEST_ADDOPTS=\"--junitxml='$_sstar_record'\" /bin/sh -c {}\n\
         _sstar_status=$?\n\
         printf '{}'\n\
         if [ -f \"$_sstar_record\" ]; then cat \"$_sstar_record\"; fi\n\
         printf '{}'\n\
         exit $_sstar_status\n",
        quote(command),
        BEGIN.replace('\n', "\\n"),
        END.replace('\n', "\\n"),
    )
}

/// `text` as one single-quoted shell word.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The command's own output, and the record the wrapper printed after it (`None` when it
/// printed none or an empty one). Only the last record counts: what the command itself
/// printed comes before it.
pub(crate) fn split(stdout: &str) -> (&str, Option<&str>) {
    let Some(begin) = stdout.rfind(BEGIN) else {
        return (stdout, None);
    };
    let body = &stdout[begin + BEGIN.len()..];
    let record = body
        .rfind(END)
        .map(|end| &body[..end])
        .filter(|r| !r.trim().is_empty());
    (&stdout[..begin], record)
}

/// What a run is checked against.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Baseline<'a> {
    /// This is the run before the change: its exit status stands when it left no record
    /// (there is no change to believe in).
    Unchanged,
    /// A candidate's run, against the record of the run before the change.
    Record(&'a Junit),
    /// A candidate's run, when the run before the change was stopped by the sandbox before
    /// its record was written.
    Unknown,
}

/// Why a run that exited 0 does not count as passing (`None`: it does).
pub(crate) fn refusal(record: Option<&Junit>, baseline: Baseline<'_>) -> Option<String> {
    let Some(record) = record else {
        return match baseline {
            Baseline::Unchanged => None,
            _ => Some("the test command left no record that its tests ran".to_owned()),
        };
    };
    if record.failures + record.errors > 0
        || record
            .cases
            .iter()
            .any(|c| c.outcome == CaseOutcome::Failed)
    {
        return Some("its record shows failing tests".to_owned());
    }
    let baseline = match baseline {
        Baseline::Unchanged => return None,
        // Nothing to count against: a skipped test may be one the change skipped.
        Baseline::Unknown if record.skipped > 0 => {
            return Some(format!(
            "{} tests were skipped, and the run before the change left no record to compare with",
            record.skipped
        ))
        }
        Baseline::Unknown => return None,
        Baseline::Record(baseline) => baseline,
    };
    if record.passed() < baseline.ran() {
        return Some(format!(
            "only {} tests passed where {} ran before the change (a skipped or missing test is not a pass)",
            record.passed(),
            baseline.ran()
        ));
    }
    let passed: std::collections::HashSet<&str> = record
        .cases
        .iter()
        .filter(|c| c.outcome == CaseOutcome::Passed)
        .map(|c| c.id.as_str())
        .collect();
    baseline
        .cases
        .iter()
        .find(|c| c.outcome != CaseOutcome::Skipped && !passed.contains(c.id.as_str()))
        .map(|c| {
            format!(
                "test {} ran before the change but did not pass with it",
                c.id
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(counts: [u64; 4], cases: &[(&str, CaseOutcome)]) -> Junit {
        Junit {
            tests: counts[0],
            failures: counts[1],
            errors: counts[2],
            skipped: counts[3],
            cases: cases
                .iter()
                .map(|(id, outcome)| super::super::junit::Case {
                    id: (*id).to_owned(),
                    outcome: *outcome,
                })
                .collect(),
        }
    }

    #[test]
    fn the_record_is_the_last_one_printed() {
        let forged = format!("{BEGIN}<testsuite tests=\"9\"/>{END}");
        let stdout = format!("collected 3 items\n{forged}...{BEGIN}<real/>{END}");
        let (output, record) = split(&stdout);
        assert_eq!(record, Some("<real/>"));
        assert!(output.ends_with(&format!("{END}...")), "{output}");
        assert_eq!(split(&format!("out{BEGIN}\n{END}")), ("out", None));
        assert_eq!(
            split("killed before the wrapper printed"),
            ("killed before the wrapper printed", None)
        );
    }

    #[test]
    fn the_wrapper_keeps_the_command_one_word() {
        let wrapped = wrap("echo 'it''s' # a comment");
        assert!(
            wrapped.contains("/bin/sh -c 'echo '\\''it'\\'''\\''s'\\'' # a comment'\n"),
            "{wrapped}"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("repo")).expect("mkdir");
        let run = std::process::Command::new("/bin/sh")
            .args(["-c", &wrap("echo hi; exit 3")])
            .current_dir(dir.path().join("repo"))
            .output()
            .expect("sh");
        assert_eq!(run.status.code(), Some(3));
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert_eq!(split(&stdout), ("hi\n", None), "no pytest, no record");
    }

    #[test]
    fn exit_zero_passes_only_on_a_record_as_good_as_before() {
        use CaseOutcome::*;
        let before = report([3, 1, 0, 0], &[("a", Passed), ("b", Failed), ("c", Passed)]);
        let against = Baseline::Record(&before);
        let good = report([3, 0, 0, 0], &[("a", Passed), ("b", Passed), ("c", Passed)]);
        assert_eq!(refusal(Some(&good), against), None);
        let refused =
            |record: Option<&Junit>, baseline| refusal(record, baseline).expect("refused");
        assert!(refused(None, against).contains("left no record"));
        let skipped = report(
            [3, 0, 0, 1],
            &[("a", Passed), ("b", Skipped), ("c", Passed)],
        );
        assert!(refused(Some(&skipped), against).contains("only 2 tests passed where 3 ran"));
        let swapped = report(
            [4, 0, 0, 1],
            &[("a", Passed), ("b", Skipped), ("c", Passed), ("d", Passed)],
        );
        assert!(refused(Some(&swapped), against).contains("test b ran before"));
        assert!(refused(Some(&skipped), Baseline::Unknown).contains("1 tests were skipped"));
        assert_eq!(refusal(Some(&good), Baseline::Unknown), None);
        assert!(refused(None, Baseline::Unknown).contains("left no record"));
        let failing = report([3, 1, 0, 0], &[]);
        assert!(refused(Some(&failing), Baseline::Unchanged).contains("failing"));
        assert_eq!(
            refusal(None, Baseline::Unchanged),
            None,
            "the unchanged tree on its exit status"
        );
    }
}
