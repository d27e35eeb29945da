"""Find every helper call (snippet/output/value/figure) and `python exec` fence in the slides.

Reading only: the Jinja source is parsed, not rendered, so `check` and pytest know every
reference with its line before anything runs.
"""
from __future__ import annotations

from functools import cache

from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, nodes

from .errors import Collector, DeckError, Problem
from .fences import lex_fences
from .helper_args import argument_problems
from .memo import PerFile
from .model import Ref, SourceFile

HELPERS = ("snippet", "output", "value", "figure", "demo")


@cache
def jinja_environment() -> Environment:
    """The one Jinja environment (shared: the per-file memos below and in templating.py rely on it):
    undefined names are errors, no HTML autoescaping."""
    return Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)


def index_references(files: list[SourceFile], known: list[Problem] = ()) -> list[Ref]:
    """Every reference in every slide file, in order; syntax errors are collected, and reported
    together with the `known` problems found before."""
    problems = Collector(known)
    refs: list[Ref] = []
    for file in files:
        try:
            refs += _file_references(file)
        except DeckError as error:
            problems.extend(error)
    problems.raise_if_any()
    return sorted(refs, key=lambda r: (r.path, r.line))


def _references_in(file: SourceFile) -> list[Ref]:
    """The references of one slide file; a DeckError with all of its problems."""
    env = jinja_environment()
    problems = Collector()
    try:
        tree = env.parse(file.text, name=file.path, filename=file.path)
    except TemplateSyntaxError as error:
        raise DeckError(syntax_problem(error, file, env)) from None
    found = []
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in HELPERS:
            try:
                found.append(_ref_of(call, file.path, env))
            except DeckError as error:
                problems.extend(error)
    try:
        fences = lex_fences(file.text, file.path)
    except DeckError as error:
        problems.extend(error)
        fences = []
    found += [Ref("exec", fence.code, file.path, fence.line) for fence in fences
              if fence.language == "python" and "exec" in fence.words[1:]]
    problems.raise_if_any()
    return found


# `serve` indexes the deck on every save: a file that did not change is not parsed by Jinja again.
_file_references = PerFile(_references_in)


# Tags that open a block closed by end<tag>; `set` only without `=` ({% set x %}...{% endset %}).
BLOCK_TAGS = {"if", "for", "macro", "call", "filter", "block", "with", "autoescape", "trans", "set"}


def syntax_problem(error: TemplateSyntaxError, file: SourceFile, env: Environment) -> Problem:
    """A Jinja syntax error at its line; a block that is never closed at the line that opens it
    (Jinja itself only notices at the end of the file)."""
    if error.message and error.message.startswith("Unexpected end of template"):
        unclosed = _unclosed_blocks(file.text, env)
        if unclosed:
            tag, line = unclosed[-1]
            return Problem(file.path, line, f"Jinja syntax error: {{% {tag} %}} is never closed (add {{% end{tag} %}})")
    return Problem(file.path, error.lineno or 0, f"Jinja syntax error: {error.message}")


def _unclosed_blocks(source: str, env: Environment) -> list[tuple[str, int]]:
    """The blocks still open at the end of `source`, outermost first, as (tag, line)."""
    stack: list[tuple[str, int]] = []
    tokens = list(env.lex(source))
    for at, (line, kind, value) in enumerate(tokens):
        if kind != "name" or at == 0 or _previous_kind(tokens, at) != "block_begin":
            continue
        if value in BLOCK_TAGS and not (value == "set" and _has_equals(tokens, at)):
            stack.append((value, line))
        elif value.startswith("end") and stack and stack[-1][0] == value[3:]:
            stack.pop()
    return stack


def _previous_kind(tokens: list, at: int) -> str:
    """The kind of the token before `at`, skipping whitespace."""
    at -= 1
    while at > 0 and tokens[at][1] == "whitespace":
        at -= 1
    return tokens[at][1]


def _has_equals(tokens: list, at: int) -> bool:
    """Whether the block tag at `at` has an `=` before its `%}` (an inline {% set x = ... %})."""
    for _, kind, value in tokens[at:]:
        if kind == "block_end":
            return False
        if kind == "operator" and value == "=":
            return True
    return False


def _ref_of(call: nodes.Call, path: str, env: Environment) -> Ref:
    """A Ref from a helper call whose arguments are literals (they must be known before rendering)."""
    name = call.node.name
    context = nodes.EvalContext(env)
    try:
        args = [arg.as_const(context) for arg in call.args]
        kwargs = tuple((kw.key, kw.value.as_const(context)) for kw in call.kwargs)
    except nodes.Impossible:
        raise DeckError(Problem(path, call.lineno, f"{name}() takes literal arguments only (strings, numbers, lists)"))
    if not args or not isinstance(args[0], str):
        raise DeckError(Problem(path, call.lineno, f"{name}() needs a name as its first argument, e.g. {_example(name)}"))
    problems = argument_problems(name, args[1:], dict(kwargs))
    if problems:
        raise DeckError([Problem(path, call.lineno, problem) for problem in problems])
    extra = tuple((f"_{i}", _frozen(a)) for i, a in enumerate(args[1:], 1))
    return Ref(name, args[0], path, call.lineno, extra + tuple((key, _frozen(value)) for key, value in kwargs))


def call_key(kind: str, target: str, args: tuple) -> tuple:
    """The key under which a reference's result is found again while rendering."""
    return (kind, target, tuple(sorted(args)))


def _frozen(value):
    return tuple(_frozen(v) for v in value) if isinstance(value, list | tuple) else value


def _example(name: str) -> str:
    return {"figure": 'figure("lenet_filters", alt="...")', "value": 'value("lenet:n_params")'}.get(
        name, f'{name}("lenet:LeNet")'
    )

