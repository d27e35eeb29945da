"""Lecture code read as text: classes, functions, methods and `# [start:x]` regions (no import)."""
from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .errors import Collector, DeckError, Problem
from .model import Location
from .names import name_list

FOLDER = "code_snippets"
_MARKER = re.compile(r"\s*#\s*\[(start|end):([^\]]*)\]\s*")
_RANGE = re.compile(r"(\d+)(?:-(\d+))?")


@dataclass(frozen=True)
class Snippet:
    """Code for a slide: dedented, without marker lines or a trailing newline; `first_line` is
    its 1-based line in `path`; `steps` are reveal.js line steps ("1-4|5-12") or None."""

    code: str
    path: str
    first_line: int
    steps: str | None = None


class _Span(NamedTuple):
    """A named stretch of file lines, 1-based and inclusive."""

    name: str
    first: int
    last: int


class _Source(NamedTuple):
    """One parsed module: its lines, definitions by qualified name, regions and marker lines."""

    path: str
    lines: list[str]
    objects: list[_Span]
    regions: dict[str, _Span]
    markers: frozenset[int]


def index_snippets(deck: Path) -> SnippetIndex:
    """An index of `deck/code_snippets/*.py`; each file is read and parsed on first use only."""
    return SnippetIndex(Path(deck))


class SnippetIndex:
    """Finds snippets by "module:name"; parsed modules (or their errors) are kept."""

    def __init__(self, deck: Path):
        self.folder = deck / FOLDER
        files = self.folder.glob("*.py") if self.folder.is_dir() else []
        self._names = sorted(f.stem for f in files if f.stem.isidentifier() and f.stem != "__init__")
        self._parsed: dict[str, _Source | DeckError] = {}

    def modules(self) -> list[str]:
        """Names of the modules in code_snippets/, without '.py' and without __init__, sorted."""
        return list(self._names)

    def find(self, target: str, steps=None, at: Location | None = None) -> Snippet:
        """The code of "module:qualname" or "module:region" with its steps (see `_steps`);
        raises DeckError for every user mistake, located at the slide `at` that asks for it."""
        parts = [part.strip() for part in target.split(":")]
        if len(parts) != 2 or not all(parts):
            message = f"target '{target}' is not of the form 'module:name' (e.g. 'lenet:LeNet')"
            raise _error(at, message)
        source = self._load(parts[0], target, at)
        region = source.regions.get(parts[1])
        named = [o for o in source.objects if o.name == parts[1]]
        if not region and len(named) > 1:  # the slide would show one, Python runs the last
            lines = " and ".join(str(o.first) for o in named)
            message = _used(f"'{parts[1]}' is defined {len(named)} times (lines {lines}); Python uses the last "
                            "one: rename or remove the others", at)
            raise DeckError(Problem(source.path, named[-1].first, message))
        span = region or (named[0] if named else None)
        if span is None:
            raise _error(at, _unknown(source, parts[1]))
        first, last = (span.first + 1, span.last - 1) if region else (span.first, span.last)
        shown = _visible(source, first, last)
        if not shown:
            message = _used(f"region '{span.name}' is empty", at)
            raise DeckError(Problem(source.path, span.first, message))
        code = textwrap.dedent("\n".join(text for _, text in shown))
        if steps is not None:
            steps = _steps(steps, _members(source, span, first, last),
                           [number for number, _ in shown], target, at)
        return Snippet(code, source.path, shown[0][0], steps)

    def _load(self, module: str, target: str, at: Location | None) -> _Source:
        """The parsed module; refuses names that are paths and links that lead out of the folder."""
        path, shown = self.folder / f"{module}.py", f"{FOLDER}/{module}.py"
        if not module.isidentifier():
            raise _error(at, f"refused '{target}': the module must be a file name in {FOLDER}/"
                                " without folders or '.py' (like 'lenet')")
        if module not in self._names:
            raise _error(at, f"unknown module '{module}' in '{target}'"
                                f" (modules: {name_list(module, self._names)})")
        if not path.resolve().is_relative_to(self.folder.resolve()):
            raise _error(at, f"refused '{target}': {shown} is a link to a file outside {FOLDER}/")
        if module not in self._parsed:
            try:
                self._parsed[module] = _parse(shown, path.read_text(encoding="utf-8-sig"))
            except DeckError as error:
                self._parsed[module] = error
            except (OSError, UnicodeDecodeError) as error:
                self._parsed[module] = DeckError(Problem(shown, 0, f"cannot read: {error}"))
        parsed = self._parsed[module]
        if isinstance(parsed, DeckError):
            raise DeckError([Problem(p.path, p.line, _used(p.message, at))
                             for p in parsed.problems])
        return parsed


def _parse(path: str, text: str) -> _Source:
    """Parse one module's text; DeckError for a syntax error or bad region markers."""
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as error:
        raise DeckError(Problem(path, error.lineno or 0, f"syntax error: {error.msg}")) from None
    lines = text.split("\n")
    objects = list(_definitions(tree))
    regions, markers = _scan_regions(path, lines, {o.name for o in objects})
    return _Source(path, lines, objects, regions, markers)


