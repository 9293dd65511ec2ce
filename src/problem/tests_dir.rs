//! Reading `tests/public` and `tests/hidden`: `NAME.in` / `NAME.out` pairs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::LoadErrorReason;
use super::files::{list_files, read_required, utf8_stem, MAX_TEST_BYTES};
use super::model::Kind;
use super::natural::natural_cmp;
use super::test_case::{parse_arguments, parse_expected, TestCase, Visibility};

/// Reads the tests of one visibility in natural name order; for function
/// problems each `.in` line and the `.out` file must be JSON.
pub(crate) fn read_tests(
    dir: &Path,
    visibility: Visibility,
    kind: Kind,
) -> Result<Vec<TestCase>, LoadErrorReason> {
    let rel = Path::new("tests").join(match visibility {
        Visibility::Public => "public",
        Visibility::Hidden => "hidden",
    });
    let mut pairs: BTreeMap<String, (Option<PathBuf>, Option<PathBuf>)> = BTreeMap::new();
    let is_test = |file: &Path| file.extension().is_some_and(|e| e == "in" || e == "out");
    for file in list_files(dir, &rel, is_test)? {
        let is_in = file.extension().is_some_and(|e| e == "in");
        let pair = pairs.entry(utf8_stem(&file)?).or_default();
        if is_in {
            pair.0 = Some(file);
        } else {
            pair.1 = Some(file);
        }
    }
    let mut names: Vec<(String, PathBuf, PathBuf)> = Vec::with_capacity(pairs.len());
    let mut unpaired: Vec<(String, LoadErrorReason)> = Vec::new();
    for (name, pair) in pairs {
        match pair {
            (Some(input), Some(output)) => names.push((name, input, output)),
            (Some(file), None) => {
                let missing = file.with_extension("out");
                unpaired.push((name, LoadErrorReason::UnpairedTest { file, missing }));
            }
            (None, Some(file)) => {
                let missing = file.with_extension("in");
                unpaired.push((name, LoadErrorReason::UnpairedTest { file, missing }));
            }
            (None, None) => {}
        }
    }
    if let Some((_, err)) = unpaired.into_iter().min_by(|a, b| natural_cmp(&a.0, &b.0)) {
        return Err(err);
    }
    names.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    names
        .into_iter()
        .map(|(name, input_file, output_file)| {
            let input = read_required(dir, &input_file, MAX_TEST_BYTES)?;
            let expected = read_required(dir, &output_file, MAX_TEST_BYTES)?;
            match kind {
                Kind::Function => {
                    validate_function_test(&input, &input_file, &expected, &output_file)?
                }
                Kind::Stdio => {}
            }
            Ok(TestCase {
                name,
                visibility,
                input: input.into(),
                expected: expected.into(),
            })
        })
        .collect()
}

fn validate_function_test(
    input: &[u8],
    input_file: &Path,
    expected: &[u8],
    output_file: &Path,
) -> Result<(), LoadErrorReason> {
    parse_arguments(input).map_err(|(line, source)| LoadErrorReason::BadArgument {
        file: input_file.to_path_buf(),
        line,
        source,
    })?;
    parse_expected(expected).map_err(|source| LoadErrorReason::BadExpected {
        file: output_file.to_path_buf(),
        source,
    })?;
    Ok(())
}
