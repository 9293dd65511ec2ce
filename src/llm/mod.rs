//! Model client (issue 3).
