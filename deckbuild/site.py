"""Assemble the page from the theme and write a self-contained site, swapped in only when complete."""
from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .config import DeckConfig
from .render import Slide
from .hall import notebook_links, saved_drawings
from .vendor import NODE, PLUGINS, STYLESHEETS, VENDOR, with_plugin_options

REVEAL_DEFAULTS = {
    "width": 1280, "height": 720, "margin": 0.04, "center": False, "hash": True,
    "slideNumber": "c/t", "transition": "none", "transitionSpeed": "fast", "pdfSeparateFragments": False,
}


def render_page(config: DeckConfig, stacks: list[list[Slide]], assets: dict[str, Path]) -> str:
    """index.html: the theme's template.html if it has one, else the engine's page.html."""
    theme = config.theme_dir()
    folders = [theme, Path(__file__).parent]
    env = Environment(loader=FileSystemLoader([str(f) for f in folders]), undefined=StrictUndefined, autoescape=False)
    name = "template.html" if (theme / "template.html").is_file() else "page.html"
    return env.get_template(name).render(
        config=config,
        stacks=stacks,
        stylesheets=STYLESHEETS + [f"theme/{theme.name}.css" for theme in config.theme_chain()]
        + [target for target in assets if target == "demo/demo.css"],  # live demos (demo.py), if any
        scripts=[target for _, target in VENDOR if target.endswith(".js")]
        + [target for target in assets if target == "demo/demo.js"],
        plugins=PLUGINS,
        reveal_options={**REVEAL_DEFAULTS, **with_plugin_options(config.reveal)},
        # the lecture hall (hall.py): a notebook link per slide file, saved drawings, the PDF link
        notebooks=notebook_links(config, stacks),
        drawings=saved_drawings(config),
        pdf_link="deck.pdf" if "deck.pdf" in assets else "",  # the site carries the exported PDF
    )


def _place(source: Path, target: Path) -> None:
    """Hard-link when possible (instant, no extra disk), copy otherwise."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _place_tree(source: Path, target: Path) -> None:
    if source.is_dir():
        for file in source.rglob("*"):
            if file.is_file():
                _place(file, target / file.relative_to(source))
    else:
        _place(source, target)


def write_site(out: Path, page: str, config: DeckConfig, files: dict[str, Path]) -> None:
    """Write index.html, vendor files, theme and `files` (target -> source) into a fresh folder,
    then swap it for `out`: a build that fails before this point leaves `out` untouched."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _clean_up_after_killed_builds(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-{os.getpid()}-", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a site is served and shared
    try:
        for source, target in VENDOR:
            _place_tree(NODE / source, staging / target)
        for theme in config.theme_chain():  # each theme's theme.css becomes theme/NAME.css
            for file in theme.rglob("*"):
                if file.is_file() and file.name != "extends":
                    name = f"{theme.name}.css" if file.relative_to(theme).as_posix() == "theme.css" else file.relative_to(theme)
                    _place(file, staging / "theme" / name)
        for target, source in files.items():
            _place(source, staging / target)
        (staging / "index.html").write_text(page, encoding="utf-8")
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out: Path) -> None:
    """Replace out by staging with two renames; the old site is removed only afterwards.
    Ctrl-C (SIGINT) and SIGTERM wait until both renames are done: between them there is no site."""
    old = None
    try:
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            if out.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-{os.getpid()}-", dir=out.parent))
                old.rmdir()
                os.replace(out, old)
            os.replace(staging, out)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl-C held back is raised here
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _clean_up_after_killed_builds(out: Path) -> None:
    """Remove the staging folders (and the last site moved aside) of builds killed before they could."""
    for leftover in out.parent.glob(f".{out.name}-*"):
        match = re.fullmatch(rf"\.{re.escape(out.name)}-(new|old)-(\d+)-\w+", leftover.name)
        if match and not _alive(int(match[2])):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (a reused id only delays the clean-up)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
