//! Stage 1 of a fix: N sampled definitions, each debugged against the test command for up to
//! R rounds (its own failing output sent back), sample by sample in parallel.

use futures::future::join_all;

use super::error::FixError;
use super::exec::TreeRunner;
use super::locate::{splice, Location};
use super::prompts::{self, Task};
use super::repo::Snapshot;
use crate::llm::{extract_program, Completion, CompletionRequest, LlmClient, LlmError, Role};
use crate::schema::{Attempt, CandidateRecord};

/// The ledger's name for what a fix run serves.
pub(crate) const LEDGER_ID: &str = "fix";

/// What the samples share.
#[derive(Debug)]
pub(crate) struct Stage<'a> {
    pub runner: &'a TreeRunner,
    pub llm: &'a LlmClient,
    pub task: &'a Task<'a>,
    pub snapshot: &'a Snapshot,
    pub location: Location,
}

/// A sample's last definition and the file it makes, when the tests pass with it.
#[derive(Debug, Clone)]
pub(crate) struct Passing {
    pub sample: u32,
    pub definition: String,
    pub file_text: String,
}

/// Samples `samples` definitions and debugs each; one record per sample, and the passing ones.
pub(crate) async fn sample_and_debug(
    stage: &Stage<'_>,
    samples: usize,
    rounds: usize,
) -> Result<(Vec<CandidateRecord>, Vec<Passing>), FixError> {
    let messages = prompts::generation(stage.task);
    let request =
        CompletionRequest::new(Role::Generate, LEDGER_ID, messages.clone()).samples(samples as u32);
    let answers = stage.llm.complete(&request).await;
    fatal(&answers)?;
    let runs = answers.into_iter().enumerate().map(|(i, answer)| {
        let messages = messages.clone();
        async move { debug_chain(stage, i as u32, messages, answer.ok(), rounds).await }
    });
    let mut records = Vec::new();
    let mut passing = Vec::new();
    for result in join_all(runs).await {
        let (record, pass) = result?;
        records.push(record);
        passing.extend(pass);
    }
    Ok((records, passing))
}

/// A refused key or an unknown model fails every call alike: stop with it.
pub(crate) fn fatal(answers: &[Result<Completion, LlmError>]) -> Result<(), FixError> {
    match answers
        .iter()
        .find_map(|a| a.as_ref().err().filter(|e| e.kind.is_fatal()))
    {
        Some(error) => Err(FixError::Model(error.clone())),
        None => Ok(()),
    }
}

async fn debug_chain(
    stage: &Stage<'_>,
    sample: u32,
    mut conversation: Vec<crate::llm::Message>,
    first: Option<Completion>,
    rounds: usize,
) -> Result<(CandidateRecord, Option<Passing>), FixError> {
    let source = stage.task.source;
    let mut attempts = Vec::new();
    let mut answer = first;
    let mut passing = None;
    for round in 0..=rounds {
        // A failed call or an answer without code ends the sample (recorded, not retried).
        let Some(reply) = answer.take() else { break };
        let Some(definition) = extract_program(&reply.text) else {
            attempts.push(Attempt {
                code: None,
                reply: Some(reply.text),
                test: None,
            });
            break;
        };
        let file_text = splice(source, stage.location, &definition);
        let run = stage
            .runner
            .test(
                stage.task.test,
                stage.snapshot.archive_with(stage.task.file, &file_text),
                Some(stage.task.before),
            )
            .await?;
        let passed = run.passed;
        attempts.push(Attempt {
            code: Some(definition.clone()),
            reply: None,
            test: Some(run.clone()),
        });
        if passed {
            passing = Some(Passing {
                sample,
                definition,
                file_text,
            });
            break;
        }
        if round == rounds {
            break;
        }
        conversation = prompts::debug(stage.task, conversation, &reply.text, &run);
        let request = CompletionRequest::new(Role::Debug, LEDGER_ID, conversation.clone());
        let answers = stage.llm.complete(&request).await;
        fatal(&answers)?;
        answer = answers.into_iter().next().and_then(Result::ok);
    }
    let record = CandidateRecord {
        sample,
        attempts,
        passed: passing.is_some(),
    };
    Ok((record, passing))
}