def _definitions(node: ast.AST, prefix: str = "", in_function: bool = False):
    """A _Span per def and class (decorators included) and per module or class assignment."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([child.lineno] + [d.lineno for d in child.decorator_list])
            yield _Span(prefix + child.name, first, child.end_lineno)
            in_body = not isinstance(child, ast.ClassDef)
            yield from _definitions(child, f"{prefix}{child.name}.", in_body)
        elif isinstance(child, (ast.Assign, ast.AnnAssign)) and not in_function:
            targets = child.targets if isinstance(child, ast.Assign) else [child.target]
            for name in (t.id for t in targets if isinstance(t, ast.Name)):
                yield _Span(prefix + name, child.lineno, child.end_lineno)
        else:
            yield from _definitions(child, prefix, in_function)


def _scan_regions(path: str, lines: list[str], taken: set[str]):
    """Regions by name and marker lines; markers pair by name (nesting and overlap are fine)."""
    problems, regions, open_at, markers = Collector(), {}, {}, set()
    for number, match in enumerate(map(_MARKER.fullmatch, lines), 1):
        if not match:
            continue
        markers.add(number)
        kind, name = match[1], match[2].strip()
        earlier = regions[name].first if name in regions else open_at.get(name)
        if not re.fullmatch(r"[\w-]+", name):
            problems.add(path, number, f"bad region name '{name}': use letters, digits, '_' and '-'")
        elif kind == "end" and name not in open_at:
            problems.add(path, number, f"'# [end:{name}]' without a '# [start:{name}]' before it")
        elif kind == "end":
            regions[name] = _Span(name, open_at.pop(name), number)
        elif earlier:
            problems.add(path, number, f"region '{name}' is already defined at line {earlier}")
        elif name in taken:
            problems.add(path, number, f"region '{name}' has the name of a definition")
        else:
            open_at[name] = number
    for name, number in open_at.items():
        problems.add(path, number, f"region '{name}' starts here but has no '# [end:{name}]'")
    problems.raise_if_any()
    return regions, frozenset(markers)


def _visible(source: _Source, first: int, last: int) -> list[tuple[int, str]]:
    """(file line, text) of the lines shown for file lines first..last: no markers, no blank ends."""
    shown = [(n, source.lines[n - 1].rstrip()) for n in range(first, last + 1)
             if n not in source.markers]
    filled = [i for i, (_, text) in enumerate(shown) if text]
    return shown[filled[0]:filled[-1] + 1] if filled else []


def _members(source: _Source, shown: _Span, first: int, last: int) -> list[_Span]:
    """What a step may name: definitions wholly inside file lines first..last, named relative to
    the shown object (`forward` in `LeNet`), and other regions whose inner lines overlap them."""
    prefix = "" if shown.name in source.regions else shown.name + "."
    found = [o._replace(name=o.name.removeprefix(prefix)) for o in source.objects
             if first <= o.first and o.last <= last and o != shown]
    return found + [r._replace(first=r.first + 1, last=r.last - 1) for r in source.regions.values()
                    if r.first < last and first < r.last and r != shown]


def _steps(steps, members: list[_Span], numbers: list[int], target: str, at: Location | None) -> str | None:
    """Reveal.js steps from a list (one step per item) or a single item: names of members,
    line numbers of the shown code, or strings like "1|3-5,7" ("|" separates steps, "," joins
    items, whitespace is dropped as reveal.js does). None when there is no step."""
    problems, texts = Collector(), []
    for item in steps if isinstance(steps, (list, tuple)) else [steps]:
        for step in re.sub(r"\s", "", str(item)).split("|"):
            parts = [_step_item(part, members, numbers, target) for part in step.split(",") if part]
            for problem in (p for _, p in parts if p):
                problems.add(*_place(at), problem)
            texts.append(",".join(text for text, _ in parts))
    problems.raise_if_any()
    return "|".join(texts) or None


def _step_item(item: str, members: list[_Span], numbers: list[int], target: str):
    """One item ("4", "2-5", or a member name) as lines of the shown code: (text, problem)."""
    if re.fullmatch(r"[\d-]+", item):
        match, count = _RANGE.fullmatch(item), len(numbers)
        if match and 1 <= int(match[1]) <= int(match[2] or match[1]) <= count:
            return item, None
        return item, f"step '{item}' in '{target}' is not a line or a range a-b within 1-{count}"
    found = [m for m in members if m.name == item or m.name.endswith("." + item)]
    if len(found) != 1:
        names = name_list(item, [m.name for m in found or members])
        what = "is ambiguous (matches" if found else "is unknown (members and regions"
        return item, f"step '{item}' in '{target}' {what}: {names})"
    lines = [i for i, n in enumerate(numbers, 1) if found[0].first <= n <= found[0].last]
    if not lines:
        return item, f"step '{item}' in '{target}' shows no lines"
    return (f"{lines[0]}-{lines[-1]}" if len(lines) > 1 else str(lines[0])), None


def _unknown(source: _Source, name: str) -> str:
    """Which names exist: the members of a dotted name's owner, else top-level names and regions."""
    owner = name.rpartition(".")[0]
    if any(o.name == owner for o in source.objects):
        members = [o.name[len(owner) + 1:] for o in source.objects if o.name.startswith(owner + ".")]
        return f"no '{name}' in {source.path} (members of {owner}: {name_list(name.rpartition('.')[2], members)})"
    names = [o.name for o in source.objects if "." not in o.name]
    return f"no '{name}' in {source.path} (names: {name_list(name, names + list(source.regions))})"


def _place(at: Location | None) -> tuple[str, int]:
    """(path, line) of a problem found for the slide `at`; the folder when no slide asked."""
    return (at.path, at.line) if at else (FOLDER, 0)


def _error(at: Location | None, message: str) -> DeckError:
    """A user mistake located at the slide that made it."""
    return DeckError(Problem(*_place(at), message))


def _used(message: str, at: Location | None) -> str:
    """A problem in a module, naming the slide that asked for the module."""
    return f"{message} (used at {at})" if at else message
