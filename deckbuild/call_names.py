"""Which code_snippets/ module and name an output()/value() call means, read without importing it: a
module name that stays in the deck, a file that exists, a name defined there, and defined only once."""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from .deps import top_level_names
from .model import Ref
from .names import name_list


def find_call(deck: Path, ref: Ref) -> tuple[Path, str] | str:
    """(module file, "code_snippets/m.py:LINE" of the name) for `module:name`, or what is wrong with it."""
    what = f"{ref.kind}('{ref.target}')"
    module, _, name = ref.target.partition(":")
    folder = deck / "code_snippets"
    path = folder / (module.replace(".", "/") + ".py")
    if not module or not name:
        return f"{what}: expected 'module:name', e.g. 'losses:softmax_demo'"
    # Only (dotted) module names: '../x' or '/abs/x' would run code from outside the deck.
    if not all(part.isidentifier() for part in module.split(".")):
        return f"{what}: refused: the module must be a module name in code_snippets/ without '/' or '.py' (like 'losses')"
    if path.is_file() and not path.resolve().is_relative_to(folder.resolve()):
        return f"{what}: refused: {path.relative_to(deck).as_posix()} is a link to a file outside code_snippets/"
    if not path.is_file():
        modules = [p.stem for p in folder.glob("*.py") if p.stem != "__init__"]
        return f"{what}: there is no code_snippets/{module}.py (modules: {name_list(module, modules)})"
    rel = path.relative_to(deck).as_posix()
    source = path.read_text(encoding="utf-8")
    names = _names(source)
    if names is None:  # bad syntax: the worker reports it with its line
        return path, rel
    functions, constants, imported = names
    head = name.split(".")[0]  # "LeNet.forward" is found through LeNet
    lines = _definitions(source).get(head, [])
    if len(lines) > 1:
        # Python keeps the last one; snippet() and a reader of the file may well see the first.
        return (f"{what}: '{head}' is defined {len(lines)} times in {rel} (lines {', '.join(map(str, lines))}): "
                "the last one runs; rename or remove the others")
    defined = {**imported, **constants, **functions}
    if head in defined:
        return path, f"{rel}:{defined[head]}"
    public = [n for n in functions if not n.startswith("_")]
    if ref.kind == "output":
        return f"{what}: {rel} has no function '{name}' (functions: {name_list(name, public)})"
    public += [n for n in constants if not n.startswith("_")]
    return f"{what}: {rel} has no function or constant '{name}' (names: {name_list(name, public)})"


@lru_cache(maxsize=256)  # a deck calls into the same few modules many times: parse each text once
def _names(source: str):
    return top_level_names(source)


@lru_cache(maxsize=256)
def _definitions(source: str) -> dict[str, list[int]]:
    """Lines of each top-level def and class, by name."""
    found: dict[str, list[int]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.setdefault(node.name, []).append(node.lineno)
    return found
