"""Run Jinja over a slide file, with the helpers that put code, outputs, values and figures in."""
from __future__ import annotations

import traceback
from html import escape
from typing import Callable

from jinja2 import TemplateError, TemplateSyntaxError

from .errors import DeckError, Problem
from .memo import PerFile
from .model import SourceFile
from .references import call_key, jinja_environment, syntax_problem

# A helper's result is looked up by call_key(kind, target, args); the pipeline fills this in.
Lookup = Callable[[tuple], str]


def _args(rest: tuple, kwargs: dict) -> tuple:
    from .references import _frozen

    positional = tuple((f"_{i}", _frozen(a)) for i, a in enumerate(rest, 1))
    return positional + tuple((k, _frozen(v)) for k, v in kwargs.items())


def helpers(lookup: Lookup) -> dict:
    """The Jinja globals snippet/output/value/figure, answering from already computed results."""

    def make(kind: str):
        def helper(target, *rest, **kwargs):
            return lookup(call_key(kind, target, _args(rest, kwargs)))

        helper.__name__ = kind
        return helper

    return {kind: make(kind) for kind in ("snippet", "output", "value", "figure", "demo")}


def render_file(file: SourceFile, globals_: dict) -> str:
    """The slide file with Jinja applied; errors are DeckErrors at the file's line."""
    env = jinja_environment()
    try:
        template = env.template_class.from_code(env, _compiled(file), env.make_globals(globals_), None)
        template.filename = file.path
        return template.render()
    except TemplateSyntaxError as error:
        raise DeckError(syntax_problem(error, file, env)) from None
    except DeckError:
        raise
    except TemplateError as error:
        raise DeckError(Problem(file.path, _template_line(error, file.path), f"Jinja error: {error}")) from None


# Compiling every slide file's Jinja again took half of a prose edit's rebuild in `serve`.
_compiled = PerFile(lambda file: jinja_environment().compile(file.text))


def _template_line(error: Exception, path: str) -> int:
    """The template line of the innermost frame that Jinja attributes to this slide file."""
    line = 0
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == path:
            line = frame.lineno
    return line


def format_value(value, fmt: str | None) -> str:
    """A computed value as prose: `fmt` is a str.format pattern such as '{:,}' or '{:.1%}'."""
    text = fmt.format(value) if fmt else (f"{value:,}" if isinstance(value, int) else str(value))
    return escape(text)
