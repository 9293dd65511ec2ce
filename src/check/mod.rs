//! Output checkers (docs/verdicts.md): pure functions deciding whether an answer is right.

mod answer;
mod decimal;
mod exact;
mod float;
mod lines;
mod outcome;
mod output;
mod text;
mod tokens;
mod value;

pub use answer::{output_answer, value_answer, Answer};
pub use lines::canonical_lines;
pub use outcome::CheckOutcome;
pub use output::check_output;
pub use value::check_value;
