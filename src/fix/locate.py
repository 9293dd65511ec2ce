"""Where a top-level function is defined: Python's own parser, so decorators, multi-line
signatures and nested definitions of the same name are read as the interpreter reads them."""

import ast


def locate(source, name):
    """{"first", "def", "end"} (1-based, inclusive; `first` is the first decorator's line),
    None when `name` is not a top-level function, {"error"} when `source` does not parse.
    A name defined twice is the last definition, the one an import binds."""
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        return {"error": f"line {e.lineno}: {e.msg}"}
    found = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            found = {"first": first, "def": node.lineno, "end": node.end_lineno}
    return found
