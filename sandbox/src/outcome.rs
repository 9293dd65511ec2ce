//! How an execution ended, classified from the worker's raw report: the result half of the
//! sandbox interface. A program's failure is a value here, never an error.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::execution::Limits;

/// Why the program stopped. The judge maps each variant to one verdict (docs/verdicts.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Termination {
    /// Ran to completion with exit status 0 (a function program also returned a value).
    Finished,
    /// Syntax error, or the entry point is missing.
    CompileError { message: String },
    /// Uncaught exception, non-zero exit status, or killed by a signal.
    RuntimeError { detail: String },
    /// Over the CPU limit, or still running at the wall limit (`wall` tells which).
    TimeLimit { wall: bool },
    /// Ran out of its memory allowance.
    MemoryLimit,
    /// Wrote more than the output limit to stdout, or a larger file.
    OutputLimit,
    /// The sandbox could not set up the run (scratch directory, limits, privileges): no
    /// fault of the program, and nothing to keep, since the next attempt may succeed.
    SandboxFailure { message: String },
}

/// How a run ended, in the words every part of sstar shows it with (the judge's details, the
/// pipeline's and `fix`'s views of a run, import's skips).
impl std::fmt::Display for Termination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Termination::Finished => f.write_str("finished"),
            Termination::CompileError { message } => write!(f, "compile error: {message}"),
            Termination::RuntimeError { detail } => write!(f, "runtime error: {detail}"),
            Termination::TimeLimit { wall: false } => f.write_str("time limit exceeded: CPU time"),
            Termination::TimeLimit { wall: true } => f.write_str("time limit exceeded: wall time"),
            Termination::MemoryLimit => f.write_str("memory limit exceeded"),
            Termination::OutputLimit => f.write_str("output limit exceeded"),
            Termination::SandboxFailure { message } => {
                write!(f, "internal error: the sandbox failed the run: {message}")
            }
        }
    }
}

/// Everything observed about one execution. Serializable, so callers can cache it on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    pub termination: Termination,
    #[serde(with = "base64_bytes")]
    pub stdout: Vec<u8>,
    /// Up to the output limit; the rest was dropped (see `stderr_truncated`).
    #[serde(with = "base64_bytes")]
    pub stderr: Vec<u8>,
    pub stderr_truncated: bool,
    /// A function program's return value, JSON-encoded by the runner.
    pub returned: Option<serde_json::Value>,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub cpu: Duration,
    pub wall: Duration,
    /// Peak memory of all the run's processes together, beyond what it started with (its
    /// cgroup), or, without one, the largest resident size observed.
    pub memory_kb: u64,
}

/// Program output as base64 text in serialized outcomes: compact, and any bytes round-trip.
mod base64_bytes {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

/// Why the supervisor killed a run; an unknown reason fails the parse (never a default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum KillReason {
    WallTime,
    CpuTime,
    OutputLimit,
    /// Over the memory limit, counted over all of the run's processes.
    Memory,
}

/// The worker's header for a finished execution (or the wasm runtime's account of one).
#[derive(Debug, Deserialize)]
pub(crate) struct RawResult {
    pub killed_for: Option<KillReason>,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub cpu_ms: f64,
    pub wall_ms: f64,
    pub memory_kb: u64,
    pub stderr_truncated: bool,
    /// The runtime crashed under the program (a wasm trap), in words for the verdict's detail.
    /// Never read from a worker: only the wasm backend sets it.
    #[serde(skip)]
    pub crash: Option<String>,
}

/// The class of an uncaught exception, as far as the classification cares: the name is read
/// once, here, so no verdict is decided by comparing text later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Raised {
    /// Python's `MemoryError`: the allocator refused, which is the memory limit.
    MemoryError,
    /// Any other exception (or a signal the runner turned into one), by its name.
    Other { name: String },
}

impl Raised {
    fn named(name: String) -> Self {
        match name.as_str() {
            "MemoryError" => Self::MemoryError,
            _ => Self::Other { name },
        }
    }

    /// The name shown as a runtime error's detail.
    fn name(&self) -> &str {
        match self {
            Self::MemoryError => "MemoryError",
            Self::Other { name } => name,
        }
    }
}

/// The most values a returned value may hold: every node costs the host tens of bytes once
/// parsed, so a cap on the wire's bytes alone would let a run of a few megabytes cost the host
/// gigabytes. A 1000 x 1000 grid still fits, twice over.
pub(crate) const MAX_RETURNED_VALUES: usize = 1 << 21;

