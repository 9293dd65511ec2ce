//! The languages a program may be written in, and how one is told from a file name or, when
//! nothing says, from the text itself.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// A program's language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Python,
    Cpp,
}

impl Language {
    /// The language's one spelling, as typed on the command line and written in every file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Python => "python",
            Self::Cpp => "cpp",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Python => "py",
            Self::Cpp => "cpp",
        }
    }

    /// A spelling from the command line, a candidates file or a fenced block's tag
    /// (`python`, `py`, `python3`, `cpp`, `c++`, `cxx`, `cc`), in any case.
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "python" | "py" | "python3" | "py3" => Some(Self::Python),
            "cpp" | "c++" | "cxx" | "cc" => Some(Self::Cpp),
            _ => None,
        }
    }

    /// The language a file's extension names, if it names one.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "py" => Some(Self::Python),
            "cpp" | "cc" | "cxx" | "c++" => Some(Self::Cpp),
            _ => None,
        }
    }

    /// The language of a program nothing else names: C++ when a line is a preprocessor
    /// `#include` or `#define` and the text defines `main`; Python otherwise. Both are needed:
    /// `#include` alone is a Python comment, and a Python program may mention `int main(`.
    pub fn detect(code: &str) -> Self {
        let directive = code.lines().any(|line| {
            let Some(rest) = line.trim_start().strip_prefix('#') else {
                return false;
            };
            let word = rest.trim_start();
            ["include", "define"].iter().any(|d| {
                word.strip_prefix(d).is_some_and(|after| {
                    !after.starts_with(|c: char| c.is_alphanumeric() || c == '_')
                })
            })
        });
        if directive && defines_main(code) {
            Self::Cpp
        } else {
            Self::Python
        }
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `code` has `int main(`, `signed main(`, `auto main(` or `void main(` (any spacing).
fn defines_main(code: &str) -> bool {
    let mut rest = code;
    while let Some(at) = rest.find("main") {
        let (before, after) = (&rest[..at], &rest[at + 4..]);
        let typed = before
            .trim_end()
            .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .is_some_and(|word| matches!(word, "int" | "signed" | "auto" | "void"));
        let spaced = before.ends_with(|c: char| c.is_whitespace());
        if typed && spaced && after.trim_start().starts_with('(') {
            return true;
        }
        rest = after;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpp_is_told_by_a_directive_and_a_main() {
        let cpp = [
            "#include <bits/stdc++.h>\nusing namespace std;\nint main() { return 0; }",
            "#include<cstdio>\nsigned main(){puts(\"hi\");}",
            "  # include <iostream>\n#define int long long\nsigned  main ( ) {}",
            "#define REP(i,n) for(int i=0;i<n;i++)\nauto main() -> int { }",
        ];
        for code in cpp {
            assert_eq!(Language::detect(code), Language::Cpp, "{code}");
        }
        let python = [
            "print(1)",
            // A comment that looks like a directive, without a main.
            "#include <stdio.h>\nprint(sum(map(int, input().split())))",
            // A main without a directive.
            "s = 'int main() { }'\nprint(s)",
            // `#includes` is not `#include`.
            "#includes: nothing\ndef main():\n    pass\n# int main (",
            "def main():\n    print(2)\nmain()",
        ];
        for code in python {
            assert_eq!(Language::detect(code), Language::Python, "{code}");
        }
    }

    #[test]
    fn names_and_extensions() {
        for (name, language) in [
            ("python", Language::Python),
            ("Py", Language::Python),
            ("python3", Language::Python),
            ("cpp", Language::Cpp),
            ("C++", Language::Cpp),
            ("cxx", Language::Cpp),
            ("cc", Language::Cpp),
        ] {
            assert_eq!(Language::parse(name), Some(language), "{name}");
        }
        assert_eq!(Language::parse("rust"), None);
        for (path, language) in [
            ("a/prog.py", Some(Language::Python)),
            ("prog.cpp", Some(Language::Cpp)),
            ("prog.CC", Some(Language::Cpp)),
            ("prog.cxx", Some(Language::Cpp)),
            ("prog.c++", Some(Language::Cpp)),
            ("prog.c", None),
            ("prog", None),
        ] {
            assert_eq!(Language::from_path(Path::new(path)), language, "{path}");
        }
        let json = serde_json::to_string(&Language::Cpp).expect("json");
        assert_eq!(json, "\"cpp\"");
        assert_eq!(Language::Cpp.to_string(), "cpp");
    }
}
