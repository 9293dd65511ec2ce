//! Reading model answers by the rules of docs/candidates-and-inputs.md: `<think>` spans, fenced
//! programs, inputs, verdicts.
//!
//! Pure functions over text; every one ignores what lies inside `<think>…</think>`.

use serde::{Deserialize, Serialize};
use sstar_sandbox::Language;

const THINK_OPEN: &str = "<think>";
const THINK_CLOSE: &str = "</think>";

/// Splits an answer into its visible text (trimmed) and its `<think>` spans.
///
/// An unterminated `<think>` (a reply cut off while reasoning) runs to the
/// end; a `</think>` with no opening tag before it (chat templates that open
/// the tag in the prompt) makes everything before it reasoning.
pub fn split_think(answer: &str) -> (String, Option<String>) {
    let mut visible = String::new();
    let mut thoughts: Vec<&str> = Vec::new();
    let mut rest = answer;
    if let Some(close) = rest.find(THINK_CLOSE) {
        if rest.find(THINK_OPEN).is_none_or(|open| open > close) {
            thoughts.push(&rest[..close]);
            rest = &rest[close + THINK_CLOSE.len()..];
        }
    }
    while let Some(open) = rest.find(THINK_OPEN) {
        visible.push_str(&rest[..open]);
        let inside = &rest[open + THINK_OPEN.len()..];
        match inside.find(THINK_CLOSE) {
            Some(close) => {
                thoughts.push(&inside[..close]);
                rest = &inside[close + THINK_CLOSE.len()..];
            }
            None => {
                thoughts.push(inside);
                rest = "";
            }
        }
    }
    visible.push_str(rest);
    let reasoning = thoughts
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    let reasoning = (!reasoning.is_empty()).then_some(reasoning);
    (visible.trim().to_owned(), reasoning)
}

/// The answer without its `<think>` spans.
pub fn strip_think(answer: &str) -> String {
    split_think(answer).0
}

/// A fenced code block: its language tag (lowercase, first word of the info
/// string, empty for a bare fence) and its body (lines joined by `\n`, with
/// a final newline when not empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeBlock {
    /// Language tag, lowercase; empty for a bare fence.
    pub lang: String,
    /// The block's text.
    pub body: String,
}

/// Every closed ```` ``` ```` block outside `<think>` spans, in order. A block
/// left open at the end (a truncated reply) is not returned.
pub fn code_blocks(answer: &str) -> Vec<CodeBlock> {
    let text = strip_think(answer);
    let mut blocks = Vec::new();
    let mut open: Option<(usize, usize, String, Vec<&str>)> = None;
    for line in text.lines() {
        match open.as_mut() {
            Some((fence, indent, _, body)) => {
                let t = line.trim();
                if t.len() >= *fence && t.chars().all(|c| c == '`') {
                    if let Some((_, _, lang, body)) = open.take() {
                        blocks.push(CodeBlock {
                            lang,
                            body: join_lines(&body),
                        });
                    }
                } else {
                    body.push(strip_indent(line, *indent));
                }
            }
            None => {
                let t = line.trim_start();
                let fence = t.chars().take_while(|&c| c == '`').count();
                let info = &t[fence..];
                if fence >= 3 && !info.contains('`') {
                    let lang = info
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_lowercase();
                    open = Some((fence, line.len() - t.len(), lang, Vec::new()));
                }
            }
        }
    }
    blocks
}

fn strip_indent(line: &str, indent: usize) -> &str {
    let spaces = line.chars().take(indent).take_while(|&c| c == ' ').count();
    &line[spaces..]
}