/// The record the runner writes on its private channel before exiting.
#[derive(Debug)]
pub(crate) enum Report {
    Ok,
    Returned {
        value: serde_json::Value,
    },
    /// A record holding more than [`MAX_RETURNED_VALUES`] values, left unparsed: the run's
    /// output limit, whatever else it did.
    Oversized,
    Exit,
    Exception {
        raised: Raised,
        errno: Option<i32>,
    },
    CompileError {
        message: String,
    },
    SetupError {
        message: String,
    },
    /// A native program (or the compiler), started by the run as its child, was killed by
    /// this signal: the run ends as if it had been.
    Signal {
        signal: i32,
    },
}

impl Report {
    /// Reads the record; `None` when it is missing or not one the runner writes (a program may
    /// have scribbled on the channel). Read by hand, not by a tagged serde enum: those cannot
    /// take exact numbers (`arbitrary_precision`) of any size, and return values may be huge.
    pub(crate) fn parse(bytes: &[u8]) -> Option<Self> {
        if sstar_pyjson::count_values(bytes, MAX_RETURNED_VALUES).is_none() {
            return Some(Self::Oversized);
        }
        // Python's JSON: a returned `float('inf')` arrives as the number `Infinity`.
        let serde_json::Value::Object(mut record) = sstar_pyjson::from_slice(bytes).ok()? else {
            return None;
        };
        let mut text = |key: &str| match record.remove(key)? {
            serde_json::Value::String(text) => Some(text),
            _ => None,
        };
        Some(match text("outcome")?.as_str() {
            "ok" => Self::Ok,
            "returned" => Self::Returned {
                value: record.remove("value")?,
            },
            "exit" => Self::Exit,
            "exception" => Self::Exception {
                raised: Raised::named(text("type")?),
                errno: record
                    .get("errno")
                    .and_then(serde_json::Value::as_i64)
                    .and_then(|n| i32::try_from(n).ok()),
            },
            "compile_error" => Self::CompileError {
                message: text("message")?,
            },
            "setup_error" => Self::SetupError {
                message: text("message")?,
            },
            "signal" => Self::Signal {
                signal: record
                    .get("signal")
                    .and_then(serde_json::Value::as_i64)
                    .and_then(|n| i32::try_from(n).ok())?,
            },
            _ => return None,
        })
    }
}

const SIGKILL: i32 = 9;
const SIGSEGV: i32 = 11;
const SIGXCPU: i32 = 24;
const SIGXFSZ: i32 = 25;
/// "File too large": a write past RLIMIT_FSIZE once SIGXFSZ is ignored, as it is for PID 1.
const EFBIG: i32 = 27;

