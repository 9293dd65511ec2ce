//! `submission.json`: each finished problem's selected program in LiveCodeBench's custom-evaluator
//! format.

use serde::Serialize;

use crate::program::Language;

/// One problem's entry: LiveCodeBench's two fields, and the program's language (absent where
/// no program was selected).
#[derive(Debug, Serialize)]
pub struct Entry<'a> {
    pub question_id: &'a str,
    pub code_list: [&'a str; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
}
