//! A small, tolerant reader of the JUnit XML report pytest writes (`--junitxml`): the suites'
//! own counts, and what became of each test case. Enough of XML for that report, no more.

/// What one report says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Junit {
    /// Summed over every `<testsuite>`: as the runner counted them.
    pub tests: u64,
    pub failures: u64,
    pub errors: u64,
    pub skipped: u64,
    /// Every `<testcase>`, in order.
    pub cases: Vec<Case>,
}

/// One `<testcase>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Case {
    /// `classname::name`, as the report names it.
    pub id: String,
    pub outcome: CaseOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CaseOutcome {
    Passed,
    /// A `<failure>` or `<error>` child.
    Failed,
    Skipped,
}

impl Junit {
    /// Reads a report; `None` when it holds no `<testsuite>` with its four counts (not a
    /// report, or a truncated one).
    pub(crate) fn parse(xml: &str) -> Option<Self> {
        let mut report = Junit::default();
        let mut suites = 0;
        let mut current: Option<Case> = None;
        let mut at = 0;
        while let Some(open) = xml[at..].find('<').map(|i| at + i) {
            let rest = &xml[open..];
            // Comments, CDATA and declarations hold no elements: skip them whole.
            if let Some(skip) = [("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>")]
                .iter()
                .find(|(start, _)| rest.starts_with(start))
                .map(|(_, end)| rest.find(end).map(|e| e + end.len()))
            {
                at = open + skip?;
                continue;
            }
            let tag = Tag::read(rest)?;
            at = open + tag.length;
            match (tag.name, tag.closing) {
                ("testsuite", false) => {
                    suites += 1;
                    for (total, name) in [
                        (&mut report.tests, "tests"),
                        (&mut report.failures, "failures"),
                        (&mut report.errors, "errors"),
                        (&mut report.skipped, "skipped"),
                    ] {
                        *total += tag.attribute(name)?.trim().parse::<u64>().ok()?;
                    }
                }
                ("testcase", false) => {
                    report.cases.extend(current.take());
                    let case = Case {
                        id: format!(
                            "{}::{}",
                            tag.attribute("classname").unwrap_or_default(),
                            tag.attribute("name").unwrap_or_default()
                        ),
                        outcome: CaseOutcome::Passed,
                    };
                    if tag.empty {
                        report.cases.push(case);
                    } else {
                        current = Some(case);
                    }
                }
                ("testcase", true) => report.cases.extend(current.take()),
                ("failure" | "error", false) => {
                    if let Some(case) = &mut current {
                        case.outcome = CaseOutcome::Failed;
                    }
                }
                ("skipped", false) => {
                    if let Some(case) = current
                        .as_mut()
                        .filter(|c| c.outcome == CaseOutcome::Passed)
                    {
                        case.outcome = CaseOutcome::Skipped;
                    }
                }
                _ => {}
            }
        }
        report.cases.extend(current);
        (suites > 0).then_some(report)
    }

    /// Tests that ran (were not skipped).
    pub(crate) fn ran(&self) -> u64 {
        self.tests.saturating_sub(self.skipped)
    }

    /// Tests that ran and passed, by the suites' counts.
    pub(crate) fn passed(&self) -> u64 {
        self.ran()
            .saturating_sub(self.failures)
            .saturating_sub(self.errors)
    }
}

/// One start or end tag.
struct Tag<'a> {
    name: &'a str,
    closing: bool,
    /// `<x/>`.
    empty: bool,
    attributes: Vec<(&'a str, String)>,
    /// Bytes from `<` to `>` inclusive.
    length: usize,
}

