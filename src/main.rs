//! The `sstar` command line: parse, run, map errors to exit codes.

fn main() {}
