"""Read slide files and cut them into slides: `---` horizontal, `--` vertical, `Note:` notes."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Collector, DeckError, Problem
from .fences import fenced_lines, lex_fences
from .model import SourceFile
from .textfiles import normalized, read_text

# Suffixes of files that an instructor may think are slides; images and the like may sit beside them.
LOOKS_LIKE_SLIDES = {".md", ".markdown", ".mdown", ".mkd", ".txt", ".rst"}
SLIDE_ATTRS = re.compile(r"<!--\s*\.slide:\s*(.*?)\s*-->")


@dataclass(frozen=True)
class RawSlide:
    """The Markdown of one slide before rendering; `line` is where its body starts in `path`."""

    path: str
    line: int
    body: str
    notes: str
    attrs: str  # from <!-- .slide: ... -->, verbatim HTML attributes
    vertical: bool  # True when this slide continues the previous one's vertical stack


def read_slide_files(root: Path) -> list[SourceFile]:
    """slides/*.md in file-name order; a file that is not UTF-8 or an empty folder is an error."""
    folder = root / "slides"
    entries = sorted(folder.iterdir(), key=lambda p: normalized(p.name)) if folder.is_dir() else []
    paths = [path for path in entries if path.suffix == ".md"]
    if not paths:
        raise DeckError(Problem("slides", 0, "no slide files (expected slides/NN_topic.md)"))
    problems = Collector()
    for path in entries:  # what looks like a slide file but is not read must not pass unnoticed
        if path.suffix != ".md" and path.suffix.lower() in LOOKS_LIKE_SLIDES and path.is_file():
            problems.add(path.relative_to(root).as_posix(), 0,
                         "not read: slide files end in .md (rename it, or move it out of slides/)")
    files = []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        try:
            files.append(SourceFile(rel, read_text(path, rel)))
        except DeckError as error:
            problems.extend(error)
    problems.raise_if_any()
    return files


def split_slides(path: str, text: str) -> list[RawSlide]:
    """Cut rendered slide text into slides; separators and `Note:` inside fenced code are code."""
    lines = text.split("\n")
    in_fence = fenced_lines(lex_fences(text, path))
    cuts = [(n, line.rstrip() == "--") for n, line in enumerate(lines)
            if n not in in_fence and line.rstrip() in ("---", "--")]
    slides, start, vertical = [], 0, False
    for end, next_vertical in [*cuts, (len(lines), False)]:
        slide = _slide(path, lines, start, end, vertical, in_fence)
        if slide is not None:
            slides.append(slide)
        start, vertical = end + 1, next_vertical
    return slides


def _slide(path: str, lines: list[str], start: int, end: int, vertical: bool, in_fence: set[int]) -> RawSlide | None:
    """The slide made of lines[start:end], its notes after the first `Note:` outside a fence."""
    body, notes = lines[start:end], []
    for n in range(start, end):
        if lines[n].startswith("Note:") and n not in in_fence:
            body, notes = lines[start:n], [lines[n][len("Note:"):].lstrip(), *lines[n + 1:end]]
            break
    body_text = "\n".join(body)
    attrs = " ".join(m.group(1) for m in SLIDE_ATTRS.finditer(body_text))
    body_text = SLIDE_ATTRS.sub("", body_text)
    if not (body_text.strip() or notes or attrs):
        return None
    return RawSlide(path, start + 1, body_text, "\n".join(notes).strip(), attrs, vertical)
