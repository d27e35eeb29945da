"""One error type for user mistakes, printed as `path:line: message`."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """A user mistake at a place in the deck; `line` is 0 when the whole file is meant."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class DeckError(Exception):
    """One or more user mistakes; the command line prints one line per problem and exits 1."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def relpath(path: Path | str, root: Path) -> str:
    """The path as the user wrote it: relative to the deck folder where possible."""
    path = Path(path)
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


class Collector:
    """Collects problems from a stage so that all of them are reported before aborting."""

    def __init__(self, problems: list[Problem] | tuple = ()) -> None:
        self.problems: list[Problem] = list(problems)

    def add(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def extend(self, error: DeckError) -> None:
        self.problems.extend(error.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise DeckError(self.problems)
