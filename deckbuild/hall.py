"""What the page needs in the lecture hall: notebook links, saved chalkboard drawings, the PDF link."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .config import DeckConfig
from .errors import DeckError, Problem
from .render import Slide


# A notebook file in a GitHub repository: its page, or its raw file; Colab opens either by this path.
GITHUB = re.compile(r"https://github\.com/(?P<repo>[^/]+/[^/]+)/(?:blob|tree)/(?P<rest>[^/?#]+/[^?#]+)")
RAW_GITHUB = re.compile(r"https://raw\.githubusercontent\.com/(?P<repo>[^/]+/[^/]+)/(?P<rest>[^/?#]+/[^?#]+)")


@dataclass(frozen=True)
class NotebookLink:
    """Where a section's student notebook is; the page writes it as its href, and the Colab link when
    there is one."""

    href: str
    colab: str = ""

    def __str__(self) -> str:
        return self.href


def notebook_url(config: DeckConfig, slide_path: str) -> str:
    """The student notebook of a slide file: under `notebook_base_url` if set, else notebooks/ in the site."""
    name = Path(slide_path).with_suffix(".ipynb").name
    base = config.notebook_base_url
    if not base:
        return f"notebooks/{name}"
    return base + name if base.endswith(("/", "=")) else f"{base}/{name}"


def colab_url(config: DeckConfig, slide_path: str) -> str:
    """"Open in Colab" for a notebook_base_url in a GitHub repository, else ""."""
    if not config.notebook_base_url.startswith(("https://github.com/", "https://raw.githubusercontent.com/")):
        return ""
    match = GITHUB.fullmatch(notebook_url(config, slide_path)) or RAW_GITHUB.fullmatch(notebook_url(config, slide_path))
    if not match:  # Colab opens github/OWNER/REPO/blob/BRANCH/PATH: the branch must be in the URL
        text = (config.root / "deck.toml").read_text(encoding="utf-8-sig")
        line = next((n for n, l in enumerate(text.splitlines(), 1) if l.strip().startswith("notebook_base_url")), 0)
        raise DeckError(Problem("deck.toml", line, "notebook_base_url on GitHub needs the branch and folder, like "
                                                   "https://github.com/OWNER/REPO/blob/main/notebooks/"))
    return f"https://colab.research.google.com/github/{match.group('repo')}/blob/{match.group('rest')}"


def notebook_links(config: DeckConfig, stacks: list[list[Slide]]) -> dict[str, NotebookLink]:
    """{"path:line" of the first slide of each slide file: its notebook link}, for the notebooks that
    exist: under notebook_base_url (the course publishes them), or exported into the site, never a
    link to a notebook the site does not carry."""
    links: dict[str, NotebookLink] = {}
    seen: set[str] = set()
    exported = site_extras(config)
    for slide in (slide for stack in stacks for slide in stack):
        if slide.path not in seen:
            seen.add(slide.path)
            href = notebook_url(config, slide.path)
            if config.notebook_base_url or href in exported:
                links[f"{slide.path}:{slide.line}"] = NotebookLink(href, colab_url(config, slide.path))
    return links


def saved_drawings(config: DeckConfig) -> object | None:
    """The chalkboard drawings saved next to deck.toml (the file the `d` key downloads), or None."""
    path = config.root / config.chalkboard_file
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
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
