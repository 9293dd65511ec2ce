//! LiveCodeBench `code_generation_lite` rows: LeetCode problems become function problems
//! (`testtype` "functional", arguments one JSON value per line exactly as in LCB), AtCoder and
//! Codeforces problems stdio ones. Private tests are base64(zlib(pickle(json text))).

use std::io::Read;

use base64::Engine;
use flate2::read::ZlibDecoder;
use serde::Deserialize;
use serde_json::Value;

use super::error::SkipReason;
use super::fields::{embedded, id_of, looks_like_python, row, string_or_number};
use super::input::RawRow;
use super::run::{Context, ImportOptions, Importer, Parsed};
use super::writer::{Draft, TestPair};
use crate::problem::Kind;

/// LCB grades with a 6 s budget per test in its own runner.
const TIME_LIMIT_MS: u64 = 6000;

/// Most bytes one row's private tests may inflate to. The largest real rows inflate to tens
/// of MiB; zlib shrinks repetitive text about 1000-fold, so an unbounded row once took 4.3 GB.
pub(crate) const MAX_DECODED_BYTES: u64 = 512 << 20;

#[derive(Debug)]
pub(crate) struct LiveCodeBench;

#[derive(Debug, Deserialize)]
pub(crate) struct Row {
    #[serde(deserialize_with = "string_or_number")]
    question_id: String,
    #[serde(default)]
    question_title: String,
    #[serde(default)]
    question_content: String,
    #[serde(default)]
    platform: String,
    #[serde(default)]
    starter_code: String,
    #[serde(default)]
    difficulty: String,
    #[serde(default)]
    contest_date: String,
    #[serde(default, deserialize_with = "string_or_number")]
    contest_id: String,
    #[serde(default)]
    public_test_cases: Value,
    #[serde(default)]
    private_test_cases: Value,
    #[serde(default)]
    metadata: Value,
}

/// One LCB test: `input`/`output` verbatim, `testtype` "functional" or "stdin".
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub(crate) struct LcbTest {
    pub input: String,
    pub output: String,
    #[serde(default)]
    pub testtype: String,
}

#[derive(Debug, Default, Deserialize)]
struct Metadata {
    func_name: Option<String>,
}

impl Importer for LiveCodeBench {
    type Row = Row;

    fn parse(&self, raw: RawRow, options: &ImportOptions) -> Parsed<Row> {
        let id = id_of(&raw, "question_id");
        let row: Row = row(raw.value).map_err(|e| (id.clone(), e))?;
        if row.question_id.trim().is_empty() {
            return Err((None, SkipReason::BadRow("empty question_id".into())));
        }
        let date = row.contest_date.get(..10).unwrap_or("");
        let keep = options
            .since
            .as_deref()
            .is_none_or(|since| date >= since && !date.is_empty())
            && options
                .until
                .as_deref()
                .is_none_or(|until| date <= until && !date.is_empty())
            && (options.platforms.is_empty()
                || options.platforms.contains(&row.platform.to_lowercase()));
        Ok(keep.then(|| (row.question_id.trim().to_owned(), row)))
    }

    fn convert(&self, row: Row, _context: &Context<'_>) -> Result<Draft, SkipReason> {
        let public: Vec<LcbTest> =
            embedded(&row.public_test_cases, "public_test_cases")?.unwrap_or_default();
        let private = private_tests(&row.private_test_cases)?;
        let Some(first) = public.iter().chain(&private).next() else {
            return Err(SkipReason::NoTests("the row has none".into()));
        };
        let kind = kind_of(&first.testtype)?;
        if let Some(other) = public
            .iter()
            .chain(&private)
            .find(|t| kind_of(&t.testtype).ok() != Some(kind))
        {
            return Err(SkipReason::UnparsableTests(format!(
                "mixed test types `{}` and `{}`",
                first.testtype, other.testtype
            )));
        }
        let title = if row.question_title.trim().is_empty() {
            row.question_id.clone()
        } else {
            row.question_title.trim().to_owned()
        };
        let mut draft = Draft::new(title, kind, row.question_content.clone());
        draft.time_limit_ms = Some(TIME_LIMIT_MS);
        let platform = row.platform.trim().to_lowercase();
        draft.metadata.source = Some(if platform.is_empty() {
            "livecodebench".into()
        } else {
            platform.clone()
        });
        draft.metadata.difficulty =
            Some(row.difficulty.trim().to_lowercase()).filter(|d| !d.is_empty());
        draft.metadata.url = url(&platform, &row);
        draft.packages = packages(&platform);
        match kind {
            Kind::Function => {
                let metadata: Metadata = embedded(&row.metadata, "metadata")
                    .map_err(|e| SkipReason::BadRow(e.to_string()))?
                    .unwrap_or_default();
                let Some(func) = metadata.func_name.filter(|f| !f.is_empty()) else {
                    return Err(SkipReason::BadRow(
                        "functional tests but no func_name in metadata".into(),
                    ));
                };
                let starter = row.starter_code.trim_end();
                if !starter.is_empty() && !looks_like_python(starter) {
                    return Err(SkipReason::NonPythonStarter);
                }
                draft.entry_point = Some(if starter.contains("class Solution") {
                    format!("Solution.{func}")
                } else {
                    func
                });
                if !starter.is_empty() {
                    draft.starter = Some(row.starter_code.clone());
                }
            }
            Kind::Stdio => {}
        }
        let pair = |t: &LcbTest| TestPair {
            input: t.input.clone(),
            output: t.output.clone(),
        };
        draft.public = public.iter().map(pair).collect();
        // LCB grades on public and private tests together.
        draft.hidden = public.iter().chain(&private).map(pair).collect();
        Ok(draft)
    }
}

