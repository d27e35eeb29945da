"""Headless Chromium through Playwright, using a Chromium that is already installed, kept offline."""
from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from .errors import DeckError, Problem

ENV_VAR = "PLAYWRIGHT_CHROMIUM_EXECUTABLE"
SYSTEM_NAMES = ("/usr/bin/chromium", "chromium", "chromium-browser")
# DESIGN.md: what a headless Chromium needs in a container, and no calls home.
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
INSTALL_HINT = ("no Chromium found: install it with 'sudo apt-get install chromium' (Debian/Ubuntu) "
                f"or set {ENV_VAR} to a Chromium executable")
T = TypeVar("T")


def find_chromium(bundled: str | None = None) -> str | None:
    """$PLAYWRIGHT_CHROMIUM_EXECUTABLE, else a system Chromium, else Playwright's own download if present."""
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        return chosen if Path(chosen).is_file() else None  # a wrong setting must not be papered over
    for name in SYSTEM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return bundled if bundled and Path(bundled).is_file() else None


def launch_chromium(playwright):
    """A headless Chromium Browser; DeckError with one line saying what to install when none exists."""
    executable = find_chromium(playwright.chromium.executable_path)  # that path exists after `playwright install`
    if executable is None:
        setting = os.environ.get(ENV_VAR)
        message = f"{ENV_VAR}={setting} is not a file; {INSTALL_HINT}" if setting else INSTALL_HINT
        raise DeckError(Problem("chromium", 0, message))
    return playwright.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)


@contextmanager
def headless_chromium() -> Iterator:
    """`with headless_chromium() as browser:` starts Playwright and Chromium and always stops both."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


def in_chromium(task: Callable[[object], T]) -> T:
    """task(browser) in a thread of its own, so that it works even where Playwright or an asyncio loop
    already runs in this thread (pytest fixtures, Jupyter); its exceptions reach the caller."""
    def run() -> T:
        with headless_chromium() as browser:
            return task(browser)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium") as pool:
        return pool.submit(run).result()


def offline_page(browser, **context_options):
    """A page in a fresh offline context; `page.blocked` lists every non-file:// URL it tried to load."""
    context = browser.new_context(offline=True, **context_options)
    page = context.new_page()
    page.blocked = []

    def route(route) -> None:
        url = route.request.url
        if url.startswith(("file://", "data:", "blob:")):
            route.continue_()
        else:
            page.blocked.append(url)
            route.abort()

    page.route("**/*", route)
    return page
