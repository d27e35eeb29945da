"""Shared fixtures: tiny decks made from dicts of files, and the engine's command line."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write {relative path: text or bytes} under root; a minimal deck needs deck.toml and slides/."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def make_deck(tmp_path):
    """make_deck({"slides/01_a.md": "..."}) -> a deck folder with deck.toml and package folders."""

    def make(files: dict[str, str | bytes], *, name: str = "deck") -> Path:
        base = {"deck.toml": 'title = "Tiny deck"\n', "code_snippets/__init__.py": "", "figures_src/__init__.py": ""}
        return write_files(tmp_path / name, {**base, **files})

    return make


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`python build.py ARGS` as a user runs it; returns the finished process."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium (the system one, through Playwright); fails with what to install."""
    from playwright.sync_api import sync_playwright

    from deckbuild.browser import launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def open_deck(browser, index_html: Path):
    """Open a built deck from file:// with every non-file request blocked and recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.requests, page.console_errors = [], []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))

    def route(route):
        page.requests.append(route.request.url)
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", route)
    page.goto(index_html.as_uri())
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    return page


@pytest.fixture(scope="session")
def lecture_site(tmp_path_factory) -> Path:
    """This repository's lecture, built once per test session into a temporary folder."""
    from deckbuild.pipeline import Options, build

    out = tmp_path_factory.mktemp("lecture") / "site"
    build(ROOT, out, Options(progress=False))
    return out
