"""Rendered slide files become slides as data: HTML, notes, attributes, grouped in stacks."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .cache import Cache
from .errors import Collector, DeckError
from .markdown_render import Stash, new_markdown, slide_html
from .mathtex import render_formulas
from .media import collect_media
from .slides import RawSlide

HEADING = re.compile(r"<h([1-3])[^>]*>(.*?)</h\1>", re.S)


@dataclass(frozen=True)
class Slide:
    """One slide ready for the template; `path:line` is where it was written."""

    path: str
    line: int
    html: str
    notes: str
    attrs: str
    title: str


def render_slides(raw: list[RawSlide], root: Path, cache: Cache, stash: Stash,
                  generated: set[str]) -> tuple[list[list[Slide]], dict[str, Path]]:
    """Markdown, then math (one KaTeX run for the deck), then media: stacks of vertical slides, and
    the media files they show ({path in the site: file in the deck})."""
    md, problems, media = new_markdown(), Collector(), {}
    halves = []
    for slide in raw:
        try:
            body = slide_html(slide.body, slide.path, slide.line, md, stash)
            notes_line = slide.line + slide.body.count("\n") + 1
            notes = slide_html(slide.notes, slide.path, notes_line, md, stash) if slide.notes else ""
            halves.append((slide, body, notes))
        except DeckError as error:
            problems.extend(error)
    problems.raise_if_any()
    math = render_formulas(stash.formulas, cache)
    stacks: list[list[Slide]] = []
    for slide, body, notes in halves:
        html = collect_media(stash.restore(body, math), slide.path, slide.line, slide.body, root, generated, media, problems)
        # A slide's own data-background-image is media too: checked, kept offline, copied into the site.
        attrs = collect_media(slide.attrs, slide.path, slide.line, slide.attrs, root, generated, media, problems)
        done = Slide(slide.path, slide.line, html, stash.restore(notes, math), attrs, _title(html))
        if slide.vertical and stacks:
            stacks[-1].append(done)
        else:
            stacks.append([done])
    problems.raise_if_any()
    return stacks, media


def _title(html: str) -> str:
    match = HEADING.search(html)
    return re.sub(r"<[^>]+>", "", match.group(2)).strip() if match else ""
