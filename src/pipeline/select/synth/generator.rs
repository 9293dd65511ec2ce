//! Runs the embedded input generator on one problem and reads back its tagged inputs.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sstar_sandbox::{Limits, Termination};

use crate::judge::JudgeError;
use crate::pipeline::context::{Context, Counters};
use crate::problem::{Kind, Problem};

/// The generator's sources, in the order they are joined into one program.
const PARTS: [&str; 4] = [
    include_str!("constraints.py"),
    include_str!("stdio.py"),
    include_str!("function.py"),
    include_str!("main.py"),
];

/// One generated input and the family and rule that made it (`edge`, `size-max`, ...).
#[derive(Debug, Clone, Deserialize)]
pub struct Generated {
    pub family: Family,
    pub tag: String,
    pub input: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Edge values: minimums, maximums, all equal, sorted, reversed, empty, single.
    Edge,
    /// Random valid stdio inputs on a ladder of sizes, up to the stated maximum.
    Structure,
    /// A public input's repeated rows reversed or rotated (the same data, another order).
    Public,
    /// Random function arguments by type, on a ladder of sizes.
    Typed,
}

#[derive(Serialize)]
struct GeneratorJob<'a> {
    kind: &'static str,
    statement: &'a str,
    starter: Option<&'a str>,
    entry_point: Option<&'a str>,
    public: Vec<String>,
    seed: u64,
    count: usize,
}

/// Up to `count` inputs made from `problem`'s structure, most telling first; none when the
/// generator finds no shape (it then says nothing and mutations still run).
pub async fn structured_inputs(
    ctx: &Context,
    problem: &Problem,
    seed: u64,
    count: usize,
    counter: &Counters,
) -> Result<Vec<Generated>, JudgeError> {
    let job = GeneratorJob {
        kind: match problem.kind {
            Kind::Stdio => "stdio",
            Kind::Function => "function",
        },
        statement: &problem.statement,
        starter: problem.starter.as_deref(),
        entry_point: problem.entry_point.as_deref(),
        public: problem
            .public
            .iter()
            .map(|t| String::from_utf8_lossy(&t.input).into_owned())
            .collect(),
        seed,
        count,
    };
    let Ok(job) = serde_json::to_string(&job) else {
        return Ok(Vec::new());
    };
    // A JSON string is a Python string literal; the job travels inside the program, so the
    // execution cache keys on it like on any program.
    let mut code = PARTS.join("\n");
    code.push_str(&format!(
        "\nimport json as _json\ngenerate(_json.loads({}))\n",
        serde_json::to_string(&job).unwrap_or_default()
    ));
    let limits = Limits::new(Duration::from_secs(20), 1024, 256);
    let outcome = ctx
        .executor
        .run_helper(&code, Vec::new(), limits, counter)
        .await?;
    if outcome.termination != Termination::Finished {
        tracing::debug!(
            "{}: input generator: {:?} {}",
            problem.id,
            outcome.termination,
            String::from_utf8_lossy(&outcome.stderr)
        );
    }
    // A generator cut short still printed whole lines before it stopped: keep those.
    Ok(String::from_utf8_lossy(&outcome.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect())
}
