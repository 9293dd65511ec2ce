//! `problem.toml`: parsing and validating the settings of one problem.

use std::ops::RangeInclusive;

use serde::Deserialize;

use super::error::LoadErrorReason;
use super::model::{Checker, Kind, Limits, Metadata};

/// The validated contents of `problem.toml`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Manifest {
    pub title: String,
    pub kind: Kind,
    pub entry_point: Option<String>,
    pub limits: Limits,
    pub checker: Checker,
    pub float_tolerance: f64,
    pub metadata: Metadata,
    /// Packages of the judge's pinned set the problem's programs may import, sorted; `None`
    /// when `problem.toml` does not say (the set's `set.toml` decides).
    pub packages: Option<Vec<String>>,
}

/// `problem.toml` as written; unknown keys are rejected.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    title: String,
    kind: Kind,
    entry_point: Option<String>,
    time_limit_ms: Option<u64>,
    memory_limit_mb: Option<u64>,
    output_limit_mb: Option<u64>,
    #[serde(default)]
    checker: Checker,
    float_tolerance: Option<f64>,
    packages: Option<Vec<String>>,
    source: Option<String>,
    difficulty: Option<String>,
    url: Option<String>,
}

const DEFAULT_FLOAT_TOLERANCE: f64 = 1e-6;

impl Manifest {
    /// Parses and validates `problem.toml` text.
    pub fn parse(text: &str) -> Result<Self, LoadErrorReason> {
        let raw: RawManifest = toml::from_str(text).map_err(|err| {
            let message = err.message().trim();
            // The parser does not say which key a bad value belongs to (e.g. a limit past
            // what TOML integers hold): name it from the line.
            let key = err
                .span()
                .and_then(|span| key_of_value_at(text, span.start))
                .filter(|key| !message.contains(key));
            LoadErrorReason::Manifest {
                line: err.span().map(|span| line_of(text, span.start)),
                message: match key {
                    Some(key) => format!("{key}: {message}"),
                    None => message.to_owned(),
                },
            }
        })?;
        let defaults = Limits::default();
        let limits = Limits {
            time_limit_ms: in_range(
                "time_limit_ms",
                raw.time_limit_ms,
                defaults.time_limit_ms,
                Limits::TIME_LIMIT_MS,
            )?,
            memory_limit_mb: in_range(
                "memory_limit_mb",
                raw.memory_limit_mb,
                defaults.memory_limit_mb,
                Limits::MEMORY_LIMIT_MB,
            )?,
            output_limit_mb: in_range(
                "output_limit_mb",
                raw.output_limit_mb,
                defaults.output_limit_mb,
                Limits::OUTPUT_LIMIT_MB,
            )?,
        };
        let float_tolerance = raw.float_tolerance.unwrap_or(DEFAULT_FLOAT_TOLERANCE);
        if !(float_tolerance.is_finite() && float_tolerance >= 0.0) {
            return Err(LoadErrorReason::BadTolerance {
                value: float_tolerance,
            });
        }
        let entry_point = match (raw.kind, raw.entry_point) {
            (Kind::Function, None) => return Err(LoadErrorReason::MissingEntryPoint),
            (Kind::Function, Some(value)) if !is_entry_point(&value) => {
                return Err(LoadErrorReason::BadEntryPoint { value })
            }
            (Kind::Function, Some(value)) => Some(value),
            (Kind::Stdio, Some(_)) => return Err(LoadErrorReason::UnexpectedEntryPoint),
            (Kind::Stdio, None) => None,
        };
        let packages = (raw.packages)
            .map(|names| checked_packages(names, "problem.toml"))
            .transpose()?;
        Ok(Self {
            title: raw.title,
            kind: raw.kind,
            entry_point,
            limits,
            checker: raw.checker,
            float_tolerance,
            metadata: Metadata {
                source: raw.source,
                difficulty: raw.difficulty,
                url: raw.url,
            },
            packages,
        })
    }
}

/// `set.toml` at a set's root, as written: defaults for the set's problems.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSetDefaults {
    #[serde(default)]
    packages: Vec<String>,
}

/// The packages of a set's `set.toml`, for its problems whose `problem.toml` names none.
pub(crate) fn parse_set_defaults(text: &str) -> Result<Vec<String>, LoadErrorReason> {
    let raw: RawSetDefaults = toml::from_str(text).map_err(|err| LoadErrorReason::SetDefaults {
        message: err.message().trim().to_owned(),
    })?;
    checked_packages(raw.packages, "../set.toml")
}

/// `names`, each one of the pinned set, sorted, once each.
fn checked_packages(
    mut names: Vec<String>,
    file: &'static str,
) -> Result<Vec<String>, LoadErrorReason> {
    if let Some(name) = names
        .iter()
        .find(|n| sstar_sandbox::packages::pin(n).is_none())
    {
        return Err(LoadErrorReason::UnknownPackage {
            file,
            name: name.clone(),
            offered: sstar_sandbox::packages::pinned_names(),
        });
    }
    names.sort();
    names.dedup();
    Ok(names)
}

