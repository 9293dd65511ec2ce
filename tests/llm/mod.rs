//! Model client against a scripted OpenAI-compatible server on 127.0.0.1, through the real async-openai client.

mod answers;
mod cache;
mod concurrency;
mod faults;
mod ledger;
mod sampling;
mod secrets;
pub(crate) mod support;
