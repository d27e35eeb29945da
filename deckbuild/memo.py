"""Work that `serve` does not redo: it rebuilds the whole deck in one long process on every save, and
most slide files did not change since the last build."""
from __future__ import annotations

from typing import Callable, Generic, TypeVar

from .model import SourceFile

T = TypeVar("T")


class PerFile(Generic[T]):
    """One value derived from each slide file, computed again only when the file's text changes.
    One entry per path, so it stays small; a computation that raises stores nothing."""

    def __init__(self, compute: Callable[[SourceFile], T]):
        self.compute = compute
        self.kept: dict[str, tuple[str, T]] = {}

    def __call__(self, file: SourceFile) -> T:
        kept = self.kept.get(file.path)
        if kept is not None and kept[0] == file.text:
            return kept[1]
        value = self.compute(file)
        self.kept[file.path] = (file.text, value)
        return value
