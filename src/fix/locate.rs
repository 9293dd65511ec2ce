//! Finding the top-level function NAME in a file (Python's `ast`, run in the sandbox) and
//! replacing its lines with a candidate's definition.

use serde::Deserialize;
use sstar_sandbox::Termination;

use super::error::FixError;
use super::exec::{FixRun, TreeRunner};

const LOCATE_PY: &str = include_str!("locate.py");

/// A definition's lines, 1-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Location {
    /// The first decorator's line, or the `def` line.
    pub first: usize,
    #[serde(rename = "def")]
    pub def_line: usize,
    pub end: usize,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Answer {
    Error { error: String },
    Found(Location),
}

/// Where `function` is defined at the top level of `source` (the file `file`).
pub async fn locate(
    runner: &TreeRunner,
    file: &str,
    source: &str,
    function: &str,
) -> Result<Location, FixError> {
    let stdin = format!(
        "{}\n{}\n",
        serde_json::Value::from(source),
        serde_json::Value::from(function)
    );
    let job = FixRun::Helper {
        code: LOCATE_PY,
        entry_point: "locate",
        stdin: stdin.into_bytes(),
    };
    let outcome = runner.run(job).await?;
    let returned = match (&outcome.termination, outcome.returned) {
        (Termination::Finished, Some(value)) => value,
        (termination, _) => {
            return Err(FixError::Unparsable {
                file: file.to_owned(),
                reason: format!("the locator failed: {termination:?}"),
            })
        }
    };
    if returned.is_null() {
        return Err(FixError::NoFunction {
            file: file.to_owned(),
            function: function.to_owned(),
        });
    }
    match serde_json::from_value(returned) {
        Ok(Answer::Found(location)) => Ok(location),
        Ok(Answer::Error { error }) => Err(FixError::Unparsable {
            file: file.to_owned(),
            reason: error,
        }),
        Err(e) => Err(FixError::Unparsable {
            file: file.to_owned(),
            reason: format!("unexpected locator answer: {e}"),
        }),
    }
}

/// The definition's text (decorators included).
pub(crate) fn definition(source: &str, at: Location) -> String {
    source
        .split_inclusive('\n')
        .skip(at.first - 1)
        .take(at.end + 1 - at.first)
        .collect()
}

/// `source` with the definition at `at` replaced by `block`. A block that opens with a
/// decorator replaces the old decorators too; one that opens with `def` keeps them.
pub(crate) fn splice(source: &str, at: Location, block: &str) -> String {
    let decorated = block
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.starts_with('@'));
    let start = if decorated { at.first } else { at.def_line };
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    let mut out: String = lines[..start - 1].concat();
    out.push_str(block.trim_end());
    out.push('\n');
    out.push_str(&lines[at.end.min(lines.len())..].concat());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str =
        "import x\n\n@deco\ndef f(\n    a,\n):\n    return a\n\n\ndef g():\n    pass\n";
    const AT: Location = Location {
        first: 3,
        def_line: 4,
        end: 7,
    };

    #[test]
    fn a_bare_def_keeps_the_decorators() {
        let out = splice(SOURCE, AT, "def f(a):\n    return a + 1\n");
        assert_eq!(
            out,
            "import x\n\n@deco\ndef f(a):\n    return a + 1\n\n\ndef g():\n    pass\n"
        );
    }

    #[test]
    fn a_decorated_block_replaces_the_decorators() {
        let out = splice(SOURCE, AT, "@other\ndef f(a):\n    return 2\n\n");
        assert_eq!(
            out,
            "import x\n\n@other\ndef f(a):\n    return 2\n\n\ndef g():\n    pass\n"
        );
    }

    #[test]
    fn the_definition_spans_decorators_to_the_last_line() {
        assert_eq!(
            definition(SOURCE, AT),
            "@deco\ndef f(\n    a,\n):\n    return a\n"
        );
    }

    #[test]
    fn a_definition_at_the_end_of_a_file_without_newline() {
        let source = "def f():\n    return 1";
        let at = Location {
            first: 1,
            def_line: 1,
            end: 2,
        };
        assert_eq!(
            splice(source, at, "def f():\n    return 2"),
            "def f():\n    return 2\n"
        );
    }
}