/// What a program may import beyond the standard library where LiveCodeBench grades it: its
/// grader's environment has `numpy`; LeetCode's Python also offers `sortedcontainers`.
fn packages(platform: &str) -> Vec<String> {
    let mut packages = vec!["numpy".to_owned()];
    if platform == "leetcode" {
        packages.push("sortedcontainers".to_owned());
    }
    packages
}

fn kind_of(testtype: &str) -> Result<Kind, SkipReason> {
    match testtype {
        "functional" => Ok(Kind::Function),
        "stdin" | "stdio" => Ok(Kind::Stdio),
        other => Err(SkipReason::UnparsableTests(format!(
            "unknown testtype `{other}`"
        ))),
    }
}

fn url(platform: &str, row: &Row) -> Option<String> {
    let id = row.question_id.trim();
    let contest = row.contest_id.trim();
    match platform {
        "atcoder" if !contest.is_empty() => {
            Some(format!("https://atcoder.jp/contests/{contest}/tasks/{id}"))
        }
        "codeforces" => {
            let (contest, index) = id.split_once('_')?;
            Some(format!(
                "https://codeforces.com/contest/{contest}/problem/{index}"
            ))
        }
        "leetcode" => {
            let slug = row.question_title.trim();
            let is_slug = !slug.is_empty()
                && slug
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            is_slug.then(|| format!("https://leetcode.com/problems/{slug}/"))
        }
        _ => None,
    }
}

/// LCB's `private_test_cases`: plain JSON (older releases) or base64 → zlib → pickle → JSON.
fn private_tests(value: &Value) -> Result<Vec<LcbTest>, SkipReason> {
    match value {
        Value::String(text) if !text.trim().is_empty() && !text.trim_start().starts_with('[') => {
            let json = decode_pickled(text.trim(), MAX_DECODED_BYTES)?;
            serde_json::from_str(&json)
                .map_err(|e| SkipReason::UnparsableTests(format!("private_test_cases: {e}")))
        }
        other => Ok(embedded(other, "private_test_cases")?.unwrap_or_default()),
    }
}

