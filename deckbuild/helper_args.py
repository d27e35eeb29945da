"""What each Jinja helper accepts, checked when the slides are read, before anything runs: an
argument that a helper does not know, or of the wrong type, is a mistake at the slide's line."""
from __future__ import annotations

import re
import string

from .names import closest

CSS_LENGTH = re.compile(r"^\d+(\.\d+)?(%|px|em|rem|vw|vh|cm|mm|in|pt)$")
CSS_CLASSES = re.compile(r"^-?[A-Za-z_][\w-]*( -?[A-Za-z_][\w-]*)*$")


def _steps(value) -> str | None:
    """Names of members or regions, line numbers, or "1|3-5" strings; one of them or a list."""
    items = value if isinstance(value, list | tuple) else [value]
    if items and all((isinstance(v, str) and v.strip()) or (isinstance(v, int) and not isinstance(v, bool)) for v in items):
        return None
    return 'takes member or region names or line steps, e.g. steps=["__init__", "forward"] or steps="1|3-5"'


def _flag(value) -> str | None:
    return None if isinstance(value, bool) else "takes true or false"


def _format(value) -> str | None:
    if not isinstance(value, str):
        return "takes a format pattern in quotes, e.g. \"{:,}\" or \"{:.1%}\""
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(value) if field is not None]
    except ValueError as error:
        return f"takes a format pattern such as \"{{:,}}\": {value!r} is not one ({error})"
    return None if fields else f"takes a format pattern with a {{}} field, e.g. \"{{:,}}\"; {value!r} has none"


def _alt(value) -> str | None:
    if not isinstance(value, str):
        return "takes the figure's description in quotes"
    return None if value.strip() else "is empty: describe the figure for students who cannot see it"


def _width(value) -> str | None:
    if isinstance(value, str) and CSS_LENGTH.match(value):
        return None
    return f'takes a CSS length in quotes, e.g. width="60%" or width="480px" (got {value!r})'


def _classes(value) -> str | None:
    ok = isinstance(value, str) and CSS_CLASSES.match(value)
    return None if ok else f'takes CSS class names in quotes, e.g. cls="wide" (got {value!r})'


def _demo_kind(value) -> str | None:
    kinds = ("draw-digit", "occlude")  # deckbuild/demo.py KINDS; not imported here to keep this module light
    return None if value in kinds else f'takes "draw-digit" or "occlude" (got {value!r})'


def _layer(value) -> str | None:
    ok = isinstance(value, str) and value.strip()
    return None if ok else f'takes the name of a layer of the module in quotes, e.g. layer="c1" (got {value!r})'


# helper -> (its positional parameters after the name, {keyword: check returning a complaint or None})
SIGNATURES = {
    "snippet": ((), {"steps": _steps, "caption": _flag}),
    "output": ((), {}),
    "value": (("fmt",), {"fmt": _format}),
    "figure": ((), {"alt": _alt, "width": _width, "cls": _classes}),
    "demo": ((), {"kind": _demo_kind, "layer": _layer}),
}


def argument_problems(helper: str, positional: list, keywords: dict) -> list[str]:
    """What is wrong with the arguments after the name of one helper call (none: an empty list)."""
    names, checks = SIGNATURES[helper]
    accepted = ", ".join(checks) or "only the name"
    if len(positional) > len(names):
        takes = f"the name and {', '.join(names)}" if names else "only the name"
        return [f"{helper}() takes {takes} as positional arguments, got {len(positional) + 1}"]
    given = dict(zip(names, positional))
    problems = []
    for key, value in keywords.items():
        if key in given:
            problems.append(f"{helper}() got {key} twice")
        elif key not in checks:
            problems.append(f"{helper}() has no argument '{key}'{closest(key, checks)}; it takes: {accepted}")
        given.setdefault(key, value)
    for key, value in given.items():
        complaint = checks[key](value) if key in checks else None
        if complaint:
            problems.append(f"{helper}() argument {key} {complaint}")
    return problems
