//! The API key as a secret value: redacted in `Debug` and `Display`, never serialised.

use std::fmt;

/// An API key. Its `Debug` and `Display` print `[redacted]`; the only way to
/// read it is [`ApiKey::expose`], used where the key goes on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Replaces every occurrence of the key in `text` (a server's error
    /// message may echo it) with `[redacted]`.
    pub fn scrub(&self, text: &str) -> String {
        if self.0.is_empty() {
            text.to_owned()
        } else {
            text.replace(&self.0, "[redacted]")
        }
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let key = ApiKey::new("sk-very-secret");
        assert!(!format!("{key:?}").contains("sk-very-secret"));
        assert!(!format!("{key}").contains("sk-very-secret"));
        assert_eq!(key.expose(), "sk-very-secret");
    }

    #[test]
    fn scrub_removes_the_key() {
        let key = ApiKey::new("sk-abc");
        assert_eq!(
            key.scrub("bad key sk-abc given"),
            "bad key [redacted] given"
        );
        assert_eq!(ApiKey::new("").scrub("text"), "text");
    }
}