fn join_lines(lines: &[&str]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

/// The Python program of an answer: see [`extract_program_in`].
pub fn extract_program(answer: &str) -> Option<String> {
    extract_program_in(answer, |language| language == Language::Python).map(|(_, code)| code)
}

/// The program of an answer: the last block with some non-blank text whose language
/// `accepts` takes. A tagged block's tag names its language (`python`, `py`, `python3`;
/// `cpp`, `c++`, `cxx`, `cc`); a bare block's is detected from its text
/// ([`Language::detect`]); other tags (`text`, `input`) are never programs.
pub fn extract_program_in(
    answer: &str,
    accepts: impl Fn(Language) -> bool,
) -> Option<(Language, String)> {
    code_blocks(answer).into_iter().rev().find_map(|block| {
        if block.body.trim().is_empty() {
            return None;
        }
        let language = if block.lang.is_empty() {
            Language::detect(&block.body)
        } else {
            Language::parse(&block.lang)?
        };
        accepts(language).then_some((language, block.body))
    })
}

/// The test inputs of an answer: every block tagged `input`, in order.
pub fn extract_inputs(answer: &str) -> Vec<String> {
    code_blocks(answer)
        .into_iter()
        .filter(|b| b.lang == "input")
        .map(|b| b.body)
        .collect()
}

/// The input generator of an answer: the last non-blank block tagged
/// `python`, else the last non-blank bare block.
pub fn extract_generator(answer: &str) -> Option<String> {
    let blocks = code_blocks(answer);
    let last = |pred: &dyn Fn(&CodeBlock) -> bool| {
        blocks
            .iter()
            .rev()
            .find(|b| pred(b) && !b.body.trim().is_empty())
            .map(|b| b.body.clone())
    };
    let python = |b: &CodeBlock| Language::parse(&b.lang) == Some(Language::Python);
    last(&python).or_else(|| last(&|b| b.lang.is_empty()))
}

/// The program a pairwise judgement prefers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Winner {
    /// The first program shown.
    A,
    /// The second program shown.
    B,
}

