"""Find the figure and artifact producers in figures_src/ by reading their source, never importing it.

A producer is a public function defined in a public module of figures_src/. Its parameters name
the producers whose results it needs (like pytest fixtures); `device` and `progress` are supplied
by the engine. Each producer gets a content key of exactly the code that can change its result.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .cache import key_of
from .deps import deck_closure
from .fingerprint import files_digest
from .errors import Collector, relpath
from .names import name_list

PACKAGE = "figures_src"
ENGINE_PARAMS = ("device", "progress")
# Bumped when the engine changes how results are stored, so old entries are not trusted
# (2: figures carry the glyphs of their text, svg_fonts.py).
FORMAT = 2


@dataclass(frozen=True)
class Producer:
    """One producer: where it is defined, the producers it takes, the hash of its own code."""

    name: str
    path: str  # relative to the deck: figures_src/lenet_figures.py
    line: int
    params: tuple[str, ...]
    source_key: str
    looks_like_figure: bool = False  # a guess from the source, only used to suggest names
    alt: str = ""  # the default alt text: an "Alt:" paragraph of the docstring

    @property
    def module(self) -> str:
        return self.path.removesuffix(".py").replace("/", ".")

    @property
    def inputs(self) -> tuple[str, ...]:
        """The parameters that are other producers."""
        return tuple(p for p in self.params if p not in ENGINE_PARAMS)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def index_producers(deck: Path) -> dict[str, Producer]:
    """Every producer in deck/figures_src, by name; bad names, parameters or cycles raise DeckError."""
    deck = Path(deck)
    problems = Collector()
    found: dict[str, Producer] = {}
    folder = (deck / PACKAGE).resolve()
    for path in sorted((deck / PACKAGE).glob("*.py")):
        if not path.resolve().is_relative_to(folder):  # the engine would run code from outside the deck
            problems.add(f"{PACKAGE}/{path.name}", 0, f"refused: a link to a file outside {PACKAGE}/")
        elif not path.name.startswith("_"):
            for producer in _module_producers(deck, path, problems):
                if producer.name in found:
                    other = found[producer.name]
                    problems.add(producer.path, producer.line, f"producer '{producer.name}' is also defined at {other.where}")
                else:
                    found[producer.name] = producer
    _check_params(found, problems)
    _check_cycles(found, problems)
    problems.problems.sort(key=lambda p: (p.path, p.line))
    problems.raise_if_any()
    return found


def _module_producers(deck: Path, path: Path, problems: Collector) -> list[Producer]:
    """The producers of one module, each keyed by its own source plus the module's shared code."""
    rel = relpath(path, deck)
    text = path.read_text(encoding="utf-8-sig")
    try:
        tree = _parse(text, rel)
    except SyntaxError as error:
        problems.add(rel, error.lineno or 0, f"SyntaxError: {error.msg}")
        return []
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}
    for node in tree.body:  # Python keeps the last definition; a reader of the file may see the first
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.lineno < getattr(defs.get(node.name), "lineno", 0):
            last = defs[node.name].lineno
            problems.add(rel, node.lineno, f"'{node.name}' is defined again at line {last}, which replaces this one: "
                                           "rename or remove one")
    lines = text.splitlines(keepends=True)
    sources = {name: "".join(lines[_first_line(n) - 1 : n.end_lineno]) for name, n in defs.items()}
    # The module without its producers: imports, constants and private helpers every producer shares.
    shared = [line for i, line in enumerate(lines, 1) if not any(_first_line(n) <= i <= n.end_lineno for n in defs.values())]
    imported = [p for p in deck_closure(deck, [path]) if p != path]
    common = key_of("".join(shared), files_digest(deck, imported))
    producers = []
    for name, node in defs.items():
        # A producer that calls a sibling producer directly depends on that sibling's code too.
        related = sorted(_called_siblings(name, defs))
        source_key = key_of(sources[name], [sources[r] for r in related], common)
        params = tuple(a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs)
        if node.args.vararg or node.args.kwarg:
            problems.add(rel, node.lineno, f"producer '{name}' takes *args or **kwargs; name each input instead")
        producers.append(Producer(name, rel, node.lineno, params, source_key, _returns_figure(node), _default_alt(node)))
    return producers