impl RawResult {
    /// Classifies the run. `report` is `None` when the program died before writing one.
    pub(crate) fn into_outcome(
        mut self,
        mut report: Option<Report>,
        limits: &Limits,
        stdout: Vec<u8>,
        stderr: Vec<u8>,
    ) -> Outcome {
        if let Some(Report::Signal { signal }) = report {
            self.signal = Some(signal);
            self.exit_code = None;
            report = None;
        }
        let cpu = Duration::from_secs_f64(self.cpu_ms.max(0.0) / 1000.0);
        let near_memory_limit = self.memory_kb.saturating_mul(1024) >= limits.memory_bytes / 10 * 9;
        let termination = match (self.killed_for, &report) {
            (Some(KillReason::OutputLimit), _) | (_, Some(Report::Oversized)) => {
                Termination::OutputLimit
            }
            _ if self.signal == Some(SIGXFSZ) => Termination::OutputLimit,
            (
                None,
                Some(Report::Exception {
                    errno: Some(EFBIG), ..
                }),
            ) => Termination::OutputLimit,
            _ if cpu > limits.cpu || self.signal == Some(SIGXCPU) => {
                Termination::TimeLimit { wall: false }
            }
            (Some(KillReason::CpuTime), _) => Termination::TimeLimit { wall: false },
            (Some(KillReason::Memory), _) => Termination::MemoryLimit,
            (Some(KillReason::WallTime), _) => Termination::TimeLimit { wall: true },
            (None, Some(Report::CompileError { message })) => Termination::CompileError {
                message: message.clone(),
            },
            (
                None,
                Some(Report::Exception {
                    raised: Raised::MemoryError,
                    ..
                }),
            ) => Termination::MemoryLimit,
            (None, _) if matches!(self.signal, Some(SIGKILL | SIGSEGV)) && near_memory_limit => {
                Termination::MemoryLimit
            }
            (None, _) if self.crash.is_some() => Termination::RuntimeError {
                detail: self.crash.clone().unwrap_or_default(),
            },
            (None, Some(Report::Exception { raised, .. })) => Termination::RuntimeError {
                detail: raised.name().to_owned(),
            },
            (None, Some(Report::SetupError { message })) => Termination::SandboxFailure {
                message: message.clone(),
            },
            (None, _) if self.signal.is_some() => Termination::RuntimeError {
                detail: format!("killed by {}", signal_name(self.signal.unwrap_or_default())),
            },
            (None, _) if self.exit_code != Some(0) => Termination::RuntimeError {
                detail: format!("exit code {}", self.exit_code.unwrap_or(-1)),
            },
            (None, Some(Report::Returned { .. } | Report::Ok | Report::Exit)) => {
                Termination::Finished
            }
            // Taken apart above: the signal is the run's.
            (None, None | Some(Report::Signal { .. })) => Termination::Finished,
        };
        // Moved, not copied: a value may be large.
        let returned = match (&termination, report) {
            (Termination::Finished, Some(Report::Returned { value })) => Some(value),
            _ => None,
        };
        Outcome {
            termination,
            stdout,
            stderr,
            stderr_truncated: self.stderr_truncated,
            returned,
            exit_code: self.exit_code,
            signal: self.signal,
            cpu,
            wall: Duration::from_secs_f64(self.wall_ms.max(0.0) / 1000.0),
            memory_kb: self.memory_kb,
        }
    }
}

