//! Model-free inputs from the problem's structure: a generator program (Python, run in the
//! sandbox like a model-written generator) that reads the statement, the starter and the
//! public inputs, and prints many valid inputs, each tagged with the family that made it.
//!
//! The families live in one Python file each: `constraints.py` (ranges the statement
//! states), `stdio.py` (input shape, size ladder, edge values, public-input rewrites),
//! `function.py` (type-aware arguments from examples and annotations). They run in the
//! sandbox because they parse untrusted statements, and in Python because Python's `ast`
//! reads signatures and literals the way candidates see them.

mod generator;

pub use generator::{structured_inputs, Family};