/// base64 → zlib → a pickled `str`, inflating to at most `cap` bytes (past it, decoding stops
/// and the row is skipped as too large).
fn decode_pickled(text: &str, cap: u64) -> Result<String, SkipReason> {
    let unparsable =
        |what: String| SkipReason::UnparsableTests(format!("private_test_cases: {what}"));
    let compressed = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| unparsable(format!("not base64: {e}")))?;
    let mut pickled = Vec::new();
    ZlibDecoder::new(compressed.as_slice())
        .take(cap + 1)
        .read_to_end(&mut pickled)
        .map_err(|e| unparsable(format!("not zlib: {e}")))?;
    if pickled.len() as u64 > cap {
        return Err(SkipReason::TooLarge(format!(
            "private_test_cases inflate past the {} MiB cap",
            cap >> 20
        )));
    }
    drop(compressed);
    serde_pickle::from_slice(&pickled, serde_pickle::DeOptions::new())
        .map_err(|e| unparsable(format!("not a pickled string: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// What LCB's release script does: json text → pickle → zlib → base64.
    fn encode(json: &str) -> String {
        let pickled = serde_pickle::to_vec(&json.to_owned(), serde_pickle::SerOptions::new())
            .expect("pickle");
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(&pickled).expect("zlib");
        base64::engine::general_purpose::STANDARD.encode(zlib.finish().expect("zlib"))
    }

    fn raw(value: Value) -> RawRow {
        RawRow {
            number: 1,
            text: value.to_string(),
            value: Ok(value),
        }
    }

    fn options() -> ImportOptions {
        ImportOptions {
            max_solutions: 3,
            ..ImportOptions::default()
        }
    }

    #[test]
    fn pickled_private_tests_decode_to_the_tests_encoded() {
        let tests = r#"[{"input": "3\n1 2 3\n", "output": "6\n", "testtype": "stdin"}]"#;
        let decoded = private_tests(&Value::String(encode(tests))).expect("decodes");
        assert_eq!(
            decoded,
            [LcbTest {
                input: "3\n1 2 3\n".into(),
                output: "6\n".into(),
                testtype: "stdin".into()
            }]
        );
        assert!(decode_pickled("not base64!", MAX_DECODED_BYTES).is_err());
    }

    #[test]
    fn python_pickles_decode_too() {
        // pickle.dumps('[]') with protocol 4 (FRAME, SHORT_BINUNICODE, MEMOIZE), zlib, base64.
        assert_eq!(
            decode_pickled("eJxrYJnKxgABPUzRsVP0ABkLAyg=", MAX_DECODED_BYTES).expect("decodes"),
            "[]"
        );
    }

    #[test]
    fn decoding_stops_at_the_cap() {
        let tests = r#"[{"input": "1\n", "output": "1\n", "testtype": "stdin"}]"#;
        let encoded = encode(tests);
        let size = decode_pickled(&encoded, MAX_DECODED_BYTES)
            .expect("decodes")
            .len();
        assert_eq!(size, tests.len());
        // The pickle is a few bytes longer than its text; a cap below it refuses the row.
        let err = decode_pickled(&encoded, tests.len() as u64).expect_err("over the cap");
        assert!(matches!(err, SkipReason::TooLarge(_)), "{err:?}");
    }

    fn row_json(testtype: &str, starter: &str) -> Value {
        serde_json::json!({
            "question_id": 2727,
            "question_title": "is-array-a-preorder",
            "question_content": "Do it.",
            "platform": "leetcode",
            "starter_code": starter,
            "difficulty": "Easy",
            "contest_date": "2023-08-21T00:00:00",
            "public_test_cases": format!(r#"[{{"input": "[1, 2]\n3", "output": "true", "testtype": "{testtype}"}}]"#),
            "private_test_cases": encode(&format!(r#"[{{"input": "[]\n0", "output": "false", "testtype": "{testtype}"}}]"#)),
            "metadata": "{\"func_name\": \"isPreorder\"}",
        })
    }

    #[test]
    fn functional_rows_become_function_problems() {
        let starter =
            "class Solution:\n    def isPreorder(self, a: List[int], k: int) -> bool:\n        ";
        let options = options();
        let (id, row) = LiveCodeBench
            .parse(raw(row_json("functional", starter)), &options)
            .expect("parses")
            .expect("kept");
        assert_eq!(id, "2727");
        let context = Context::for_tests(&options);
        let draft = LiveCodeBench.convert(row, &context).expect("converts");
        assert_eq!(draft.kind, Kind::Function);
        assert_eq!(draft.entry_point.as_deref(), Some("Solution.isPreorder"));
        assert_eq!(draft.public.len(), 1);
        assert_eq!(draft.hidden.len(), 2);
        assert_eq!(draft.hidden[1].input, "[]\n0");
        assert_eq!(draft.metadata.difficulty.as_deref(), Some("easy"));
        assert_eq!(draft.packages, ["numpy", "sortedcontainers"]);
        assert_eq!(
            draft.metadata.url.as_deref(),
            Some("https://leetcode.com/problems/is-array-a-preorder/")
        );
    }

    #[test]
    fn non_python_starters_and_unknown_testtypes_are_skipped() {
        let options = options();
        let context = Context::for_tests(&options);
        let (_, row) = LiveCodeBench
            .parse(
                raw(row_json("functional", "class Solution {\npublic:\n};")),
                &options,
            )
            .expect("parses")
            .expect("kept");
        assert_eq!(
            LiveCodeBench.convert(row, &context).expect_err("skip"),
            SkipReason::NonPythonStarter
        );
        let (_, row) = LiveCodeBench
            .parse(raw(row_json("interactive", "")), &options)
            .expect("parses")
            .expect("kept");
        assert!(matches!(
            LiveCodeBench.convert(row, &context),
            Err(SkipReason::UnparsableTests(_))
        ));
    }

    #[test]
    fn date_and_platform_filters() {
        let kept = |since: Option<&str>, until: Option<&str>, platform: &[&str]| {
            let options = ImportOptions {
                since: since.map(Into::into),
                until: until.map(Into::into),
                platforms: platform.iter().map(|p| p.to_string()).collect(),
                ..options()
            };
            LiveCodeBench
                .parse(raw(row_json("functional", "")), &options)
                .expect("parses")
                .is_some()
        };
        assert!(kept(None, None, &[]));
        assert!(kept(Some("2023-08-21"), Some("2023-08-21"), &["leetcode"]));
        assert!(!kept(Some("2023-08-22"), None, &[]));
        assert!(!kept(None, Some("2023-08-20"), &[]));
        assert!(!kept(None, None, &["atcoder"]));
    }
}