@lru_cache(maxsize=256)  # `serve` indexes the producers at every build: parse only what changed
def _parse(text: str, filename: str) -> ast.Module:
    return ast.parse(text, filename=filename)


def _first_line(node: ast.FunctionDef) -> int:
    return min([node.lineno] + [d.lineno for d in node.decorator_list])


def _called_siblings(name: str, defs: dict[str, ast.FunctionDef]) -> set[str]:
    """Producers of the same module that `name` refers to, directly or through each other."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        node = defs[todo.pop()]
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in defs and sub.id != name and sub.id not in seen:
                seen.add(sub.id)
                todo.append(sub.id)
    return seen


def _default_alt(node: ast.FunctionDef) -> str:
    """The docstring paragraph that starts with "Alt:", as one line (empty when there is none)."""
    for paragraph in (ast.get_docstring(node) or "").split("\n\n"):
        if paragraph.lstrip().startswith("Alt:"):
            return " ".join(paragraph.split()).removeprefix("Alt:").strip()
    return ""


def _returns_figure(node: ast.FunctionDef) -> bool:
    """A guess: does some `return` hand back something called fig-something?"""
    returns = [n.value for n in ast.walk(node) if isinstance(n, ast.Return) and n.value is not None]
    return any("fig" in ast.unparse(value).lower() or "gcf" in ast.unparse(value) for value in returns)


def _check_params(found: dict[str, Producer], problems: Collector) -> None:
    for producer in found.values():
        for param in producer.inputs:
            if param not in found:
                choices = name_list(param, [n for n in found if n != producer.name])
                problems.add(
                    producer.path,
                    producer.line,
                    f"producer '{producer.name}' takes '{param}', which is no producer "
                    f"(producers: {choices}; the engine supplies {', '.join(ENGINE_PARAMS)})",
                )


def _check_cycles(found: dict[str, Producer], problems: Collector) -> None:
    """Report each cycle once, at the definition of its first producer in file order."""
    state: dict[str, str] = {}  # "active" while on the current path, "done" after

    def visit(name: str, path: list[str]) -> None:
        state[name] = "active"
        for dep in found[name].inputs:
            if dep not in found:
                continue
            if state.get(dep) == "active":
                cycle = path[path.index(dep) :] + [dep]
                first = found[cycle[0]]
                problems.add(first.path, first.line, f"producers depend on each other in a cycle: {' -> '.join(cycle)}")
            elif dep not in state:
                visit(dep, path + [dep])
        state[name] = "done"

    for name in sorted(found, key=lambda n: (found[n].path, found[n].line)):
        if name not in state:
            visit(name, [name])


def producer_keys(producers: dict[str, Producer], base: dict, device: str) -> dict[str, str]:
    """The full cache key of every producer: its code, its inputs' keys, data, versions, device."""
    keys: dict[str, str] = {}

    def key(name: str) -> str:
        if name not in keys:
            p = producers[name]
            inputs = {dep: key(dep) for dep in p.inputs}
            keys[name] = key_of("producer", FORMAT, p.source_key, inputs, base, device if "device" in p.params else None)
        return keys[name]

    for name in producers:
        key(name)
    return keys


def figure_names(producers: dict[str, Producer], used: set[str] = frozenset()) -> list[str]:
    """The producers that slides use as figures or that look like they draw one (else all of them)."""
    drawn = [n for n, p in producers.items() if p.looks_like_figure or n in used]
    return drawn or list(producers)


def read_summary(target: str, summary: dict) -> tuple[bool, object]:
    """(True, value) for "producer.key.subkey" from an artifact's summary, or (False, what is wrong)."""
    name, _, path = target.partition(".")
    entry = summary.get(path)
    if entry is None:
        parent, _, last = path.rpartition(".")
        owner = summary.get(parent, {})
        where = f"{name}.{parent}" if parent else name
        if "keys" not in owner:
            return False, f"value('{target}'): {where} is {owner.get('type')}, not a dict"
        return False, f"value('{target}'): {where} has no key '{last}' (keys: {name_list(last, owner['keys'])})"
    if "value" not in entry:
        hint = "; store .item() instead" if entry.get("item") else ""
        return False, f"value('{target}') is {entry['type']}, expected int, float or str{hint}"
    return True, entry["value"]
