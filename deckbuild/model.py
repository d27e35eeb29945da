"""The data that flows between stages: small frozen records that carry their path and line."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Location:
    """A place in the deck: a path relative to the deck and a 1-based line (0: the whole file)."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class SourceFile:
    """One slide file as read from disk; `path` is relative to the deck (`slides/01_losses.md`)."""

    path: str
    text: str


@dataclass(frozen=True)
class Ref:
    """One call of a Jinja helper found in a slide file: what it asks for and where.

    kind:   "snippet" | "output" | "value" | "figure" | "exec"
    target: "module:name" for code in code_snippets/; a producer name (optionally
            "producer.key") for figures_src/; the code itself for an `exec` fence.
    args:   the other literal arguments, e.g. (("steps", ("__init__", "forward")),)
    """

    kind: str
    target: str
    path: str
    line: int
    args: tuple = field(default=())

    def arg(self, name: str, default=None):
        return dict(self.args).get(name, default)

    @property
    def where(self) -> str:
        return str(self.at)

    @property
    def at(self) -> Location:
        return Location(self.path, self.line)
