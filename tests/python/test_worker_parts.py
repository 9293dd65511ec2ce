"""How the sandbox's Python is joined: every part the host sends, each name it uses defined by
some part, and nothing done at load but in the worker's last part."""

import ast
import builtins
import pathlib
import symtable

from conftest import ROOT, RUNNER_PARTS, worker_parts


def undefined_names(paths):
    """Names the program joined from `paths` reads as globals but never binds (ruff cannot
    tell: each part alone uses names another defines)."""
    source = "\n".join((ROOT / p).read_text() for p in paths)
    top = symtable.symtable(source, "joined", "exec")
    bound = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()}
    read = set()

    def walk(table):
        for symbol in table.get_symbols():
            if symbol.is_referenced() and (table is top or symbol.is_global()):
                read.add(symbol.get_name())
            if table is not top and symbol.is_declared_global() and (symbol.is_assigned() or symbol.is_imported()):
                bound.add(symbol.get_name())
        for child in table.get_children():
            walk(child)

    walk(top)
    return sorted(n for n in read - bound if not hasattr(builtins, n) and n != "__builtins__")


def test_the_host_joins_every_worker_part_once_main_last():
    parts = worker_parts()
    on_disk = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "sandbox/python/worker").glob("*.py"))
    assert sorted(parts) == on_disk, "a part on disk the host does not send, or one it sends twice"
    assert len(parts) == len(set(parts)) > 5
    assert parts[-1] == "sandbox/python/worker/main.py"


def test_every_name_the_process_worker_uses_is_defined():
    assert undefined_names([*RUNNER_PARTS, *worker_parts()]) == []


def test_every_name_the_wasm_driver_uses_is_defined():
    assert undefined_names([*RUNNER_PARTS, "sandbox/python/wasm_driver.py"]) == []


def test_the_check_finds_a_name_no_part_defines(tmp_path):
    part = tmp_path / "part.py"
    part.write_text("def f():\n    return NOT_DEFINED_ANYWHERE + len([])\n")
    assert undefined_names([*RUNNER_PARTS, part]) == ["NOT_DEFINED_ANYWHERE"]  # ROOT / an absolute path is it


def test_only_main_does_anything_when_the_worker_loads():
    """Every part but main.py only binds names (defs, classes, imports, constants): the tests
    can load them, and the worker's start-up happens in one place, in order."""
    acting = []
    for path in worker_parts()[:-1]:
        for node in ast.parse((ROOT / path).read_text()).body:
            docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            binding = isinstance(
                node, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign)
            )
            if not (docstring or binding):
                acting.append(f"{pathlib.Path(path).name}:{node.lineno}")
    assert acting == []
    main = ast.parse((ROOT / worker_parts()[-1]).read_text()).body
    assert isinstance(main[-1], ast.Try), "main.py ends by running main()"
