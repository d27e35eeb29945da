"""Local images and videos referenced by slides: checked, kept inside the deck, copied into the site."""
from __future__ import annotations

import re
from pathlib import Path

from .errors import Collector

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
        if not file.is_file():
            problems.add(slide_path, where, f"image or video '{src}' does not exist (looked for {file.relative_to(root.resolve())})")
            return match.group(0)
        target = "media/" + file.relative_to(root.resolve()).as_posix()
        assets[target] = file
        return before + target + after

    return SOURCE.sub(rewrite, html)
