"""Read `deck.toml`: the deck's title, author, theme and reveal.js options."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DeckError, Problem, relpath
from .fingerprint import ENGINE_ROOT
from .names import closest
from .textfiles import read_text

KNOWN_KEYS = {
    "title": str,
    "subtitle": str,
    "author": str,
    "institute": str,
    "date": str,
    "theme": str,
    "lang": str,
    "timeout": (int, float),
    "notebook_base_url": str,
    "chalkboard_file": str,
    "reveal": dict,
}
MAX_TIMEOUT = 86_400
# Options of the plugins the deck carries (vendor.PLUGINS): tables of their own, and the zoom key.
PLUGIN_KEYS = {"menu", "chalkboard", "customcontrols", "search", "zoom", "notes", "zoomKey"}


@dataclass(frozen=True)
class DeckConfig:
    """Everything deck.toml says, with defaults filled in; `root` is the deck folder."""

    root: Path
    title: str
    subtitle: str = ""
    author: str = ""
    institute: str = ""
    date: str = ""
    theme: str = "lecture"
    lang: str = "en"  # the deck's language (BCP 47): <html lang>, the PDFs' /Lang, for screen readers
    timeout: float = 120.0
    notebook_base_url: str = ""
    chalkboard_file: str = "chalkboard.json"  # drawings saved with the chalkboard's `d` key, next to deck.toml
    reveal: dict = field(default_factory=dict)

    def theme_dir(self) -> Path:
        """The theme folder: the deck's own `themes/NAME` first, then the engine's."""
        for base in (self.root, ENGINE_ROOT):
            if (base / "themes" / self.theme).is_dir():
                return base / "themes" / self.theme
        raise AssertionError("load_config checked the theme")

    def theme_chain(self) -> list[Path]:
        """The theme and the themes it extends (a file `extends` names one), base first."""
        chain, theme = [], self.theme_dir()
        while True:
            chain.insert(0, theme)
            parent = theme / "extends"
            if not parent.is_file():
                return chain
            theme = DeckConfig(self.root, self.title, theme=parent.read_text(encoding="utf-8-sig").strip()).theme_dir()


def available_themes(root: Path) -> list[str]:
    names = set()
    for base in (root, ENGINE_ROOT):
        if (base / "themes").is_dir():
            names.update(p.name for p in (base / "themes").iterdir() if (p / "theme.css").is_file())
    return sorted(names)


def _line_of(text: str, key: str) -> int:
    """The line where a top-level key is set, for error messages (tomllib gives no positions)."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.split("=")[0].strip().strip('"') == key or line.strip() == f"[{key}]":
            return number
    return 1


def load_config(root: Path) -> DeckConfig:
    """Parse and check root/deck.toml; every problem is a DeckError at deck.toml:LINE."""
    path = root / "deck.toml"
    if not path.is_file():
        raise DeckError(Problem("deck.toml", 0, f"missing: {root} is not a deck (no deck.toml)"))
    text = read_text(path, "deck.toml")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        position = re.search(r" \(at line (\d+), column \d+\)| \(at end of document\)", str(error))
        line = int(position.group(1)) if position and position.group(1) else text.count("\n") + 1
        message = str(error).replace(position.group(0), "") if position else str(error)
        raise DeckError(Problem("deck.toml", line, f"invalid TOML: {message}")) from None
    problems = []
    for key, value in data.items():
        expected = KNOWN_KEYS.get(key)
        if expected is None:
            known = ", ".join(sorted(KNOWN_KEYS))
            problems.append(Problem("deck.toml", _line_of(text, key), f"unknown key '{key}' (known keys: {known})"))
        elif not isinstance(value, expected) or isinstance(value, bool):
            problems.append(Problem("deck.toml", _line_of(text, key), f"'{key}' has the wrong type ({type(value).__name__})"))
    if "title" not in data:
        problems.append(Problem("deck.toml", 1, "missing key 'title'"))
    theme = data.get("theme", "lecture")
    if isinstance(theme, str) and theme not in available_themes(root):
        themes = ", ".join(available_themes(root))
        problems.append(Problem("deck.toml", _line_of(text, "theme"), f"unknown theme '{theme}' (themes: {themes})"))
    lang = data.get("lang")
    if isinstance(lang, str) and not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", lang):
        problems.append(Problem("deck.toml", _line_of(text, "lang"), f"lang '{lang}' is not a language tag like 'en' or 'de-CH'"))
    chalkboard = data.get("chalkboard_file")
    if isinstance(chalkboard, str) and not (root / chalkboard).resolve().is_relative_to(root.resolve()):
        problems.append(Problem("deck.toml", _line_of(text, "chalkboard_file"),
                                f"chalkboard_file '{chalkboard}' points outside the deck"))
    problems += [Problem("deck.toml", _line_of(text, key), message) for key, message in _value_problems(data)]
    if problems:
        raise DeckError(problems)
    config = DeckConfig(root=root, **data)
    _check_theme_chain(config)
    return config


def _value_problems(data: dict) -> list[tuple[str, str]]:
    """(key, message) for values of the right type that still make no sense."""
    found = []
    timeout = data.get("timeout")
    if isinstance(timeout, int | float) and not isinstance(timeout, bool) and not 0 < timeout <= MAX_TIMEOUT:
        found.append(("timeout", f"timeout must be more than 0 and at most {MAX_TIMEOUT:,} seconds (one day); got {timeout}"))
    for key in ("title", "theme", "lang", "chalkboard_file"):
        if isinstance(data.get(key), str) and not data[key].strip():
            found.append((key, f"'{key}' is empty"))
    url = data.get("notebook_base_url")
    if isinstance(url, str) and url and not re.match(r"^https?://[^\s/]+", url):
        found.append(("notebook_base_url", f"notebook_base_url must start with https:// or http:// (got '{url}')"))
    if isinstance(data.get("reveal"), dict):
        found += _reveal_problems(data["reveal"])
    return found


def _reveal_problems(reveal: dict) -> list[tuple[str, str]]:
    """Options that reveal.js would silently ignore: names it does not know."""
    known = reveal_option_names()
    if not known:  # node_modules/ missing: the build says so when it copies reveal.js
        return []
    found = []
    for key in reveal:
        if key not in known:
            found.append((key, f"unknown reveal.js option '{key}'{closest(key, sorted(known))}"))
    return found


def reveal_option_names() -> set[str]:
    """reveal.js's own options, read from its default configuration, and the plugins' tables."""
    source = ENGINE_ROOT / "node_modules" / "reveal.js" / "js" / "config.ts"
    if not source.is_file():
        return set()
    defaults = source.read_text(encoding="utf-8").split("const defaultConfig", 1)[-1]
    return set(re.findall(r"^\t(\w+):", defaults, re.M)) | PLUGIN_KEYS


def _check_theme_chain(config: DeckConfig) -> None:
    """Each theme's `extends` file names a theme that exists, without a loop (theme_chain relies on it)."""
    seen, theme = [], config.theme_dir()
    while (theme / "extends").is_file():
        seen.append(theme.name)
        parent = (theme / "extends").read_text(encoding="utf-8-sig", errors="replace").strip()
        where = relpath(theme / "extends", config.root)
        if parent not in available_themes(config.root):
            themes = ", ".join(available_themes(config.root))
            raise DeckError(Problem(where, 1, f"theme '{theme.name}' extends unknown theme '{parent}' (themes: {themes})"))
        if parent in seen:
            raise DeckError(Problem(where, 1, f"themes extend each other in a loop: {' -> '.join(seen + [parent])}"))
        theme = DeckConfig(config.root, config.title, theme=parent).theme_dir()