/// The verdict on the answer's last non-blank line: `WINNER: A` or
/// `WINNER: B`, case-insensitive, markdown emphasis and brackets tolerated
/// (`**Winner: b**`, `WINNER: [A].`). `None` for anything else.
pub fn extract_verdict(answer: &str) -> Option<Winner> {
    let text = strip_think(answer);
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
    let clean: String = line
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '*' | '_' | '`' | '#' | '>' | '[' | ']' | '(' | ')' | '"' | '\''
            )
        })
        .collect::<String>()
        .to_lowercase();
    let after = &clean[clean.rfind("winner")? + "winner".len()..];
    let choice = after
        .trim_start()
        .strip_prefix(':')?
        .trim()
        .trim_end_matches(['.', '!']);
    match choice.trim() {
        "a" => Some(Winner::A),
        "b" => Some(Winner::B),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn think_spans_are_split_off() {
        let (text, think) = split_think("<think>plan\nmore</think>\n\nanswer");
        assert_eq!(text, "answer");
        assert_eq!(think.as_deref(), Some("plan\nmore"));
        let (text, think) = split_think("a <think>x</think> b <think>y</think> c");
        assert_eq!(text, "a  b  c");
        assert_eq!(think.as_deref(), Some("x\n\ny"));
        assert_eq!(split_think("plain").1, None);
    }

    #[test]
    fn unterminated_or_unopened_think() {
        let (text, think) = split_think("intro <think>still thinking");
        assert_eq!(text, "intro");
        assert_eq!(think.as_deref(), Some("still thinking"));
        let (text, think) = split_think("reasoning here</think>the answer");
        assert_eq!(text, "the answer");
        assert_eq!(think.as_deref(), Some("reasoning here"));
    }

    #[test]
    fn last_python_or_bare_block_is_the_program() {
        let answer = "First try:\n```python\nprint(1)\n```\nBetter:\n```\nprint(2)\n```\nOutput:\n```text\n2\n```\n";
        assert_eq!(extract_program(answer).as_deref(), Some("print(2)\n"));
        let answer = "```py\nx = 1\n```";
        assert_eq!(extract_program(answer).as_deref(), Some("x = 1\n"));
        let answer = "```Python\nx = 1\n```";
        assert_eq!(extract_program(answer).as_deref(), Some("x = 1\n"));
    }

    #[test]
    fn a_cpp_fence_is_a_cpp_program_where_cpp_is_taken() {
        let any = |_: Language| true;
        let answer = "```python\nprint(1)\n```\nFaster:\n```c++\nint main(){}\n```\n";
        assert_eq!(
            extract_program_in(answer, any),
            Some((Language::Cpp, "int main(){}\n".to_owned()))
        );
        let python_only = |l: Language| l == Language::Python;
        assert_eq!(
            extract_program_in(answer, python_only),
            Some((Language::Python, "print(1)\n".to_owned()))
        );
        // A bare block is told by its text; a `#include` comment alone keeps it Python.
        let bare = "```\n#include <cstdio>\nint main(){ puts(\"1\"); }\n```";
        assert_eq!(
            extract_program_in(bare, any).map(|p| p.0),
            Some(Language::Cpp)
        );
        let bare = "```\n# include this\nprint(1)\n```";
        assert_eq!(
            extract_program_in(bare, any).map(|p| p.0),
            Some(Language::Python)
        );
    }

    #[test]
    fn no_code_block_means_no_program() {
        assert_eq!(extract_program("I think you should use a loop."), None);
        assert_eq!(extract_program("```cpp\nint main(){}\n```"), None);
        assert_eq!(extract_program("```python\n\n```"), None);
    }

    #[test]
    fn code_inside_think_is_ignored() {
        let answer = "<think>\n```python\nprint('draft')\n```\n</think>\nNo code here.";
        assert_eq!(extract_program(answer), None);
        let answer = "<think>```python\nbad\n```</think>\n```python\ngood\n```";
        assert_eq!(extract_program(answer).as_deref(), Some("good\n"));
    }

    #[test]
    fn open_block_at_the_end_is_not_a_program() {
        assert_eq!(extract_program("```python\nprint(1)\nfor i in"), None);
    }

    #[test]
    fn indented_and_long_fences() {
        let answer = "1. code:\n   ```python\n   def f():\n       return 1\n   ```\n";
        assert_eq!(
            extract_program(answer).as_deref(),
            Some("def f():\n    return 1\n")
        );
        let answer = "````python\nprint('```')\n```\nstill code\n````";
        assert_eq!(
            extract_program(answer).as_deref(),
            Some("print('```')\n```\nstill code\n")
        );
    }

    #[test]
    fn all_input_blocks_in_order() {
        let answer =
            "Here:\n```input\n3\n1 2 3\n```\nand\n```INPUT\n[1, 2]\n5\n```\n```python\nx\n```";
        assert_eq!(extract_inputs(answer), vec!["3\n1 2 3\n", "[1, 2]\n5\n"]);
        assert!(extract_inputs("no blocks").is_empty());
    }

    #[test]
    fn generator_prefers_a_python_block() {
        let answer = "```python\nimport sys\nprint(sys.argv[1])\n```\n```\nexample\n```";
        assert_eq!(
            extract_generator(answer).as_deref(),
            Some("import sys\nprint(sys.argv[1])\n")
        );
        assert_eq!(
            extract_generator("```\nprint(1)\n```").as_deref(),
            Some("print(1)\n")
        );
        assert_eq!(extract_generator("none"), None);
    }

    #[test]
    fn verdict_from_the_last_line() {
        assert_eq!(extract_verdict("reasons\nWINNER: A"), Some(Winner::A));
        assert_eq!(extract_verdict("reasons\nwinner: b\n\n"), Some(Winner::B));
        assert_eq!(extract_verdict("**WINNER: A**"), Some(Winner::A));
        assert_eq!(extract_verdict("Winner: **B**."), Some(Winner::B));
        assert_eq!(extract_verdict("## WINNER : [A]"), Some(Winner::A));
        assert_eq!(extract_verdict("WINNER: B\nbut maybe not"), None);
        assert_eq!(extract_verdict("WINNER: A or B"), None);
        assert_eq!(extract_verdict("WINNER: C"), None);
        assert_eq!(extract_verdict(""), None);
        assert_eq!(
            extract_verdict("<think>WINNER: B</think>\nWINNER: A"),
            Some(Winner::A)
        );
        assert_eq!(extract_verdict("text <think>WINNER: B</think>"), None);
    }
}
