//! Errors from loading problems: one per malformed problem, one for an unreadable set.

use crate::io_error::IoError;
use std::io;
use std::path::PathBuf;

/// The problem set directory itself cannot be used; nothing was loaded.
#[derive(Debug, thiserror::Error)]
pub enum SetError {
    /// The path does not exist or is not a directory.
    #[error("problem set {}: not a directory", path.display())]
    NotADirectory {
        /// The set directory.
        path: PathBuf,
    },
    /// No subdirectory holds a `problem.toml`: nothing to do is not a result.
    #[error(
        "problem set {}: no problem in it (a problem is a subdirectory with a problem.toml){}",
        path.display(),
        if *is_problem { "; this is a problem directory: pass the directory that holds it" } else { "" }
    )]
    Empty {
        /// The set directory.
        path: PathBuf,
        /// The directory is itself a problem (it holds a `problem.toml`).
        is_problem: bool,
    },
    /// Listing the directory failed.
    #[error("problem set {}: cannot read: {source}", path.display())]
    Unreadable {
        /// The set directory.
        path: PathBuf,
        /// The underlying failure.
        source: io::Error,
    },
}

/// What a path under a problem directory is, when it is not what the loader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A symbolic link (never followed).
    Symlink,
    /// A named pipe: opening or reading it could block forever.
    Fifo,
    /// A character or block device, such as `/dev/zero`.
    Device,
    /// A Unix socket.
    Socket,
    /// A directory where a file was expected.
    Directory,
    /// Anything else that is not a regular file.
    Other,
}

impl std::fmt::Display for FileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileKind::Symlink => "a symbolic link",
            FileKind::Fifo => "a named pipe",
            FileKind::Device => "a device",
            FileKind::Socket => "a socket",
            FileKind::Directory => "a directory",
            FileKind::Other => "not a regular file",
        })
    }
}

/// One problem could not be loaded; the rest of its set still loads.
#[derive(Debug, thiserror::Error)]
#[error("problem {}: {reason}", path.display())]
pub struct LoadError {
    /// The problem directory.
    pub path: PathBuf,
    /// What is wrong with it.
    pub reason: LoadErrorReason,
}

impl LoadError {
    /// The problem's id (its directory name), as summaries and reports name it.
    pub fn id(&self) -> String {
        self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        )
    }
}

/// What is wrong with a problem. File paths are relative to the problem directory.
#[derive(Debug, thiserror::Error)]
pub enum LoadErrorReason {
    /// The problem path is not a directory.
    #[error("not a directory")]
    NotADirectory,
    /// A required file is absent.
    #[error("missing {}", file.display())]
    MissingFile {
        /// The missing file.
        file: PathBuf,
    },
    /// The problem directory itself is a symbolic link: it could lead anywhere on the host.
    #[error("the problem directory is a symbolic link; problems are read only from real directories inside the set")]
    LinkedProblem,
    /// A file or directory of the problem is a symbolic link, device, named pipe or socket:
    /// it could send a host file to the model, never end, or block the load.
    #[error("{} is {found}; problem files must be regular files inside the set", file.display())]
    NotRegular {
        /// The file or directory.
        file: PathBuf,
        /// What it is instead.
        found: FileKind,
    },
    /// A file is larger than its cap (nothing past the cap was read).
    #[error("{} is larger than the {} MiB cap", file.display(), limit >> 20)]
    TooLarge {
        /// The file.
        file: PathBuf,
        /// The cap in bytes.
        limit: u64,
    },
    /// A file exists but could not be read.
    #[error("cannot read {0}")]
    Io(IoError),
    /// A text file is not UTF-8.
    #[error("{} is not valid utf-8", file.display())]
    NotUtf8 {
        /// The file.
        file: PathBuf,
    },
    /// `problem.toml` does not parse or has a bad value or an unknown key.
    #[error("problem.toml{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Manifest {
        /// 1-based line of the offending text, when known.
        line: Option<usize>,
        /// The TOML parser's message.
        message: String,
    },
    /// The set's `set.toml` does not parse or has an unknown key.
    #[error("../set.toml (the set's defaults): {message}")]
    SetDefaults {
        /// The TOML parser's message.
        message: String,
    },
    /// `packages` names one the judge does not offer.
    #[error("{file}: packages: no package `{name}` in the set a judge can offer ({offered})")]
    UnknownPackage {
        /// `problem.toml`, or the set's `../set.toml`.
        file: &'static str,
        /// The name given.
        name: String,
        /// The names it could have been.
        offered: String,
    },
    /// A limit is outside the range the sandbox can enforce (docs/problems.md).
    #[error("problem.toml: {key} = {value} is out of range {min}..={max}")]
    LimitOutOfRange {
        /// The key.
        key: &'static str,
        /// The value given.
        value: u64,
        /// Smallest accepted value.
        min: u64,
        /// Largest accepted value.
        max: u64,
    },
    /// `float_tolerance` is negative or not finite.
    #[error("problem.toml: float_tolerance must be a finite number >= 0, got {value}")]
    BadTolerance {
        /// The value given.
        value: f64,
    },
    /// A function problem lacks `entry_point`.
    #[error("problem.toml: entry_point is required when kind = \"function\"")]
    MissingEntryPoint,
    /// A stdio problem names an `entry_point`.
    #[error("problem.toml: entry_point is only for kind = \"function\"")]
    UnexpectedEntryPoint,
    /// `entry_point` is not `name` or `Class.method`.
    #[error("problem.toml: entry_point `{value}` is not `name` or `Class.method`")]
    BadEntryPoint {
        /// The value given.
        value: String,
    },
    /// `checker = "program"` without a `checker.py`.
    #[error("checker = \"program\" needs checker.py")]
    MissingCheckerProgram,
    /// A `.in` without its `.out`, or the reverse.
    #[error("{} has no matching {}", file.display(), missing.display())]
    UnpairedTest {
        /// The file that exists.
        file: PathBuf,
        /// Its missing partner.
        missing: PathBuf,
    },
    /// A problem, test or solution name is not UTF-8.
    #[error("name {} is not valid utf-8", name.display())]
    BadName {
        /// The offending path.
        name: PathBuf,
    },
    /// A line of a function problem's `.in` is not JSON.
    #[error("{} line {line}: bad json argument: {source}", file.display())]
    BadArgument {
        /// The `.in` file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// The JSON parser's error.
        source: serde_json::Error,
    },
    /// A function problem's `.out` is not one JSON value.
    #[error("{}: bad json value: {source}", file.display())]
    BadExpected {
        /// The `.out` file.
        file: PathBuf,
        /// The JSON parser's error.
        source: serde_json::Error,
    },
}
