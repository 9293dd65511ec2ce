//! Finding the top-level function `sstar fix` replaces, with Python's own parser in the
//! sandbox: decorators (even spanning lines), multi-line signatures, nested definitions and
//! methods of the same name, a name defined twice.

use std::sync::Arc;

use sstar::fix::{locate, FixError, Location, TreeRunner};
use sstar::store::ExecCache;

const SOURCE: &str = r#"import functools


def outer():
    def target(x):  # nested: not it
        return x
    return target


class Box:
    def target(self):  # a method: not it
        return 1


def target(x):  # the first definition, replaced below
    return 0


@functools.lru_cache(
    maxsize=None,
)
@staticmethod
async def target(
    x,
    y=(1,
       2),
):
    """Docstring."""

    return x  # last line


def after():
    pass
"#;

fn runner(dir: &std::path::Path) -> TreeRunner {
    let sandbox = Arc::new(sstar::sandbox_from_env().expect("sandbox"));
    let cache = ExecCache::open(&dir.join("exec.log"), &sandbox).expect("cache");
    TreeRunner::new(sandbox, cache)
}

#[tokio::test]
async fn the_last_top_level_definition_from_its_first_decorator_to_its_last_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let runner = runner(dir.path());
    let at = locate(&runner, "m.py", SOURCE, "target")
        .await
        .expect("found");
    assert_eq!(
        at,
        Location {
            first: 19,
            def_line: 23,
            end: 30
        }
    );
    let missing = locate(&runner, "m.py", SOURCE, "absent").await;
    assert!(
        matches!(missing, Err(FixError::NoFunction { .. })),
        "{missing:?}"
    );
    let broken = locate(&runner, "m.py", "def target(:\n", "target").await;
    assert!(
        matches!(broken, Err(FixError::Unparsable { .. })),
        "{broken:?}"
    );
}
