//! Output checkers (SPEC §3).
