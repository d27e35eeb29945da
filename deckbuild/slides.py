"""Read slide files and cut them into slides: `---` horizontal, `--` vertical, `Note:` notes."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Collector, DeckError, Problem
from .model import SourceFile

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
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
    paths = sorted(folder.glob("*.md")) if folder.is_dir() else []
    if not paths:
        raise DeckError(Problem("slides", 0, "no slide files (expected slides/NN_topic.md)"))
    problems = Collector()
    files = []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        try:
            data = path.read_bytes()
        except OSError as error:  # a folder named like a slide, a dangling link, no permission
            problems.add(rel, 0, f"cannot read: {error.strerror}")
            continue
        try:
            files.append(SourceFile(rel, data.decode("utf-8")))
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            problems.add(rel, line, f"not valid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8")
    problems.raise_if_any()
    return files


def split_slides(path: str, text: str) -> list[RawSlide]:
    """Cut rendered slide text into slides; separators inside fenced code are code."""
    slides: list[RawSlide] = []
    lines = text.split("\n")
    start, vertical, fence, fence_line = 0, False, None, 0

    def close(end: int, next_vertical: bool) -> None:
        nonlocal start, vertical
        chunk = lines[start:end]
        body, notes = chunk, []
        for i, line in enumerate(chunk):
            if line.startswith("Note:") and not _inside_fence(chunk[:i]):
                body, notes = chunk[:i], [line[len("Note:"):].lstrip()] + chunk[i + 1 :]
                break
        body_text = "\n".join(body)
        attrs = " ".join(m.group(1) for m in SLIDE_ATTRS.finditer(body_text))
        body_text = SLIDE_ATTRS.sub("", body_text)
        if body_text.strip() or notes or attrs:
            slides.append(RawSlide(path, start + 1, body_text, "\n".join(notes).strip(), attrs, vertical))
        start, vertical = end + 1, next_vertical

    for number, line in enumerate(lines):
        match = FENCE.match(line)
        if fence is None and match:
            fence, fence_line = match.group(2), number + 1
        elif fence is not None and match and match.group(2).startswith(fence) and not match.group(3).strip():
            fence = None
        elif fence is None and line.rstrip() in ("---", "--"):
            close(number, next_vertical=line.rstrip() == "--")
    if fence is not None:
        raise DeckError(Problem(path, fence_line, f"code fence {fence} is never closed"))
    close(len(lines), False)
    return slides


def _inside_fence(lines: list[str]) -> bool:
    fence = None
    for line in lines:
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(2)
        elif fence is not None and match and match.group(2).startswith(fence) and not match.group(3).strip():
            fence = None
    return fence is not None