/// `value` (or `default` when absent), which must lie in `range`.
fn in_range(
    key: &'static str,
    value: Option<u64>,
    default: u64,
    range: RangeInclusive<u64>,
) -> Result<u64, LoadErrorReason> {
    let value = value.unwrap_or(default);
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(LoadErrorReason::LimitOutOfRange {
            key,
            value,
            min: *range.start(),
            max: *range.end(),
        })
    }
}

/// `name` or `Class.method`, each part a Python identifier.
fn is_entry_point(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    (1..=2).contains(&parts.len()) && parts.iter().all(|p| is_identifier(p))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// The bare key of the `key = value` line whose value holds byte `offset`.
fn key_of_value_at(text: &str, offset: usize) -> Option<&str> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |at| at + 1);
    let (key, _) = text[start..offset].split_once('=')?;
    let key = key.trim();
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    bare.then_some(key)
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest, LoadErrorReason> {
        Manifest::parse(text)
    }

    #[test]
    fn defaults_apply() {
        let m = parse("title = \"T\"\nkind = \"stdio\"\n").expect("valid");
        assert_eq!(m.title, "T");
        assert_eq!(m.kind, Kind::Stdio);
        assert_eq!(m.entry_point, None);
        assert_eq!(
            m.limits,
            Limits {
                time_limit_ms: 6000,
                memory_limit_mb: 1024,
                output_limit_mb: 64
            }
        );
        assert_eq!(m.checker, Checker::Lines);
        assert_eq!(m.float_tolerance, 1e-6);
        assert_eq!(m.metadata, Metadata::default());
    }

    #[test]
    fn every_key_is_read() {
        let m = parse(
            r#"
title = "Two Sum"
kind = "function"
entry_point = "Solution.twoSum"
time_limit_ms = 2000
memory_limit_mb = 256
output_limit_mb = 8
checker = "float"
float_tolerance = 0
source = "leetcode"
difficulty = "easy"
url = "https://leetcode.com/problems/two-sum/"
packages = ["sortedcontainers", "numpy", "sortedcontainers"]
"#,
        )
        .expect("valid");
        assert_eq!(
            m.packages.as_deref(),
            Some(&["numpy".to_owned(), "sortedcontainers".to_owned()][..])
        );
        assert_eq!(m.kind, Kind::Function);
        assert_eq!(m.entry_point.as_deref(), Some("Solution.twoSum"));
        assert_eq!(m.limits.time_limit_ms, 2000);
        assert_eq!(m.limits.memory_limit_mb, 256);
        assert_eq!(m.limits.output_limit_mb, 8);
        assert_eq!(m.checker, Checker::Float);
        assert_eq!(m.float_tolerance, 0.0);
        assert_eq!(m.metadata.source.as_deref(), Some("leetcode"));
        assert_eq!(m.metadata.difficulty.as_deref(), Some("easy"));
        assert!(m.metadata.url.is_some());
    }

    #[test]
    fn a_package_outside_the_pinned_set_is_named() {
        let error = parse("title = \"T\"\nkind = \"stdio\"\npackages = [\"numpyy\"]\n")
            .expect_err("unknown package");
        let message = error.to_string();
        assert!(
            message.contains("numpyy") && message.contains("sortedcontainers, numpy"),
            "{message}"
        );
        assert_eq!(
            parse("title = \"T\"\nkind = \"stdio\"\n")
                .expect("valid")
                .packages,
            None
        );
        assert_eq!(
            parse_set_defaults("packages = [\"numpy\"]\n").expect("valid"),
            ["numpy"]
        );
        assert!(parse_set_defaults("packages = [\"x\"]\n").is_err());
        assert!(parse_set_defaults("title = \"x\"\n").is_err());
    }

    #[test]
    fn all_checkers_parse() {
        for (name, checker) in [
            ("lines", Checker::Lines),
            ("exact", Checker::Exact),
            ("tokens", Checker::Tokens),
            ("float", Checker::Float),
            ("program", Checker::Program),
        ] {
            let m = parse(&format!(
                "title = \"T\"\nkind = \"stdio\"\nchecker = \"{name}\"\n"
            ))
            .expect("valid");
            assert_eq!(m.checker, checker);
        }
    }

    fn manifest_error(text: &str) -> (Option<usize>, String) {
        match parse(text) {
            Err(LoadErrorReason::Manifest { line, message }) => (line, message),
            other => panic!("expected a manifest error, got {other:?}"),
        }
    }

    #[test]
    fn unknown_kind_names_the_value_and_line() {
        let (line, message) = manifest_error("title = \"T\"\nkind = \"foo\"\n");
        assert_eq!(line, Some(2));
        assert!(message.contains("unknown variant `foo`"), "{message}");
        assert!(message.contains("stdio"), "{message}");
    }

    #[test]
    fn unknown_checker_is_rejected() {
        let (_, message) = manifest_error("title = \"T\"\nkind = \"stdio\"\nchecker = \"diff\"\n");
        assert!(message.contains("unknown variant `diff`"), "{message}");
    }

    #[test]
    fn unknown_key_is_rejected() {
        let (_, message) = manifest_error("title = \"T\"\nkind = \"stdio\"\ntimelimit = 5\n");
        assert!(message.contains("unknown field `timelimit`"), "{message}");
    }

    #[test]
    fn missing_required_key_is_rejected() {
        let (_, message) = manifest_error("kind = \"stdio\"\n");
        assert!(message.contains("missing field `title`"), "{message}");
    }

    #[test]
    fn syntax_error_has_a_line() {
        let (line, message) = manifest_error("title = \"T\"\nkind = \"stdio\"\n= 3\n");
        assert_eq!(line, Some(3));
        assert!(!message.is_empty());
    }

    #[test]
    fn a_value_past_toml_integers_names_its_key() {
        let (line, message) = manifest_error(
            "title = \"T\"\nkind = \"stdio\"\nmemory_limit_mb = 18446744073709551615\n",
        );
        assert_eq!(line, Some(3));
        assert!(message.starts_with("memory_limit_mb: "), "{message}");
    }

    #[test]
    fn wrong_types_are_rejected() {
        let (_, message) = manifest_error("title = \"T\"\nkind = \"stdio\"\ntime_limit_ms = -5\n");
        assert!(!message.is_empty());
        let (_, message) = manifest_error("title = \"T\"\nkind = \"stdio\"\ntime_limit_ms = 1.5\n");
        assert!(message.contains("invalid type"), "{message}");
    }

    #[test]
    fn limits_outside_their_ranges_are_rejected() {
        for (key, max) in [
            ("time_limit_ms", 600_000),
            ("memory_limit_mb", 65_536),
            ("output_limit_mb", 4_096),
        ] {
            // 2^44 MiB is 2^64 bytes: the value that used to wrap to a zero-byte limit.
            for bad in [0, max + 1, 1 << 44, i64::MAX as u64] {
                let err = parse(&format!("title = \"T\"\nkind = \"stdio\"\n{key} = {bad}\n"))
                    .expect_err("out of range");
                assert!(
                    matches!(err, LoadErrorReason::LimitOutOfRange { key: k, value, .. }
                        if k == key && value == bad),
                    "{err:?}"
                );
                assert_eq!(
                    err.to_string(),
                    format!("problem.toml: {key} = {bad} is out of range 1..={max}")
                );
            }
            let at_max = parse(&format!("title = \"T\"\nkind = \"stdio\"\n{key} = {max}\n"));
            assert!(at_max.is_ok(), "{key} = {max}: {at_max:?}");
        }
    }

    #[test]
    fn bad_tolerance_is_rejected() {
        let err = parse("title = \"T\"\nkind = \"stdio\"\nfloat_tolerance = -1e-6\n")
            .expect_err("negative");
        assert!(
            matches!(err, LoadErrorReason::BadTolerance { .. }),
            "{err:?}"
        );
        let err =
            parse("title = \"T\"\nkind = \"stdio\"\nfloat_tolerance = nan\n").expect_err("nan");
        assert!(
            matches!(err, LoadErrorReason::BadTolerance { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn function_needs_entry_point() {
        let err = parse("title = \"T\"\nkind = \"function\"\n").expect_err("missing");
        assert!(matches!(err, LoadErrorReason::MissingEntryPoint), "{err:?}");
    }

    #[test]
    fn stdio_rejects_entry_point() {
        let err = parse("title = \"T\"\nkind = \"stdio\"\nentry_point = \"f\"\n")
            .expect_err("unexpected");
        assert!(
            matches!(err, LoadErrorReason::UnexpectedEntryPoint),
            "{err:?}"
        );
    }

    #[test]
    fn entry_point_shapes() {
        for good in ["solve", "_f2", "Solution.maxArea", "Klass._m"] {
            let m = parse(&format!(
                "title = \"T\"\nkind = \"function\"\nentry_point = \"{good}\"\n"
            ))
            .expect("valid");
            assert_eq!(m.entry_point.as_deref(), Some(good));
        }
        for bad in ["", "a.b.c", "2f", "f()", "Solution.", ".m", "a b"] {
            let err = parse(&format!(
                "title = \"T\"\nkind = \"function\"\nentry_point = \"{bad}\"\n"
            ))
            .expect_err(bad);
            assert!(
                matches!(&err, LoadErrorReason::BadEntryPoint { value } if value == bad),
                "{bad}: {err:?}"
            );
        }
    }
}
