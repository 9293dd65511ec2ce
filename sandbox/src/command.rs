//! A repository tree in the sandbox (`sstar fix`): run a shell command over a scratch copy of
//! it, or call a function imported from it. Both are ordinary executions of a small driver
//! (`python/tree.py`), so every isolation layer and limit of a program run applies: no
//! network, an empty environment, writes only inside the run's scratch copy (the caller's
//! tree is sent as bytes, never mounted), every process killed with the run.

use crate::execution::{Execution, Limits, ProgramKind};

/// The driver that unpacks the tree and runs the command or imports the function.
pub const TREE_DRIVER: &str = include_str!("../python/tree.py");

/// Name of the entry point the driver binds the imported function to.
const TARGET: &str = "_sstar_target";

/// One file of a tree: a relative path with `/` separators, its bytes, its executable bit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    pub path: String,
    pub data: Vec<u8>,
    pub executable: bool,
}

/// The tree as the driver reads it: per file, u32 LE path length, the UTF-8 path, one mode
/// byte (bit 0: executable), u64 LE data length, the data.
pub fn tree_archive<'a>(files: impl IntoIterator<Item = &'a TreeFile>) -> Vec<u8> {
    let mut out = Vec::new();
    for file in files {
        out.extend_from_slice(&(file.path.len() as u32).to_le_bytes());
        out.extend_from_slice(file.path.as_bytes());
        out.push(u8::from(file.executable));
        out.extend_from_slice(&(file.data.len() as u64).to_le_bytes());
        out.extend_from_slice(&file.data);
    }
    out
}

/// `/bin/sh -c COMMAND` in a scratch copy of the tree (`archive`, from [`tree_archive`]), its
/// stderr merged into stdout. The outcome's exit code is the command's (128 + N when a signal
/// ended it); `Finished` means it exited 0.
pub fn shell_command<'a>(command: &str, archive: Vec<u8>, limits: Limits) -> Execution<'a> {
    let mut execution = Execution::new(ProgramKind::Stdio, TREE_DRIVER, b"", limits);
    execution.files.push(("tree".into(), archive));
    execution.args = vec!["shell".into(), command.into()];
    execution
}

/// Calls `function` of `module` (dotted, imported with the tree's root first on `sys.path`)
/// with `stdin`'s arguments, one JSON value per line, like any function program.
pub fn tree_function<'a>(
    module: &str,
    function: &str,
    archive: Vec<u8>,
    stdin: &'a [u8],
    limits: Limits,
) -> Execution<'a> {
    let kind = ProgramKind::Function {
        entry_point: TARGET.into(),
    };
    let mut execution = Execution::new(kind, TREE_DRIVER, stdin, limits);
    execution.files.push(("tree".into(), archive));
    execution.args = vec!["import".into(), module.into(), function.into()];
    execution
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_lays_out_each_file_with_its_lengths_and_mode() {
        let files = [TreeFile {
            path: "a/b.py".into(),
            data: b"xy".to_vec(),
            executable: true,
        }];
        let archive = tree_archive(&files);
        assert_eq!(&archive[..4], &6u32.to_le_bytes());
        assert_eq!(&archive[4..10], b"a/b.py");
        assert_eq!(archive[10], 1);
        assert_eq!(&archive[11..19], &2u64.to_le_bytes());
        assert_eq!(&archive[19..], b"xy");
    }
}
