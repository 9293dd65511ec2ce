//! Stage 2 input synthesis from four sources — the model writes inputs, the model writes a
//! generator we run with several seeds, model-free mutation of the public inputs, and
//! model-free inputs from the problem's structure (`synth`) — plus one stress input at the
//! largest allowed size. Each input remembers where it came from.

use std::sync::Arc;
use std::time::Duration;

use sstar_sandbox::{Limits, Termination};

use super::mutate::mutants;
use super::synth::{structured_inputs, Family};
use crate::judge::JudgeError;
use crate::llm::{extract_generator, extract_inputs, CompletionRequest, Role};
use crate::pipeline::context::{Context, Counters};
use crate::pipeline::prompts;
use crate::problem::{Kind, Problem};
use crate::schema::Source;

impl Source {
    /// Inputs of the random ladder: run while they still split groups, then cut (every
    /// other source runs within the execution budget).
    pub fn is_ladder(self) -> bool {
        self.rank() == 3
    }

    /// Run order: given and model-written inputs, then edges, then mutations, then the ladder.
    fn rank(self) -> u8 {
        match self {
            Source::Model | Source::Generator | Source::Stress | Source::Given => 0,
            Source::Edge | Source::Rewrite => 1,
            Source::Mutation => 2,
            Source::Structure | Source::Typed => 3,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SynthInput {
    pub source: Source,
    pub data: Arc<[u8]>,
    /// The generator seed, for `Generator` and `Stress`.
    pub seed: Option<u64>,
    /// The output a `--inputs` line expects (never trusted as a test; see `groups`).
    pub expected: Option<Arc<[u8]>>,
    /// The rule that made a `synth` input (`size-max`, `arg0-empty`, ...).
    pub tag: Option<String>,
}

impl SynthInput {
    fn new(source: Source, data: Vec<u8>, seed: Option<u64>) -> Self {
        Self {
            source,
            data: Arc::from(data),
            seed,
            expected: None,
            tag: None,
        }
    }
}

/// Largest synthesized input kept.
const MAX_INPUT_BYTES: usize = 16 << 20;

/// Inputs asked of the structure generator (the ladder's tail is cut once groups stop
/// splitting, so most problems run far fewer).
const STRUCTURED_INPUTS: usize = 300;

/// All synthesized inputs for a problem, deduplicated, public inputs excluded.
pub async fn synthesize(
    ctx: &Context,
    problem: &Arc<Problem>,
    counter: &Counters,
) -> Result<Vec<SynthInput>, JudgeError> {
    let mut inputs = Vec::new();
    if ctx.llm.is_some() {
        let (written, generated, stress) = tokio::join!(
            model_inputs(ctx, problem, counter),
            generator_inputs(ctx, problem, counter, Source::Generator),
            generator_inputs(ctx, problem, counter, Source::Stress),
        );
        inputs.extend(written);
        inputs.extend(generated?);
        inputs.extend(stress?);
    }
    for given in ctx.given_inputs.get(&problem.id).into_iter().flatten() {
        let mut data = given.input.clone().into_bytes();
        if !data.ends_with(b"\n") {
            data.push(b'\n');
        }
        let mut input = SynthInput::new(Source::Given, data, None);
        input.expected = given.output.as_deref().map(|o| Arc::from(o.as_bytes()));
        inputs.push(input);
    }
    let seed = ctx.settings.seed ^ fnv1a(&problem.id);
    inputs.extend(
        mutants(problem, ctx.settings.mutations, seed)
            .into_iter()
            .map(|m| SynthInput::new(Source::Mutation, m, None)),
    );
    for generated in structured_inputs(ctx, problem, seed, STRUCTURED_INPUTS, counter).await? {
        let source = match generated.family {
            Family::Edge => Source::Edge,
            Family::Public => Source::Rewrite,
            Family::Structure => Source::Structure,
            Family::Typed => Source::Typed,
        };
        let mut input = SynthInput::new(source, generated.input.into_bytes(), None);
        input.tag = Some(generated.tag);
        if input.data.len() <= MAX_INPUT_BYTES {
            inputs.push(input);
        }
    }
    // Most telling first (the budget may cut the tail), each source in its own order.
    inputs.sort_by_key(|input| input.source.rank());
    let mut seen: Vec<&[u8]> = problem.public.iter().map(|t| &*t.input).collect();
    let mut unique: Vec<SynthInput> = Vec::new();
    for input in &inputs {
        if !seen.contains(&&*input.data) && valid_shape(problem, &input.data) {
            seen.push(&input.data);
            unique.push(input.clone());
        } else if let Some(expected) = &input.expected {
            // A given expectation for an input another source also wrote is kept on that one.
            if let Some(kept) = unique.iter_mut().find(|u| u.data == input.data) {
                kept.expected.get_or_insert_with(|| expected.clone());
            }
        }
    }
    Ok(unique)
}

async fn model_inputs(ctx: &Context, problem: &Problem, counter: &Counters) -> Vec<SynthInput> {
    let request = CompletionRequest::new(
        Role::TestGen,
        &problem.id,
        prompts::test_inputs(problem, ctx.settings.model_inputs),
    )
    .stage("test_inputs");
    let Some(answer) = ctx.ask_one(request, counter).await else {
        return Vec::new();
    };
    extract_inputs(&answer.text)
        .into_iter()
        .map(|text| {
            let mut data = text.into_bytes();
            if !data.ends_with(b"\n") {
                data.push(b'\n');
            }
            SynthInput::new(Source::Model, data, None)
        })
        .collect()
}

async fn generator_inputs(
    ctx: &Context,
    problem: &Problem,
    counter: &Counters,
    source: Source,
) -> Result<Vec<SynthInput>, JudgeError> {
    let (messages, stage, seeds) = match source {
        Source::Stress => (prompts::stress_generator(problem), "stress_generator", 1),
        _ => (
            prompts::generator(problem),
            "generator",
            ctx.settings.generator_seeds,
        ),
    };
    let request = CompletionRequest::new(Role::TestGen, &problem.id, messages).stage(stage);
    let Some(answer) = ctx.ask_one(request, counter).await else {
        return Ok(Vec::new());
    };
    let Some(code) = extract_generator(&answer.text) else {
        return Ok(Vec::new());
    };
    let limits = Limits::new(Duration::from_secs(10), 1024, 64);
    let mut inputs = Vec::new();
    for seed in 1..=seeds as u64 {
        let outcome = ctx
            .executor
            .run_helper(&code, vec![seed.to_string()], limits, counter)
            .await?;
        if outcome.termination == Termination::Finished
            && !outcome.stdout.is_empty()
            && outcome.stdout.len() <= MAX_INPUT_BYTES
        {
            inputs.push(SynthInput::new(source, outcome.stdout, Some(seed)));
        } else {
            tracing::debug!(
                "{}: {stage} seed {seed}: {:?}",
                problem.id,
                outcome.termination
            );
        }
    }
    Ok(inputs)
}

/// Function inputs must be one JSON value per line, as many as the public tests have.
fn valid_shape(problem: &Problem, data: &[u8]) -> bool {
    match problem.kind {
        Kind::Stdio => !data.iter().all(u8::is_ascii_whitespace),
        Kind::Function => {
            let Ok(text) = std::str::from_utf8(data) else {
                return false;
            };
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            let arity = problem
                .public
                .first()
                .and_then(|t| t.arguments().ok())
                .map(|a| a.len());
            arity.is_none_or(|n| n == lines.len())
                && lines.iter().all(|l| sstar_pyjson::from_str(l).is_ok())
        }
    }
}

/// 64-bit FNV-1a of a string: stable across processes and builds, unlike `std`'s hasher
/// (seeds per problem must not depend on the process).
pub(crate) fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        // From the FNV reference test suite (64-bit FNV-1a).
        assert_eq!(super::fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(super::fnv1a("foobar"), 0x8594_4171_f739_67e8);
    }
}
