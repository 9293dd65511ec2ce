//! A candidate program: its source and the language it is written in, which travel together
//! from the model's answer (or a candidates file) to the sandbox, the records and the
//! submission.

use std::sync::Arc;

pub use sstar_sandbox::Language;

/// A program's source with its language.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Program {
    pub language: Language,
    pub code: Arc<str>,
}

impl Program {
    pub fn new(language: Language, code: impl Into<Arc<str>>) -> Self {
        Self {
            language,
            code: code.into(),
        }
    }

    /// A Python program.
    pub fn python(code: impl Into<Arc<str>>) -> Self {
        Self::new(Language::Python, code)
    }

    /// A program nothing names the language of: see [`Language::detect`].
    pub fn detect(code: impl Into<Arc<str>>) -> Self {
        let code = code.into();
        Self::new(Language::detect(&code), code)
    }

    /// The file name it is kept under in a run directory (`solution.py`, `solution.cpp`).
    pub fn file_name(&self, stem: &str) -> String {
        format!("{stem}.{}", self.language.extension())
    }
}

/// What `sstar solve --language` asks the model to write.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum LanguageChoice {
    #[default]
    Python,
    Cpp,
    /// The model chooses, per answer.
    Any,
}

impl LanguageChoice {
    /// Whether an answer in `language` is taken.
    pub fn accepts(self, language: Language) -> bool {
        match self {
            Self::Python => language == Language::Python,
            Self::Cpp => language == Language::Cpp,
            Self::Any => true,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Python => "python",
            Self::Cpp => "cpp",
            Self::Any => "any",
        }
    }
}
