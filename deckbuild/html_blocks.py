"""HTML written inside slide Markdown: every element opened is closed. An unclosed <div> would
swallow the rest of its slide; it is a mistake at the line that opens it."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from .errors import DeckError, Problem
from .fences import lex_fences

# Elements without content, and those whose end tag HTML lets the author leave out.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
OPTIONAL_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "colgroup"}
CODE_SPAN = re.compile(r"(`+)[^\n]+?\1")


def check_html_balance(text: str, path: str, first_line: int) -> None:
    """Raise DeckError for an element that is opened and never closed, or closed and never opened,
    in the HTML of a slide's Markdown (code, in fences or spans, is not HTML)."""
    for fence in reversed(lex_fences(text, path, first_line)):  # blank the code, keep the lines
        text = text[:fence.start] + "\n" * text.count("\n", fence.start, fence.end) + text[fence.end:]
    text = CODE_SPAN.sub(lambda match: " " * len(match.group()), text)
    tracker = _Tracker()
    tracker.feed(text)
    tracker.close()
    problems = [Problem(path, first_line + line - 1, f"<{tag}> is never closed (add </{tag}>)") for tag, line in tracker.open]
    problems += [Problem(path, first_line + line - 1, f"</{tag}> closes nothing that is open") for tag, line in tracker.stray]
    if problems:
        raise DeckError(sorted(problems, key=lambda p: p.line))


class _Tracker(HTMLParser):
    """Open elements with their lines, and end tags that match none."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, int]] = []
        self.stray: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag not in VOID and tag not in OPTIONAL_END:
            self.open.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag: str, attrs) -> None:
        pass  # <br/>, <img ... />: nothing to close

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or tag in OPTIONAL_END:
            return
        for at in range(len(self.open) - 1, -1, -1):
            if self.open[at][0] == tag:
                del self.open[at]  # elements opened inside it and left open stay reported
                return
        self.stray.append((tag, self.getpos()[0]))
