"""What the page needs in the lecture hall: notebook links, saved chalkboard drawings, the PDF link."""
from __future__ import annotations

import json
from pathlib import Path

from .config import DeckConfig
from .errors import DeckError, Problem
from .render import Slide


def notebook_url(config: DeckConfig, slide_path: str) -> str:
    """The student notebook of a slide file: under `notebook_base_url` if set, else notebooks/ in the site."""
    name = Path(slide_path).with_suffix(".ipynb").name
    base = config.notebook_base_url
    if not base:
        return f"notebooks/{name}"
    return base + name if base.endswith(("/", "=")) else f"{base}/{name}"


def notebook_links(config: DeckConfig, stacks: list[list[Slide]]) -> dict[str, str]:
    """{"path:line" of the first slide of each slide file: its notebook URL}."""
    links: dict[str, str] = {}
    seen: set[str] = set()
    for slide in (slide for stack in stacks for slide in stack):
        if slide.path not in seen:
            seen.add(slide.path)
            links[f"{slide.path}:{slide.line}"] = notebook_url(config, slide.path)
    return links


def saved_drawings(config: DeckConfig) -> object | None:
    """The chalkboard drawings saved next to deck.toml (the file the `d` key downloads), or None."""
    path = config.root / config.chalkboard_file
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        line = getattr(error, "lineno", 0)
        reason = getattr(error, "msg", "not UTF-8 text")
        raise DeckError(Problem(config.chalkboard_file, line, f"invalid chalkboard drawings: {reason}")) from None


def site_extras(config: DeckConfig) -> dict[str, Path]:
    """Exports that belong in the site when they exist: build/deck.pdf and the student notebooks
    (build/notebooks/*.ipynb; instructor notebooks live in a subfolder and stay out)."""
    build = config.root / "build"
    extras = {f"notebooks/{nb.name}": nb for nb in sorted((build / "notebooks").glob("*.ipynb"))}
    if (build / "deck.pdf").is_file():
        extras["deck.pdf"] = build / "deck.pdf"
    return extras
