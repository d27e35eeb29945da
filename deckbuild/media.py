"""Local images and videos referenced by slides: checked, kept inside the deck, copied into the site."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .errors import Collector

IMG = re.compile(r"<img\b[^>]*>")
DECORATIVE = re.compile(r'\s(role="(presentation|none)"|aria-hidden="true")')
SOURCE = re.compile(r'(<(?:img|video|source|audio)\b[^>]*?\s(?:src|poster)=")([^"]+)(")|(data-background-(?:image|video)=")([^"]+)(")')


def collect_media(html: str, slide_path: str, line: int, source: str, root: Path, generated: set[str],
                  assets: dict[str, Path], problems: Collector) -> str:
    """Rewrite local media sources to `media/...`, recording files to copy; bad ones are problems."""

    def rewrite(match: re.Match) -> str:
        before, src, after = (match.group(1), match.group(2), match.group(3)) if match.group(1) else match.group(4, 5, 6)
        if src in generated or src.startswith("data:"):
            return match.group(0)
        at = source.find(src)
        where = line + source.count("\n", 0, at) if at >= 0 else line
        if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I):
            problems.add(slide_path, where, f"remote media '{src}' is not allowed: the deck must work offline; save the file in the deck")
            return match.group(0)
        file = (root / Path(slide_path).parent / src).resolve()
        if not file.is_relative_to(root.resolve()) or src.startswith("/"):
            problems.add(slide_path, where, f"media path '{src}' points outside the deck")
            return match.group(0)
        file = _on_disk(file)
        if not file.is_file():
            problems.add(slide_path, where, f"image or video '{src}' does not exist (looked for {file.relative_to(root.resolve())})")
            return match.group(0)
        # Named in NFC in the site, whatever composition the file system uses: one URL per image.
        target = "media/" + unicodedata.normalize("NFC", file.relative_to(root.resolve()).as_posix())
        assets[target] = file
        return before + target + after

    for match in IMG.finditer(html):
        _check_alt(match.group(0), slide_path, line, source, problems)
    return SOURCE.sub(rewrite, html)


def _check_alt(tag: str, slide_path: str, line: int, source: str, problems: Collector) -> None:
    """An image says what it shows (alt text), or says that it is decoration."""
    alt = re.search(r'\salt="([^"]*)"', tag)
    if (alt and alt.group(1).strip()) or DECORATIVE.search(tag):
        return
    found = re.search(r'\ssrc="([^"]*)"', tag)
    src = found.group(1) if found else ""
    at = source.find(src) if src else -1
    where = line + source.count("\n", 0, at) if at >= 0 else line
    problems.add(slide_path, where, f"image '{src}' has no alt text: write ![what it shows]({src}), "
                                    'or role="presentation" on an <img> that is only decoration')


def _on_disk(file: Path) -> Path:
    """The file itself, or a file of the same folder whose name differs only in Unicode
    composition (a name typed as NFC on a slide, saved as NFD by another system)."""
    if file.exists() or not file.parent.is_dir():
        return file
    wanted = unicodedata.normalize("NFC", file.name)
    return next((entry for entry in file.parent.iterdir() if unicodedata.normalize("NFC", entry.name) == wanted), file)
