"""Read `deck.toml`: the deck's title, author, theme and reveal.js options."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DeckError, Problem, relpath

KNOWN_KEYS = {
    "title": str,
    "subtitle": str,
    "author": str,
    "institute": str,
    "date": str,
    "theme": str,
    "timeout": (int, float),
    "notebook_base_url": str,
    "chalkboard_file": str,
    "reveal": dict,
}
ENGINE_ROOT = Path(__file__).resolve().parent.parent


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
            theme = DeckConfig(self.root, self.title, theme=parent.read_text().strip()).theme_dir()


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
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        message = f"not valid UTF-8 (byte 0x{raw[error.start]:02x}); save the file as UTF-8"
        raise DeckError(Problem("deck.toml", line, message)) from None
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
    chalkboard = data.get("chalkboard_file")
    if isinstance(chalkboard, str) and not (root / chalkboard).resolve().is_relative_to(root.resolve()):
        problems.append(Problem("deck.toml", _line_of(text, "chalkboard_file"),
                                f"chalkboard_file '{chalkboard}' points outside the deck"))
    if problems:
        raise DeckError(problems)
    config = DeckConfig(root=root, **data)
    _check_theme_chain(config)
    return config


def _check_theme_chain(config: DeckConfig) -> None:
    """Each theme's `extends` file names a theme that exists, without a loop (theme_chain relies on it)."""
    seen, theme = [], config.theme_dir()
    while (theme / "extends").is_file():
        seen.append(theme.name)
        parent = (theme / "extends").read_text(encoding="utf-8", errors="replace").strip()
        where = relpath(theme / "extends", config.root)
        if parent not in available_themes(config.root):
            themes = ", ".join(available_themes(config.root))
            raise DeckError(Problem(where, 1, f"theme '{theme.name}' extends unknown theme '{parent}' (themes: {themes})"))
        if parent in seen:
            raise DeckError(Problem(where, 1, f"themes extend each other in a loop: {' -> '.join(seen + [parent])}"))
        theme = DeckConfig(config.root, config.title, theme=parent).theme_dir()
