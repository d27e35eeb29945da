"""Is the built site already what a build would write? Decided from a hash of every input before
anything heavy is imported (Jinja, Markdown, Pygments, and certainly not torch or Node), so that
building an unchanged deck takes a few milliseconds.

A successful build stamps its site with the hash of its inputs; the next build compares.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from .cache import Cache, key_of
from .fingerprint import ENGINE, data_fingerprint, files_digest, files_under, library_versions


class Stamp:
    """The stamp of the site `out` built from the deck `root`; `current()` before a build, `record()` after."""

    def __init__(self, root: Path, out: Path, device: str):
        self.root, self.out, self.cache = root, out, Cache(root / ".cache")
        self.key = key_of("site", str(out))
        self.inputs = input_digest(root, out, device, self.cache)  # taken before the build reads anything

    def current(self) -> int | None:
        """The number of references of the site when it was built from exactly these inputs and is
        untouched since; None when it must be built."""
        stamp = self.cache.get_json("site", self.key)
        if not isinstance(stamp, dict) or stamp.get("inputs") != self.inputs:
            return None
        return stamp["references"] if stamp.get("site") == site_digest(self.out) else None

    def record(self, references: int) -> None:
        self.cache.put_json("site", self.key, {"inputs": self.inputs, "site": site_digest(self.out),
                                                "references": references})


def input_digest(root: Path, out: Path, device: str, memo: Cache) -> str:
    """A hash of what a build reads: the deck's files and data, the exports its site links to, the
    engine, and the Python and library versions; and of where it writes and the training device."""
    files = files_under(root, skip=out) + [f for base in ENGINE for f in files_under(base)] + _notebooks(root)
    # The PDF counts by its presence only: `pdf` rewrites it on each export, and the copy in the site with it.
    pdf = (root / "build" / "deck.pdf").is_file()
    return key_of(str(out), device, pdf, files_digest(None, files), data_fingerprint(root, memo), library_versions(None))


def site_digest(out: Path) -> str | None:
    """A hash of the site's file names and of its index.html; None when there is no site."""
    try:
        page = (out / "index.html").read_bytes()
    except OSError:
        return None
    return key_of(hashlib.sha256(page).hexdigest(), sorted(str(p.relative_to(out)) for p in files_under(out)))


def _notebooks(root: Path) -> list[Path]:
    """The exported student notebooks, which a build copies into the site (hall.site_extras)."""
    return sorted((root / "build" / "notebooks").glob("*.ipynb"))
