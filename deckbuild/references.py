"""Find every helper call (snippet/output/value/figure) and `python exec` fence in the slides.

Reading only: the Jinja source is parsed, not rendered, so `check` and pytest know every
reference with its line before anything runs.
"""
from __future__ import annotations

import re

from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, nodes

from .errors import Collector, DeckError, Problem
from .model import Ref, SourceFile

HELPERS = ("snippet", "output", "value", "figure")
EXEC_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*python[ \t]+exec\b[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", re.M | re.S)


def jinja_environment() -> Environment:
    """The one Jinja configuration: undefined names are errors, no HTML autoescaping."""
    return Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)


def index_references(files: list[SourceFile], env: Environment) -> list[Ref]:
    """Every reference in every slide file, in order; syntax errors are collected."""
    problems = Collector()
    refs: list[Ref] = []
    for file in files:
        try:
            tree = env.parse(file.text, name=file.path, filename=file.path)
        except TemplateSyntaxError as error:
            problems.add(file.path, error.lineno, f"Jinja syntax error: {error.message}")
            continue
        for call in tree.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name in HELPERS:
                try:
                    refs.append(_ref_of(call, file.path, env))
                except DeckError as error:
                    problems.extend(error)
        for match in EXEC_FENCE.finditer(file.text):
            line = file.text.count("\n", 0, match.start()) + 1
            refs.append(Ref("exec", match.group(2), file.path, line))
    problems.raise_if_any()
    return sorted(refs, key=lambda r: (r.path, r.line))


def _ref_of(call: nodes.Call, path: str, env: Environment) -> Ref:
    """A Ref from a helper call whose arguments are literals (they must be known before rendering)."""
    name = call.node.name
    context = nodes.EvalContext(env)
    try:
        args = [arg.as_const(context) for arg in call.args]
        kwargs = tuple((kw.key, _frozen(kw.value.as_const(context))) for kw in call.kwargs)
    except nodes.Impossible:
        raise DeckError(Problem(path, call.lineno, f"{name}() takes literal arguments only (strings, numbers, lists)"))
    if not args or not isinstance(args[0], str):
        raise DeckError(Problem(path, call.lineno, f"{name}() needs a name as its first argument, e.g. {_example(name)}"))
    extra = tuple((f"_{i}", _frozen(a)) for i, a in enumerate(args[1:], 1))
    return Ref(name, args[0], path, call.lineno, extra + kwargs)


def call_key(kind: str, target: str, args: tuple) -> tuple:
    """The key under which a reference's result is found again while rendering."""
    return (kind, target, tuple(sorted(args)))


def _frozen(value):
    return tuple(_frozen(v) for v in value) if isinstance(value, list | tuple) else value


def _example(name: str) -> str:
    return {"figure": 'figure("lenet_filters", alt="...")', "value": 'value("lenet:n_params")'}.get(
        name, f'{name}("lenet:LeNet")'
    )

