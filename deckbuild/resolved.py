"""What the references of a deck resolved to, remembered under a hash of everything that can change
it: the deck's code, its data, the engine, the library versions and the references themselves. A
build that changed only prose reads one cache entry here instead of parsing the lecture code,
looking up every result and highlighting every snippet again."""
from __future__ import annotations

from pathlib import Path

from .cache import Cache, key_of
from .model import Ref
from .fingerprint import ENGINE, data_fingerprint, file_sha256, files_digest, files_under, library_versions

KIND = "resolved"
CODE = ("code_snippets", "figures_src")


def resolved_key(root: Path, refs: list[Ref], device: str, cache: Cache) -> str:
    """The hash of every input of the references' results (code, data, engine, versions, device)."""
    files = [f for folder in CODE for f in files_under(root / folder)] + [f for base in ENGINE for f in files_under(base)]
    asked = [(ref.kind, ref.target, ref.args) for ref in refs]
    return key_of(KIND, asked, files_digest(None, files), data_fingerprint(root, cache), device,
                  library_versions(None))


def recall(cache: Cache, key: str) -> tuple[list[str], dict[str, Path]] | None:
    """(the HTML of each reference in order, the figure files) as remembered, or None when they are not
    remembered or a figure file has changed since."""
    entry = cache.get_json(KIND, key)
    if not isinstance(entry, dict):
        return None
    figures = {target: Path(path) for target, path in entry["figures"].items()}
    if _digests(figures, cache) != entry["digests"]:
        return None
    return entry["html"], figures


def remember(cache: Cache, key: str, html: list[str], figures: dict[str, Path]) -> None:
    entry = {"html": html, "figures": {t: str(p) for t, p in figures.items()}, "digests": _digests(figures, cache)}
    cache.put_json(KIND, key, entry)


def _digests(figures: dict[str, Path], cache: Cache) -> dict[str, str | None]:
    """The SHA-256 of each figure file; None for a file that is gone."""
    found = {}
    for target, path in figures.items():
        try:
            found[target] = file_sha256(path, cache)
        except OSError:
            found[target] = None
    return found
