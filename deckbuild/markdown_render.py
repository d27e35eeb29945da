"""One slide's Markdown to HTML: code fences, code spans and math are set aside first, so that
Markdown never touches them, then put back once rendered."""
from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field

import markdown
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.md_in_html import MarkdownInHtmlExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from pymdownx.betterem import BetterEmExtension

from .attributes import apply_element_attributes
from .codeblocks import code_html
from .errors import DeckError, Problem
from .exercises import exercise_html, is_exercise
from .fences import Fence, lex_fences
from .html_blocks import check_html_balance
from .mathtex import Formula

# Code spans first (a $ inside one is code), then display math (no blank line inside, as in TeX),
# then inline math, then a $ that opens math but never closes it (a price like $5 does not open).
INLINE = re.compile(
    r"(?P<span>(?P<bt>`+)[^\n]+?(?P=bt))"
    r"|(?P<display>\$\$(?P<dtex>(?:(?!\n[ \t]*\n).)+?)\$\$)"
    r"|(?P<inline>(?<![\\$\w])\$(?=[^\s$])(?P<itex>[^\n$]+?)(?<=[^\s\\])\$(?!\d))"
    r"|(?P<stray>\$\$|(?<![\\$\w])\$(?=[^\s$\d]))",
    re.S,
)
STEPS = re.compile(r"\[([\d,|\s-]*)\]")
TOKEN = "DBXTOKEN{}X"
TOKEN_RE = re.compile(r"(<p>)?DBXTOKEN(\d+)X(</p>)?")
TOKEN_NUMBER = re.compile(r"DBXTOKEN(\d+)X")


@dataclass
class Stash:
    """HTML set aside during Markdown; formulas are filled in later, once KaTeX has run."""

    html: list = field(default_factory=list)
    formulas: list[Formula] = field(default_factory=list)

    def add(self, item) -> str:
        self.html.append(item)
        return TOKEN.format(len(self.html) - 1)

    def restore(self, text: str, math: dict) -> str:
        def put_back(match: re.Match) -> str:
            item = self.html[int(match.group(2))]
            html = math[(item.tex, item.display)] if isinstance(item, Formula) else item
            if isinstance(item, Formula) and item.display:
                html = f'<div class="math-display">{html}</div>'
            if match.group(1) and match.group(3):
                return html if html.startswith(("<pre", "<div", "<figure")) else f"<p>{html}</p>"
            return (match.group(1) or "") + html + (match.group(3) or "")

        previous = None
        while previous != text:  # tokens may hold tokens (a figure inside a fence is not one)
            previous, text = text, TOKEN_RE.sub(put_back, text)
        return text


def new_markdown() -> markdown.Markdown:
    # Extensions as objects, not names: a name makes Markdown first scan the entry points of every
    # installed package (torch's environment has hundreds), a tenth of a prose-edit rebuild.
    extensions = [TableExtension(), AttrListExtension(), MarkdownInHtmlExtension(), SaneListExtension(), BetterEmExtension()]
    return markdown.Markdown(extensions=extensions, output_format="html")


def protect(text: str, path: str, first_line: int, stash: Stash) -> str:
    """Replace fences, code spans and math by tokens; remember formulas with their lines."""
    pieces, at = [], 0
    for fence in lex_fences(text, path, first_line):
        pieces.append(_protect_math(text[at:fence.start], path, first_line + text.count("\n", 0, at), stash))
        pieces.append("\n\n" + stash.add(_fence_html(fence)) + "\n\n")
        at = fence.end
    pieces.append(_protect_math(text[at:], path, first_line + text.count("\n", 0, at), stash))
    return "".join(pieces)


def _protect_math(text: str, path: str, first_line: int, stash: Stash) -> str:
    """Math outside code as tokens; a delimiter that never closes is an error at its line."""

    def replace(match: re.Match) -> str:
        line = first_line + text.count("\n", 0, match.start())
        if match.group("span"):
            return match.group("span")  # Markdown renders code spans; only math must skip them
        if match.group("stray"):
            what = "display math $$" if match.group("stray") == "$$" else "inline math $"
            raise DeckError(Problem(path, line, f"{what} is never closed (write \\$ for a dollar sign)"))
        tex = match.group("dtex") if match.group("display") else match.group("itex")
        formula = Formula(tex.strip(), bool(match.group("display")), path, line)
        stash.formulas.append(formula)
        token = stash.add(formula)
        return f"\n\n{token}\n\n" if formula.display and _alone_on_its_lines(text, match) else token

    return INLINE.sub(replace, text)


def _alone_on_its_lines(text: str, match: re.Match) -> bool:
    before = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
    after_end = text.find("\n", match.end())
    after = text[match.end() : after_end if after_end >= 0 else len(text)]
    return not before.strip() and not after.strip()


def _fence_html(fence: Fence) -> str:
    steps = STEPS.search(fence.info)
    flags = set(fence.words[1:])
    if fence.language == "python" and not {"exec", "norun", "exercise"} & flags:
        # code on a slide that looks runnable must be tested, or say why not
        raise DeckError(Problem(fence.path, fence.line, "say whether this Python block runs: ```python exec "
                                                        "(run by check and the tests) or ```python norun (shown only)"))
    if is_exercise(fence.info):  # ```python exercise: the question, then its solution (exercises.py)
        if steps:
            raise DeckError(Problem(fence.path, fence.line, "an exercise fence takes no line steps"))
        try:
            return exercise_html(fence.code, fence.language)
        except ValueError as error:
            raise DeckError(Problem(fence.path, fence.line + getattr(error, "line", 0), str(error))) from None
    try:
        return code_html(fence.code, fence.language, steps.group(1) if steps else None)
    except ValueError as error:
        raise DeckError(Problem(fence.path, fence.line, str(error))) from None


def slide_html(text: str, path: str, first_line: int, md: markdown.Markdown, stash: Stash) -> str:
    """Markdown of one slide (or its notes) to HTML that still holds tokens."""
    check_html_balance(text, path, first_line)
    text = protect(text, path, first_line, stash)
    return _converted(text.replace("\\$", "&#36;"), md)


# Markdown text (its tokens numbered from 0) -> HTML. `serve` rebuilds the whole deck on each save,
# and Markdown was most of a prose edit's rebuild; a slide that did not change is now looked up.
_CONVERTED: OrderedDict[str, str] = OrderedDict()
CONVERTED_KEPT = 4096  # slides and notes: a lecture has about 150


def _converted(text: str, md: markdown.Markdown) -> str:
    """Markdown's HTML of `text`. The tokens are renumbered from 0 for the lookup, so that a slide
    after an edited one is still found when the edit added a formula (every later number shifts)."""
    numbers: list[str] = []

    def local(match: re.Match) -> str:
        numbers.append(match.group(1))
        return TOKEN.format(len(numbers) - 1)

    canonical = TOKEN_NUMBER.sub(local, text)
    html = _CONVERTED.pop(canonical, None)
    if html is None:
        md.reset()
        html = apply_element_attributes(md.convert(canonical))
    _CONVERTED[canonical] = html  # the most recently used last
    if len(_CONVERTED) > CONVERTED_KEPT:
        _CONVERTED.popitem(last=False)
    return TOKEN_NUMBER.sub(lambda match: TOKEN.format(numbers[int(match.group(1))]), html)
