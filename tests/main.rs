//! Integration tests, one binary: CLI, sandbox limits against hostile programs, model client.

mod llm;