impl<'a> Tag<'a> {
    /// The tag `text` starts with (`text` starts with `<`); `None` when it is cut short.
    fn read(text: &'a str) -> Option<Self> {
        let bytes = text.as_bytes();
        let closing = bytes.get(1) == Some(&b'/');
        let mut i = 1 + usize::from(closing);
        let start = i;
        while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>') {
            i += 1;
        }
        let name = &text[start..i];
        let mut attributes = Vec::new();
        loop {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i)? {
                b'>' => {
                    return Some(Self {
                        name,
                        closing,
                        empty: false,
                        attributes,
                        length: i + 1,
                    })
                }
                b'/' if bytes.get(i + 1) == Some(&b'>') => {
                    return Some(Self {
                        name,
                        closing,
                        empty: true,
                        attributes,
                        length: i + 2,
                    })
                }
                _ => {}
            }
            let key_start = i;
            while i < bytes.len()
                && !matches!(bytes[i], b'=' | b'>' | b'/')
                && !bytes[i].is_ascii_whitespace()
            {
                i += 1;
            }
            let key = &text[key_start..i];
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if bytes.get(i) != Some(&b'=') {
                // An attribute without a value (not XML): skip the character and go on.
                i += usize::from(key.is_empty());
                continue;
            }
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let quote = *bytes.get(i)?;
            if quote != b'"' && quote != b'\'' {
                return None;
            }
            let value_start = i + 1;
            let value_end = value_start + text[value_start..].find(quote as char)?;
            attributes.push((key, unescape(&text[value_start..value_end])));
            i = value_end + 1;
        }
    }

    fn attribute(&self, name: &str) -> Option<String> {
        self.attributes
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.clone())
    }
}

/// XML's five named entities and numeric references.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';') else { break };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As pytest 8 writes it (trimmed).
    const PYTEST: &str = r#"<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" failures="1" skipped="1" tests="4" time="0.05" timestamp="2025-01-01T00:00:00" hostname="h"><testcase classname="tests.test_stats.Median" name="test_sorted_odd" time="0.001" /><testcase classname="tests.test_stats.Median" name="test_unsorted_odd" time="0.001"><failure message="AssertionError: 3 != 2">a &lt;failure&gt; text
<!-- <skipped/> --></failure></testcase><testcase classname="tests.test_x" name="test_p[a&gt;b]" time="0"><skipped type="pytest.skip" message="later">skip</skipped></testcase><testcase classname='tests.test_x' name='test_q'></testcase></testsuite></testsuites>"#;

    #[test]
    fn reads_the_counts_and_each_case() {
        let report = Junit::parse(PYTEST).expect("a report");
        assert_eq!(
            (report.tests, report.failures, report.errors, report.skipped),
            (4, 1, 0, 1)
        );
        assert_eq!((report.ran(), report.passed()), (3, 2));
        let cases: Vec<(&str, CaseOutcome)> = report
            .cases
            .iter()
            .map(|c| (c.id.as_str(), c.outcome))
            .collect();
        assert_eq!(
            cases,
            [
                (
                    "tests.test_stats.Median::test_sorted_odd",
                    CaseOutcome::Passed
                ),
                (
                    "tests.test_stats.Median::test_unsorted_odd",
                    CaseOutcome::Failed
                ),
                ("tests.test_x::test_p[a>b]", CaseOutcome::Skipped),
                ("tests.test_x::test_q", CaseOutcome::Passed),
            ]
        );
    }

    #[test]
    fn anything_but_a_whole_report_is_none() {
        assert_eq!(Junit::parse(""), None);
        assert_eq!(Junit::parse("plain output, no xml"), None);
        assert_eq!(
            Junit::parse(&PYTEST[..60]),
            None,
            "cut inside the suite's tag"
        );
        assert_eq!(
            Junit::parse(r#"<testsuite name="x" tests="3" failures="0"></testsuite>"#),
            None,
            "counts missing"
        );
        assert_eq!(
            Junit::parse(r#"<testsuite tests="x" failures="0" errors="0" skipped="0"/>"#),
            None
        );
    }

    #[test]
    fn entities_decode() {
        assert_eq!(unescape("a&lt;b&amp;c&#62;&#x41;&bogus;"), "a<b&c>A&bogus;");
    }
}
