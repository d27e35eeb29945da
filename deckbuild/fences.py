"""The one reader of fenced code blocks: every stage that needs fences (the slide splitter, the
Markdown renderer, the reference indexer, the notebooks) sees the same spans.

Fences close as in CommonMark: a line of the same character (` or ~), at least as long as the
opening run, with nothing but spaces after it. A fence may be indented (inside a list or an HTML
block); its code loses that indentation. Unlike CommonMark, a fence that is never closed is an
error at its opening line, not code running to the end of the file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import DeckError, Problem

# Any indentation (a fence in a list item may sit deeper than CommonMark's three spaces); a
# backtick fence's info string holds no backtick, so ```x``` on one line stays a code span.
OPENING = re.compile(r"^(?P<indent>[ \t]*)(?:(?P<backticks>`{3,})(?P<binfo>[^`]*)|(?P<tildes>~{3,})(?P<tinfo>.*))$")


@dataclass(frozen=True)
class Fence:
    """A fenced code block of a text: where it is, how it opens, and its code.

    `line` is the opening line and `end_line` the closing line (1-based, in the text's own
    numbering plus `first_line - 1`); `start` and `end` are character offsets of the whole
    block, the closing line's newline excluded, so text[start:end] is the fence as written.
    """

    path: str
    line: int
    end_line: int
    indent: str
    ticks: str
    info: str
    code: str
    start: int
    end: int

    @property
    def words(self) -> list[str]:
        """The info string's words: language first, then flags such as exec or norun."""
        return self.info.split()

    @property
    def language(self) -> str:
        return (self.words or ["text"])[0]


def lex_fences(text: str, path: str, first_line: int = 1) -> list[Fence]:
    """Every fence of `text` in order; an unclosed one raises DeckError at its opening line."""
    fences = []
    lines = text.split("\n")
    offsets = _line_offsets(lines)
    number = 0
    while number < len(lines):
        opening = OPENING.match(lines[number])
        if not opening:
            number += 1
            continue
        ticks = opening.group("backticks") or opening.group("tildes")
        info = (opening.group("binfo") if opening.group("backticks") else opening.group("tinfo")).strip()
        close = next((n for n in range(number + 1, len(lines)) if _closes(lines[n], ticks)), None)
        if close is None:
            raise DeckError(Problem(path, first_line + number, f"code fence {ticks} is never closed"))
        indent = opening.group("indent")
        code = "\n".join(_dedent(line, indent) for line in lines[number + 1:close])
        fences.append(Fence(path, first_line + number, first_line + close, indent, ticks, info, code,
                            offsets[number], offsets[close] + len(lines[close])))
        number = close + 1
    return fences


def fenced_lines(fences: list[Fence], first_line: int = 1) -> set[int]:
    """The 0-based indexes (into the text's lines) of every line that belongs to a fence."""
    return {n - first_line for fence in fences for n in range(fence.line, fence.end_line + 1)}


def _closes(line: str, ticks: str) -> bool:
    stripped = line.strip(" \t")
    run = len(stripped) - len(stripped.lstrip(ticks[0]))
    return run >= len(ticks) and not stripped[run:]


def _dedent(line: str, indent: str) -> str:
    """A code line without the fence's indentation (a shorter or different one is kept as is)."""
    return line[len(indent):] if line.startswith(indent) else line.lstrip(" \t") if not line.strip() else line


def _line_offsets(lines: list[str]) -> list[int]:
    offsets, at = [], 0
    for line in lines:
        offsets.append(at)
        at += len(line) + 1
    return offsets
