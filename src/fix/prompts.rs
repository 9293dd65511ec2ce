//! Every prompt `sstar fix` sends. Each states its answer rule: a ```python block,
//! ```input blocks, or a last line `WINNER: A` / `WINNER: B`.

use crate::llm::Message;
use crate::pipeline::truncate;
use crate::schema::TestRun;

const SYSTEM: &str =
    "You are an expert Python developer. You fix bugs with small, correct changes.";

/// Longest test output quoted in a prompt (head and tail kept).
const OUTPUT_CHARS: usize = 6000;
/// Longest file quoted in a prompt.
const FILE_CHARS: usize = 20_000;

/// What every prompt of one fix states: the command, its failure, the file, the function.
#[derive(Debug)]
pub(crate) struct Task<'a> {
    pub test: &'a str,
    pub file: &'a str,
    pub function: &'a str,
    pub source: &'a str,
    pub definition: &'a str,
    pub before: &'a TestRun,
}

fn failure(test: &str, run: &TestRun) -> String {
    format!(
        "The test command `{test}` fails ({}). Its output:\n```text\n{}\n```\n",
        run.status(),
        truncate(run.output.trim_end(), OUTPUT_CHARS)
    )
}

fn answer_rule(function: &str) -> String {
    format!(
        "Answer with the complete new definition of the top-level function `{function}` (its \
         decorators included) in one fenced ```python block; it replaces the old definition's \
         lines in the file. Change only this function."
    )
}

/// The first attempt.
pub(crate) fn generation(task: &Task<'_>) -> Vec<Message> {
    vec![
        Message::system(SYSTEM),
        Message::user(format!(
            "Fix the function `{function}` in `{file}` of a Python repository so that its tests pass.\n\n\
             {failure}\n`{file}`:\n```python\n{source}\n```\n\n\
             The function to fix:\n```python\n{definition}\n```\n\n{rule}",
            function = task.function,
            file = task.file,
            failure = failure(task.test, task.before),
            source = truncate(task.source.trim_end(), FILE_CHARS),
            definition = task.definition.trim_end(),
            rule = answer_rule(task.function),
        )),
    ]
}

/// A debugging round: the conversation so far, the candidate's own failure.
pub(crate) fn debug(
    task: &Task<'_>,
    mut conversation: Vec<Message>,
    answer: &str,
    run: &TestRun,
) -> Vec<Message> {
    conversation.push(Message::assistant(answer));
    conversation.push(Message::user(format!(
        "With your definition, the tests still fail.\n{}\n{}",
        failure(task.test, run),
        answer_rule(task.function)
    )));
    conversation
}

/// Inputs on which the candidates may disagree.
pub(crate) fn inputs(task: &Task<'_>, definitions: &[&str]) -> Vec<Message> {
    let shown: Vec<String> = definitions
        .iter()
        .enumerate()
        .map(|(i, d)| format!("Definition {}:\n```python\n{}\n```", i + 1, d.trim_end()))
        .collect();
    vec![
        Message::system(SYSTEM),
        Message::user(format!(
            "Several fixed definitions of `{function}` in `{file}` all make `{test}` pass. \
             They may still differ on calls the tests do not make.\n\n\
             The original (buggy) definition:\n```python\n{original}\n```\n\n{shown}\n\n\
             Write 3 to 8 calls of `{function}` with valid arguments on which these definitions \
             may behave differently (edge cases, inputs the tests miss). Answer with each test \
             input in its own fenced ```input block; each line of a block is a JSON list of the \
             positional arguments of one call, e.g.\n```input\n[[3, 1, 2], true]\n```",
            function = task.function,
            file = task.file,
            test = task.test,
            original = task.definition.trim_end(),
            shown = shown.join("\n\n"),
        )),
    ]
}

/// Which of two real results of one call is right.
pub(crate) fn judge(
    task: &Task<'_>,
    arguments: &str,
    a: (&str, &str),
    b: (&str, &str),
) -> Vec<Message> {
    vec![
        Message::system(SYSTEM),
        Message::user(format!(
            "Two fixed definitions of `{function}` in `{file}` disagree on one call. The \
             original (buggy) definition was:\n```python\n{original}\n```\n\n{failure}\n\
             The call `{function}(*arguments)` with these arguments (JSON):\n```\n{arguments}\n```\n\n\
             Definition A:\n```python\n{a_code}\n```\nDefinition A's real result (it was executed):\n```\n{a_result}\n```\n\n\
             Definition B:\n```python\n{b_code}\n```\nDefinition B's real result (it was executed):\n```\n{b_result}\n```\n\n\
             Work out what `{function}` should return for these arguments, from its name, its \
             documentation and the repository's tests, then decide which definition behaves \
             correctly. Reason briefly, then end your answer with a last line that is exactly \
             `WINNER: A` or `WINNER: B`.",
            function = task.function,
            file = task.file,
            original = task.definition.trim_end(),
            failure = failure(task.test, task.before),
            a_code = a.0.trim_end(),
            a_result = a.1,
            b_code = b.0.trim_end(),
            b_result = b.1,
        )),
    ]
}
