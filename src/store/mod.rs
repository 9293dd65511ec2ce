//! The run directory (docs/run-directory.md): every file a run writes, written as work finishes,
//! atomically.

mod exec_cache;
mod files;
mod lock;
mod merge;
mod run_dir;
mod shards;
mod writer;

pub use exec_cache::ExecCache;
pub use files::{
    append_line, pretty_json, read_json, read_json_file, read_lines, write_atomic,
    write_json_atomic, JsonFileError, Lines, LinesError,
};
pub use lock::{LockError, RunLock, LOCK_FILE};
pub use merge::{merge_runs, MergeError, Merged};
pub use run_dir::RunDir;
pub use shards::ShardCoverage;
pub use writer::Writer;
