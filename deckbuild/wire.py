"""What the build process, the worker and a job's process say to each other over pipes."""
from __future__ import annotations

from dataclasses import dataclass
from multiprocessing.connection import Connection


@dataclass
class Reply:
    """What a job's process reports when its job is done (or failed in Python)."""

    status: str  # "ok", "error" (an exception) or "returned" (a result of the wrong kind)
    kind: str = ""  # ok: "text", "value", "figure", "artifact" or "summary"
    type: str = ""  # returned, artifact: the type of the result, e.g. "list" or "torch.Tensor"
    item: bool = False  # returned: the result has .item() (a one-element tensor or array)
    stdout: str = ""  # producers: what they printed, shown with --verbose
    where: str = ""  # error: "code_snippets/m.py:3", the innermost frame in the deck's code
    error: str = ""  # error: "ZeroDivisionError: division by zero"
    traceback: str = ""  # error, with --verbose: the traceback without the engine's frames


@dataclass
class Progress:
    """A producer's progress(done, total, note) call."""

    done: int
    total: int
    note: str


@dataclass
class Ending:
    """How a job's process ended, as the worker saw it; `lost`: the worker itself died or hung."""

    seconds: float = 0.0
    code: int | None = None
    signal: str = ""
    timeout: bool = False
    lost: bool = False


def connection(fd: int, *, reading: bool) -> Connection:
    """One end of a pipe that carries pickled messages (multiprocessing frames them); it owns the fd."""
    return Connection(fd, readable=reading, writable=not reading)
