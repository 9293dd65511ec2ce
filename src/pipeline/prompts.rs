//! Every prompt the pipeline sends. Each states the answer rule (docs/candidates-and-inputs.md)
//! that applies to it, so any OpenAI-compatible model (or a scripted server) knows what shape to
//! answer in.

use crate::judge::{program_traceback, TestResult};
use crate::llm::Message;
use crate::problem::{Kind, Problem, TestCase};
use crate::program::{Language, LanguageChoice, Program};
use crate::Verdict;

const SYSTEM: &str =
    "You are an expert competitive programmer. You write correct, efficient Python 3 programs.";

/// The system prompt of the stages that ask for a program in `choice`.
fn system(choice: LanguageChoice) -> &'static str {
    match choice {
        LanguageChoice::Python => SYSTEM,
        LanguageChoice::Cpp => {
            "You are an expert competitive programmer. You write correct, efficient C++17 programs."
        }
        LanguageChoice::Any => {
            "You are an expert competitive programmer. You write correct, efficient programs in Python 3 or C++17."
        }
    }
}

/// Longest test input or output quoted in a prompt.
const QUOTE_CHARS: usize = 1500;

/// Keeps the head and tail of `text` when it is longer than `max` characters.
pub fn truncate(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    let head: String = text.chars().take(max * 2 / 3).collect();
    let tail: String = text.chars().skip(count - max / 3).collect();
    format!(
        "{head}\n… ({} characters omitted) …\n{tail}",
        count - head.chars().count() - tail.chars().count()
    )
}

fn how_to_run(problem: &Problem) -> String {
    match problem.kind {
        Kind::Stdio => "The program reads the input from standard input and writes the answer to standard output.".into(),
        Kind::Function => format!(
            "Complete the starter code: the judge calls `{}` with the arguments and compares its return value.",
            problem.entry_point.as_deref().unwrap_or("the entry point")
        ),
    }
}

