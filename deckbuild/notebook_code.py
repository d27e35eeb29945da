"""The Python around a snippet in a notebook: whether it can run on its own, and the imports it needs."""
from __future__ import annotations

import ast
import builtins
from pathlib import Path


def defines_only(code: str) -> bool:
    """True when the code parses on its own and only defines functions and classes (or imports)."""
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return False
    allowed = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
    return bool(body) and all(isinstance(node, allowed) for node in body)


def imports_for(code: str, module_file: Path, module: str) -> str:
    """Import lines for the module-level names this code uses: the module's own imports, or from the module."""
    tree = ast.parse(code)
    nodes = list(ast.walk(tree))
    bound = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    bound |= {n.name for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    bound |= {a.arg for n in nodes if isinstance(n, ast.arguments) for a in n.posonlyargs + n.args + n.kwonlyargs}
    free = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound - set(dir(builtins))
    lines: dict[str, list[str]] = {}  # "from x" or "import x" -> the names it brings, in the module's order
    for node in ast.parse(module_file.read_text(encoding="utf-8")).body:
        for name, head, item in _bindings(node, module):
            if name in free:
                free.discard(name)
                lines.setdefault(head, []).append(item)
    return "\n".join(f"{head} import {', '.join(items)}" if head.startswith("from") else head
                     for head, items in lines.items())


def _bindings(node: ast.stmt, module: str):
    """(name, import head, imported item) for each name a module's top-level statement binds."""
    own = f"from code_snippets.{module}"
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.asname or alias.name.split(".")[0], f"import {_spelled(alias)}", ""
    elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
        source = f"code_snippets{'.' + node.module if node.module else ''}" if node.level else node.module
        for alias in node.names:
            yield alias.asname or alias.name, f"from {source}", _spelled(alias)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name, own, node.name
    elif isinstance(node, (ast.Assign, ast.AnnAssign)):
        for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
            if isinstance(target, ast.Name):
                yield target.id, own, target.id


def _spelled(alias: ast.alias) -> str:
    return f"{alias.name} as {alias.asname}" if alias.asname else alias.name
