//! `run.json`: the run's settings, the tool version, start and end time, the sandbox in force.

use serde::{Deserialize, Serialize};
use sstar_sandbox::Backend;

/// `run.json`: every setting, the tool version, start and end time.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunInfo {
    pub tool: String,
    pub version: String,
    pub command: Vec<String>,
    pub set: String,
    pub settings: serde_json::Value,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// Sandbox isolation in force (so reports can say what guarded the candidates).
    pub sandbox: serde_json::Value,
}

impl RunInfo {
    /// The sandbox backend the run's candidates ran in (`process` for runs that predate the
    /// field).
    pub fn backend(&self) -> Backend {
        self.sandbox
            .get("backend")
            .and_then(|b| b.as_str())
            .and_then(|name| name.parse().ok())
            .unwrap_or_default()
    }

    /// The C++ flags the run compiled with, when not the default.
    pub fn cxx_flags(&self) -> Option<Vec<String>> {
        serde_json::from_value(self.settings.get("cxx_flags")?.clone()).ok()
    }
}

/// `--shard K/N`, recorded in run.json as `{"index": K, "count": N}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Whether the problem at `position` among the set's valid problems (natural order) is
    /// this shard's: the one split `solve --shard K/N` makes and `eval` reads back.
    pub fn holds(&self, position: usize) -> bool {
        self.count > 0 && position % self.count == self.index.wrapping_sub(1)
    }
}
