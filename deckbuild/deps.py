"""Which `code_snippets/` files a piece of lecture code depends on, read without importing it."""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

# Lecture code lives in these two packages; any import of them is a dependency to hash.
DECK_PACKAGES = ("code_snippets", "figures_src")


def _module_file(deck: Path, package: str, name: str) -> Path | None:
    """code_snippets/name.py (or a subpackage's __init__.py) if it exists."""
    for path in (deck / package / f"{name}.py", deck / package / name / "__init__.py"):
        if path.is_file():
            return path
    return None


def imported_deck_files(deck: Path, source: str, package: str | None) -> set[Path]:
    """Files of the deck's packages that this source imports; `package` resolves relative imports."""
    found = set()
    for top, name in _deck_imports(source, package):
        path = _module_file(deck, top, name) if name else None
        found.update(p for p in (path, deck / top / "__init__.py") if p is not None and p.is_file())
    return found


@lru_cache(maxsize=1024)  # a build asks about the same module texts many times: parse each once
def _deck_imports(source: str, package: str | None) -> frozenset[tuple[str, str]]:
    """(package, module name or "" for the package itself) for each import of the deck's packages."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return frozenset()
    wanted: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top, _, rest = alias.name.partition(".")
                if top in DECK_PACKAGES:
                    wanted.add((top, rest.split(".")[0]))
        elif isinstance(node, ast.ImportFrom):
            top, _, rest = (node.module or "").partition(".")
            if node.level == 1 and package:
                top, rest = package, node.module or ""
            elif node.level or top not in DECK_PACKAGES:
                continue
            rest = rest.split(".")[0]
            wanted.add((top, rest))
            if not rest:  # `from code_snippets import lenet` names modules (or package attributes)
                wanted.update((top, alias.name) for alias in node.names)
    return frozenset(wanted)


def deck_closure(deck: Path, files: list[Path], sources: tuple[str, ...] = ()) -> list[Path]:
    """The given files, plus every code_snippets/figures_src file they (or `sources`) import, transitively."""
    seen: set[Path] = set()
    todo = list(files)
    for source in sources:
        todo.extend(imported_deck_files(deck, source, None))
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        package = path.parent.name if path.parent.name in DECK_PACKAGES else None
        todo.extend(imported_deck_files(deck, path.read_text(encoding="utf-8-sig", errors="replace"), package))
    return sorted(seen)


def library_imports(sources: list[str]) -> set[str]:
    """Modules outside the standard library and the deck that these sources import (`a.b` for `from a.b import c`)."""
    import sys

    found = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module)
    skip = set(sys.stdlib_module_names) | set(DECK_PACKAGES) | {"__future__"}
    return {name for name in found if name.split(".")[0] not in skip}


def top_level_names(source: str) -> tuple[dict[str, int], dict[str, int], dict[str, int]] | None:
    """Functions/classes, constants and imported names at the top of a module, with lines; None on bad syntax."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    functions, constants, imported = {}, {}, {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            functions[node.name] = node.lineno
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                constants.update((sub.id, node.lineno) for sub in ast.walk(target) if isinstance(sub, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            imported.update(((a.asname or a.name).split(".")[0], node.lineno) for a in node.names)
    return functions, constants, imported
