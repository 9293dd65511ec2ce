//! `submission.json`: each finished problem's selected program in LiveCodeBench's custom-evaluator
//! format. The format is LiveCodeBench's (a list of entries), so it carries no version of its
//! own; `--candidates` reads the same entries back.

use serde::{Deserialize, Deserializer, Serialize};

use crate::program::Language;

/// One problem's entry: LiveCodeBench's two fields, and the program's language (absent where
/// no program was selected, and in files other tools wrote).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The benchmark's id; other tools' files may give it as a number.
    #[serde(deserialize_with = "id_text")]
    pub question_id: String,
    pub code_list: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
}

fn id_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    })
}