fn signal_name(signal: i32) -> String {
    let name = match signal {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        5 => "SIGTRAP",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => return format!("signal {signal}"),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(
        killed_for: Option<KillReason>,
        exit_code: Option<i32>,
        signal: Option<i32>,
        cpu_ms: f64,
    ) -> RawResult {
        RawResult {
            killed_for,
            exit_code,
            signal,
            cpu_ms,
            wall_ms: cpu_ms,
            memory_kb: 10_000,
            stderr_truncated: false,
            crash: None,
        }
    }

    fn classify(raw: RawResult, report: Option<Report>) -> Termination {
        let limits = Limits::new(Duration::from_secs(1), 256, 1);
        raw.into_outcome(report, &limits, Vec::new(), Vec::new())
            .termination
    }

    #[test]
    fn cpu_over_limit_is_a_time_limit_even_if_it_exited() {
        assert_eq!(
            classify(raw(None, Some(0), None, 1500.0), Some(Report::Ok)),
            Termination::TimeLimit { wall: false }
        );
    }

    #[test]
    fn wall_kill_of_an_idle_program_is_a_wall_time_limit() {
        assert_eq!(
            classify(raw(Some(KillReason::WallTime), None, Some(9), 3.0), None),
            Termination::TimeLimit { wall: true }
        );
    }

    #[test]
    fn a_group_memory_kill_is_a_memory_limit_even_with_little_cpu() {
        assert_eq!(
            classify(raw(Some(KillReason::Memory), None, Some(9), 30.0), None),
            Termination::MemoryLimit
        );
    }

    #[test]
    fn unknown_kill_reasons_are_refused() {
        let header = serde_json::json!({"killed_for": "bored", "exit_code": null, "signal": 9,
            "cpu_ms": 1.0, "wall_ms": 1.0, "memory_kb": 1, "stderr_truncated": false});
        assert!(serde_json::from_value::<RawResult>(header).is_err());
    }

    #[test]
    fn memory_error_is_a_memory_limit() {
        let report = Report::Exception {
            raised: Raised::named("MemoryError".into()),
            errno: None,
        };
        assert_eq!(
            classify(raw(None, Some(1), None, 5.0), Some(report)),
            Termination::MemoryLimit
        );
    }

    #[test]
    fn a_failed_setup_is_a_sandbox_failure_not_the_programs_error() {
        let report = Report::parse(br#"{"outcome": "setup_error", "message": "OSError: x"}"#);
        assert_eq!(
            classify(raw(None, Some(121), None, 1.0), report),
            Termination::SandboxFailure {
                message: "OSError: x".into()
            }
        );
    }

    #[test]
    fn terminations_are_a_closed_set_when_read_back() {
        let failure = Termination::SandboxFailure {
            message: "m".into(),
        };
        let text = serde_json::to_string(&failure).expect("serialize");
        assert_eq!(text, r#"{"kind":"sandbox_failure","message":"m"}"#);
        assert_eq!(
            serde_json::from_str::<Termination>(&text).expect("read back"),
            failure
        );
        // A kind this build does not know (a newer build's) is an error, never a default.
        assert!(serde_json::from_str::<Termination>(r#"{"kind":"abducted"}"#).is_err());
    }

    #[test]
    fn odd_exit_code_is_a_runtime_error() {
        let t = classify(raw(None, Some(3), None, 5.0), None);
        assert_eq!(
            t,
            Termination::RuntimeError {
                detail: "exit code 3".into()
            }
        );
    }

    #[test]
    fn output_limit_wins_over_everything() {
        assert_eq!(
            classify(
                raw(Some(KillReason::OutputLimit), None, Some(9), 5000.0),
                None
            ),
            Termination::OutputLimit
        );
    }

    #[test]
    fn returned_value_is_kept() {
        let limits = Limits::new(Duration::from_secs(1), 256, 1);
        let report = Report::Returned {
            value: serde_json::json!([1, 2]),
        };
        let outcome = raw(None, Some(0), None, 1.0).into_outcome(
            Some(report),
            &limits,
            Vec::new(),
            Vec::new(),
        );
        assert_eq!(outcome.termination, Termination::Finished);
        assert_eq!(outcome.returned, Some(serde_json::json!([1, 2])));
    }

    #[test]
    fn outcomes_round_trip_through_json_with_any_bytes() {
        let limits = Limits::new(Duration::from_secs(1), 256, 1);
        let outcome = raw(None, Some(0), None, 1.0).into_outcome(
            None,
            &limits,
            vec![0, 255, b'\n', 0xc3],
            b"warning".to_vec(),
        );
        let text = serde_json::to_string(&outcome).expect("serialize");
        let back: Outcome = serde_json::from_str(&text).expect("deserialize");
        assert_eq!(back.stdout, outcome.stdout);
        assert_eq!(back.stderr, outcome.stderr);
        assert_eq!(back.termination, outcome.termination);
        assert_eq!(back.cpu, outcome.cpu);
    }

    #[test]
    fn reports_parse_with_values_of_any_size() {
        let huge = format!("1{}", "0".repeat(400));
        let text = format!("{{\"outcome\": \"returned\", \"value\": [{huge}]}}");
        let Some(Report::Returned { value }) = Report::parse(text.as_bytes()) else {
            panic!("not parsed");
        };
        assert_eq!(value.to_string(), format!("[{huge}]"));
        let exception = br#"{"outcome": "exception", "type": "OSError", "errno": 27}"#;
        assert!(matches!(
            Report::parse(exception),
            Some(Report::Exception {
                errno: Some(27),
                ..
            })
        ));
        assert!(Report::parse(br#"{"outcome": "made up"}"#).is_none());
        assert!(Report::parse(b"xx").is_none());
    }

    #[test]
    fn a_report_of_too_many_values_is_an_output_limit_unparsed() {
        let text = format!(
            "{{\"outcome\": \"returned\", \"value\": [{}0]}}",
            "0,".repeat(MAX_RETURNED_VALUES)
        );
        let report = Report::parse(text.as_bytes());
        assert!(matches!(report, Some(Report::Oversized)), "{report:?}");
        let outcome = raw(None, Some(0), None, 1.0).into_outcome(
            report,
            &Limits::new(Duration::from_secs(1), 64, 4),
            Vec::new(),
            Vec::new(),
        );
        assert_eq!(outcome.termination, Termination::OutputLimit);
        assert_eq!(outcome.returned, None);
    }

    #[test]
    fn returned_infinities_and_nan_are_numbers() {
        let text = br#"{"outcome": "returned", "value": [Infinity, -Infinity, NaN, "inf"]}"#;
        let Some(Report::Returned { value }) = Report::parse(text) else {
            panic!("not parsed");
        };
        assert!(value[0].is_number() && value[2].is_number());
        assert_eq!(value.to_string(), r#"[Infinity,-Infinity,NaN,"inf"]"#);
    }
}
