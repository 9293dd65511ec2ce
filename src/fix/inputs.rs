//! Distinguishing inputs: the model writes calls of NAME (```input blocks, a JSON list of
//! arguments per line); every surviving fix is called on each, in the sandbox, with the
//! repository imported as its tests import it.

use futures::future::try_join_all;
use serde_json::Value;
use sstar_pyjson as pyjson;
use sstar_sandbox::{Outcome, Termination};

use super::candidates::{fatal, Passing, LEDGER_ID};
use super::error::FixError;
use super::exec::{FixRun, TreeRunner};
use super::prompts::{self, Task};
use super::repo::Snapshot;
use crate::llm::{extract_inputs, CompletionRequest, LlmClient, Role};

/// Most calls kept from the model's answer.
const MAX_PROBES: usize = 16;

/// One call of NAME: its arguments as the model wrote them (canonical JSON) and as the runner
/// reads them (one argument per line).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Probe {
    pub arguments: String,
    stdin: Vec<u8>,
}

/// Calls of NAME read from an answer: every line of every ```input block that is a JSON list.
pub(crate) fn probes(answer: &str) -> Vec<Probe> {
    let mut found: Vec<Probe> = Vec::new();
    for line in extract_inputs(answer).iter().flat_map(|b| b.lines()) {
        let Ok(Value::Array(arguments)) = pyjson::from_str(line.trim()) else {
            continue;
        };
        let stdin: String = arguments.iter().map(|a| format!("{a}\n")).collect();
        let probe = Probe {
            arguments: Value::Array(arguments).to_string(),
            stdin: stdin.into_bytes(),
        };
        if !found.contains(&probe) && found.len() < MAX_PROBES {
            found.push(probe);
        }
    }
    found
}

/// Asks the model for calls on which `survivors` may differ.
pub(crate) async fn ask(
    llm: &LlmClient,
    task: &Task<'_>,
    survivors: &[Passing],
) -> Result<Vec<Probe>, FixError> {
    let definitions: Vec<&str> = survivors.iter().map(|s| s.definition.as_str()).collect();
    let request = CompletionRequest::new(
        Role::TestGen,
        LEDGER_ID,
        prompts::inputs(task, &definitions),
    );
    let answers = llm.complete(&request).await;
    fatal(&answers)?;
    Ok(answers
        .into_iter()
        .flatten()
        .flat_map(|a| probes(&a.text))
        .collect())
}

/// What a survivor did on one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallResult {
    /// It returned (a value, or nothing): the call was one the function accepts.
    pub returned: bool,
    /// As a judge is shown it; equal texts are equal behaviour.
    pub shown: String,
}

impl CallResult {
    pub(crate) fn of(outcome: &Outcome) -> Self {
        let shown = match (&outcome.termination, &outcome.returned) {
            (Termination::Finished, Some(value)) => format!("returned {value}"),
            (Termination::Finished, None) => "returned nothing".to_owned(),
            (ending, _) => ending.to_string(),
        };
        Self {
            returned: outcome.termination == Termination::Finished,
            shown,
        }
    }
}

/// `results[s][p]`: what survivor `s` did on probe `p`.
pub(crate) async fn observe(
    runner: &TreeRunner,
    snapshot: &Snapshot,
    (file, module, function): (&str, &str, &str),
    survivors: &[Passing],
    probes: &[Probe],
) -> Result<Vec<Vec<CallResult>>, FixError> {
    try_join_all(survivors.iter().map(|survivor| {
        let archive = snapshot.archive_with(file, &survivor.file_text);
        try_join_all(probes.iter().map(move |probe| {
            let job = FixRun::Call {
                module: module.to_owned(),
                function: function.to_owned(),
                archive: archive.clone(),
                stdin: probe.stdin.clone(),
            };
            async move { runner.run(job).await.map(|o| CallResult::of(&o)) }
        }))
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_line_of_an_input_block_is_one_call() {
        let answer = "Try these:\n```input\n[[4, 1, 3, 2]]\n[[1], 2]\nnot json\n{\"a\": 1}\n```\n\n```input\n[[4,1,3,2]]\n[NaN]\n```\n```python\n[9]\n```";
        let found = probes(answer);
        let arguments: Vec<&str> = found.iter().map(|p| p.arguments.as_str()).collect();
        assert_eq!(arguments, ["[[4,1,3,2]]", "[[1],2]", "[NaN]"]);
        assert_eq!(found[1].stdin, b"[1]\n2\n");
    }
}