/// `text` lowercased, Markdown heading marks and emphasis dropped, whitespace collapsed.
fn heading_words(text: &str) -> String {
    text.trim()
        .trim_start_matches('#')
        .split_whitespace()
        .map(|w| w.trim_matches(['*', '_', '`']).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `statement.md` opens with the title already (most hand-written ones start with
/// `# Title`): then the prompt does not say it twice.
fn opens_with_title(problem: &Problem) -> bool {
    let first = problem.statement.lines().find(|l| !l.trim().is_empty());
    first.is_some_and(|line| heading_words(line) == heading_words(&problem.title))
}

fn problem_text(problem: &Problem) -> String {
    let statement = problem.statement.trim();
    let mut text = if opens_with_title(problem) {
        format!("{statement}\n")
    } else {
        format!("# {}\n\n{statement}\n", problem.title)
    };
    if let Some(starter) = &problem.starter {
        text.push_str(&format!(
            "\nStarter code:\n```python\n{}\n```\n",
            starter.trim_end()
        ));
    }
    text
}

const PROGRAM_RULE: &str =
    "Answer with the complete program in one fenced code block (```python … ```). \
If you write several blocks, the last one is used.";

/// How to answer with a program in `choice`.
fn program_rule(choice: LanguageChoice) -> &'static str {
    match choice {
        LanguageChoice::Python => PROGRAM_RULE,
        LanguageChoice::Cpp => {
            "Answer with the complete C++17 program (with `int main`) in one fenced code block (```cpp … ```). \
If you write several blocks, the last one is used."
        }
        LanguageChoice::Any => {
            "Answer with the complete program, in Python 3 or in C++17 (with `int main`), in one fenced code block \
tagged with its language (```python … ``` or ```cpp … ```). If you write several blocks, the last one is used."
        }
    }
}

/// Stage 1: write a program in `choice` (function problems are answered in Python, whatever
/// the choice: see [`Settings::language_for`](super::Settings::language_for)).
pub fn generation(problem: &Problem, choice: LanguageChoice) -> Vec<Message> {
    vec![
        Message::system(system(choice)),
        Message::user(format!(
            "{}\n{}\n\n{}",
            problem_text(problem),
            how_to_run(problem),
            program_rule(choice)
        )),
    ]
}

fn quote(bytes: &[u8]) -> String {
    truncate(&String::from_utf8_lossy(bytes), QUOTE_CHARS)
}

/// Stage 1: the failing public tests of `program`, appended to the conversation so far; a
/// program that does not compile gets the compiler's messages, once.
pub fn debug_feedback(
    problem: &Problem,
    choice: LanguageChoice,
    program: &Program,
    failures: &[(&TestCase, &TestResult)],
    total: usize,
) -> Message {
    let compile_error = failures
        .iter()
        .find(|(_, r)| r.verdict == Verdict::CompileError)
        .map(|(_, r)| r.detail.clone().unwrap_or_default());
    if let Some(message) = compile_error {
        return Message::user(format!(
            "Your program does not compile. The compiler says:\n```\n{}\n```\n\nFix the program. {}\n\n{}",
            truncate(message.trim(), QUOTE_CHARS * 2),
            how_to_run(problem),
            program_rule(choice)
        ));
    }
    let mut text = format!(
        "Your program fails {} of the {total} public tests. Here is what happened:\n",
        failures.len()
    );
    for (test, result) in failures.iter().take(3) {
        text.push_str(&format!(
            "\nTest `{}`\nInput:\n```\n{}\n```\n",
            test.name,
            quote(&test.input)
        ));
        text.push_str(&format!(
            "Expected output:\n```\n{}\n```\n",
            quote(&test.expected)
        ));
        let got = match result.verdict {
            crate::Verdict::WrongAnswer => {
                format!("Your output:\n```\n{}\n```\n", quote(&result.actual))
            }
            verdict => {
                let mut said = format!("Verdict: {verdict}");
                if let Some(detail) = &result.detail {
                    said.push_str(&format!(" ({detail})"));
                }
                // The sandbox's own frames would only distract; the program's get their lines.
                let stderr = String::from_utf8_lossy(&result.stderr);
                let stderr = match program.language {
                    Language::Python => program_traceback(&stderr, Some(&program.code)),
                    Language::Cpp => stderr.into_owned(),
                };
                if !stderr.trim().is_empty() {
                    said.push_str(&format!(
                        "\nError output:\n```\n{}\n```",
                        truncate(stderr.trim(), QUOTE_CHARS)
                    ));
                }
                said + "\n"
            }
        };
        text.push_str(&got);
    }
    text.push_str(&format!(
        "\nFind the bug and fix the program. {}\n\n{}",
        how_to_run(problem),
        program_rule(choice)
    ));
    Message::user(text)
}

fn input_format(problem: &Problem) -> &'static str {
    match problem.kind {
        Kind::Stdio => "exactly what the program reads from standard input",
        Kind::Function => {
            "one JSON value per line, one line per argument, in the order of the parameters"
        }
    }
}

fn examples(problem: &Problem) -> String {
    let mut text = String::new();
    for test in problem.public.iter().take(2) {
        text.push_str(&format!(
            "```input\n{}\n```\n",
            quote(&test.input).trim_end()
        ));
    }
    text
}

/// Stage 2: test inputs written directly by the model.
pub fn test_inputs(problem: &Problem, count: usize) -> Vec<Message> {
    vec![
        Message::system(SYSTEM),
        Message::user(format!(
            "{}\nWrite {count} new, valid test inputs for this problem that are likely to reveal bugs: \
             edge cases, small tricky cases, boundaries of the constraints. Keep each input small enough to \
             check by hand. An input is {}. The public examples look like this:\n\n{}\n\
             Answer with each input in its own fenced block tagged `input` (```input … ```).",
            problem_text(problem),
            input_format(problem),
            examples(problem)
        )),
    ]
}

/// Stage 2: a random input generator, run with several seeds.
pub fn generator(problem: &Problem) -> Vec<Message> {
    vec![
        Message::system(SYSTEM),
        Message::user(format!(
            "{}\nWrite a Python program that prints one random, valid, small-to-medium test input for this \
             problem. It gets an integer seed as its only command-line argument (`sys.argv[1]`); use it to seed \
             `random`. The input it prints is {}. Example inputs:\n\n{}\n\
             Answer with the generator in one fenced ```python block.",
            problem_text(problem),
            input_format(problem),
            examples(problem)
        )),
    ]
}

/// Stage 2: one input at the largest size the statement allows, to catch slow programs.
pub fn stress_generator(problem: &Problem) -> Vec<Message> {
    vec![
        Message::system(SYSTEM),
        Message::user(format!(
            "{}\nWrite a Python program that prints one valid test input at the LARGEST size the constraints \
             allow (a stress test for running time). It gets an integer seed as its only command-line argument. \
             The input it prints is {}.\n\nAnswer with the generator in one fenced ```python block.",
            problem_text(problem),
            input_format(problem)
        )),
    ]
}

const VERDICT_RULE: &str = "Reason briefly, then end your answer with a last line that is exactly `WINNER: A` or `WINNER: B`.";

/// Stage 2 (`sstar`): which of two real behaviours on one input is right.
pub fn pairwise(
    problem: &Problem,
    a: (&Program, &str),
    b: (&Program, &str),
    input: &[u8],
) -> Vec<Message> {
    vec![
        Message::system(SYSTEM),
        Message::user(format!(
            "{}\nTwo programs disagree on this input:\n```\n{}\n```\n\n\
             Program A:\n```{}\n{}\n```\nProgram A's real output (it was executed):\n```\n{}\n```\n\n\
             Program B:\n```{}\n{}\n```\nProgram B's real output (it was executed):\n```\n{}\n```\n\n\
             Work out the correct output for this input from the problem statement, then decide which \
             program behaves correctly. {VERDICT_RULE}",
            problem_text(problem),
            quote(input),
            a.0.language.as_str(),
            a.0.code.trim_end(),
            a.1,
            b.0.language.as_str(),
            b.0.code.trim_end(),
            b.1
        )),
    ]
}

/// Stage 2 (`llm-judge`): which of two programs is right, from the code alone.
pub fn pairwise_code_only(problem: &Problem, a: &Program, b: &Program) -> Vec<Message> {
    vec![
        Message::system(SYSTEM),
        Message::user(format!(
            "{}\nProgram A:\n```{}\n{}\n```\n\nProgram B:\n```{}\n{}\n```\n\n\
             Which program solves the problem correctly? {VERDICT_RULE}",
            problem_text(problem),
            a.language.as_str(),
            a.code.trim_end(),
            b.language.as_str(),
            b.code.trim_end()
        )),
    ]
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::problem::load_problem;

    fn bundled(id: &str) -> Problem {
        load_problem(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("problems")
                .join(id),
        )
        .expect("bundled problem")
    }

    #[test]
    fn truncation_keeps_head_and_tail() {
        let text = "a".repeat(100) + &"b".repeat(100);
        let cut = truncate(&text, 30);
        assert!(cut.starts_with("aaaa") && cut.ends_with("bbbb") && cut.contains("omitted"));
        assert_eq!(truncate("short", 30), "short");
    }

    #[test]
    fn the_title_appears_once_whether_or_not_the_statement_opens_with_it() {
        let mut problem = bundled("count-lis");
        assert!(problem.statement.starts_with("# Counting Longest Climbs"));
        let prompt = &generation(&problem, LanguageChoice::Python)[1].content;
        assert_eq!(
            prompt.matches("Counting Longest Climbs").count(),
            1,
            "{prompt}"
        );

        problem.statement = "Count the climbs.".into();
        let prompt = &generation(&problem, LanguageChoice::Python)[1].content;
        assert_eq!(
            prompt.matches("Counting Longest Climbs").count(),
            1,
            "{prompt}"
        );
        assert!(prompt.starts_with("# Counting Longest Climbs\n\nCount the climbs."));
    }

    #[test]
    fn the_debug_prompt_shows_the_programs_frames_only_with_their_lines() {
        let problem = bundled("count-lis");
        let code = "def solve(xs):\n    return xs[10]\n\nprint(solve([1]))\n";
        // What the sandbox returns for this program: the worker's frame comes first.
        let stderr = "Traceback (most recent call last):\n  File \"worker.py\", line 698, in run_program\n  File \"solution.py\", line 4, in <module>\n  File \"solution.py\", line 2, in solve\nIndexError: list index out of range\n";
        let result = TestResult {
            name: "public/1".into(),
            verdict: Verdict::RuntimeError,
            cpu_ms: 1,
            wall_ms: 1,
            memory_kb: 1,
            detail: Some("IndexError".into()),
            actual: Vec::new(),
            stderr: stderr.as_bytes().to_vec(),
        };
        let test = &problem.public[0];
        let program = Program::python(code);
        let prompt = debug_feedback(
            &problem,
            LanguageChoice::Python,
            &program,
            &[(test, &result)],
            3,
        )
        .content;
        assert!(
            !prompt.contains("worker.py") && !prompt.contains("run_program"),
            "{prompt}"
        );
        assert!(
            prompt.contains("  File \"solution.py\", line 2, in solve\n    return xs[10]\nIndexError: list index out of range"),
            "{prompt}"
        );
        assert!(
            prompt.contains("line 4, in <module>\n    print(solve([1]))"),
            "{prompt}"
        );
    }
}
