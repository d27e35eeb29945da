"""Fingerprints of what a build reads: files, the deck's data, the engine and library versions.
A leaf module: it imports nothing of the engine but the cache's key function."""
from __future__ import annotations

import hashlib
import os
import platform
import sys
from functools import lru_cache
from pathlib import Path

from .cache import key_of

ENGINE_ROOT = Path(__file__).resolve().parent.parent
# Top-level folders of a deck that are not read as they are: outputs, data (fingerprinted apart), npm.
NOT_INPUTS = {"build", "data", "node_modules"}
# The engine's own files, and the versions of the npm packages it copies into the site.
ENGINE = [ENGINE_ROOT / "deckbuild", ENGINE_ROOT / "themes", ENGINE_ROOT / "node_modules" / ".package-lock.json"]
# The libraries whose versions change what lecture code computes.
COMPUTING = ("torch", "torchvision", "numpy", "matplotlib")


def files_under(base: Path, skip: Path | None = None) -> list[Path]:
    """Every file under `base` (or `base` itself), in a stable order, leaving out hidden files and
    folders, __pycache__, `skip` and the top-level NOT_INPUTS."""
    if base.is_file():
        return [base]
    found, seen = [], set()
    for folder, dirs, names in os.walk(base, followlinks=True):  # a linked slides/ is read through its link
        real = os.path.realpath(folder)
        if real in seen:  # a link loop, or two links to one folder
            dirs[:] = []
            continue
        seen.add(real)
        top = Path(folder) == base
        dirs[:] = [d for d in dirs if not (d.startswith(".") or d == "__pycache__" or (top and d in NOT_INPUTS)
                                           or Path(folder, d) == skip)]
        found += [Path(folder, name) for name in names if not name.startswith(".")]
    return sorted(found)


def files_digest(deck: Path | None, files: list[Path]) -> str:
    """A hash of the names (relative to `deck`, or absolute when it is None) and bytes of exactly these
    files. An unreadable file (a dangling link) counts by its error: the stage that reads it reports it."""
    h = hashlib.sha256()
    for path in sorted(files):
        try:
            content = path.read_bytes()
        except OSError as error:
            content = str(error).encode()
        name = path.relative_to(deck).as_posix() if deck else str(path)
        h.update(name.encode() + b"\0" + content + b"\0")
    return h.hexdigest()


def data_fingerprint(deck: Path, memo) -> str:
    """A content hash of every file under deck/data/; `memo` (a Cache) remembers file hashes by stat."""
    root = deck / "data"
    if not root.is_dir():
        return "no-data"
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + file_sha256(path, memo).encode())
    return h.hexdigest()


def file_sha256(path: Path, memo) -> str:
    """The SHA-256 of the file; `memo` (a Cache) remembers it by path, size and modification time,
    so that a file that did not change is not read again (MNIST is 50 MB; a figure is read on every build)."""
    stat = path.stat()
    # The stat triple only finds a remembered hash; the key itself is the file's content.
    stat_key = key_of(str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    digest = memo.get_json("filehash", stat_key)
    if not isinstance(digest, str):
        digest = _file_sha256(path)
        memo.put_json("filehash", stat_key, digest)
    return digest


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@lru_cache(maxsize=2)
def library_versions(names: tuple[str, ...] | None = COMPUTING) -> dict[str, str]:
    """Python's version and those of the distributions `names` (None: every installed one), read
    from package metadata so that nothing heavy is imported. Results of lecture code depend on the
    computing libraries only; the rendered site may depend on any library."""
    versions = {"python": platform.python_version()}
    if names is None:
        versions["build"] = sys.version
        for entry in sys.path:
            if entry and os.path.isdir(entry):
                versions.update((name, "") for name in os.listdir(entry) if name.endswith(".dist-info"))
        return dict(sorted(versions.items()))
    from importlib import metadata

    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions
