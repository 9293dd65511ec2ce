//! Integration tests, one binary: the CLI, sandbox limits against hostile programs, and the
//! model client against a scripted OpenAI-compatible server on 127.0.0.1.

mod checker_failures;
mod common;
mod eval_outcomes;
mod exec_engine;
mod fix_cli;
mod fix_locate;
mod fix_model;
mod grading;
mod hostile;
mod hostile_cpp;
mod import_cli;
mod import_limits;
mod internal_errors;
mod isolation;
mod judge_cli;
mod judge_env;
mod judge_output;
mod llm;
mod pipeline;
mod previous_runs;
mod problem_files;
mod run_lock;
mod run_privacy;
mod scratch_fallback;
mod settings_cli;
mod shard;
mod side_channels;
mod terminal_escapes;
#[cfg(feature = "wasm")]
mod wasm_cli;
