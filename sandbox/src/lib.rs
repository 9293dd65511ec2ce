//! Sandbox crate.
