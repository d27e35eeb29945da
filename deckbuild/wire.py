"""What the build process, the worker and a job's process say to each other, and how it is framed on a pipe."""
from __future__ import annotations

import os
import pickle
import struct
from dataclasses import dataclass

_HEADER = struct.Struct("!I")


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


def send(fd: int, message) -> None:
    """Write one length-prefixed pickled message."""
    data = pickle.dumps(message)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def recv(fd: int):
    """Read one message; None at end of stream."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    body = _read_exactly(fd, _HEADER.unpack(header)[0])
    return None if body is None else pickle.loads(body)


def _read_exactly(fd: int, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def split_frames(buffer: bytearray) -> list[bytes]:
    """Take the complete frames off the front of buffer (a partial one stays)."""
    frames = []
    while len(buffer) >= _HEADER.size:
        end = _HEADER.size + _HEADER.unpack_from(buffer)[0]
        if len(buffer) < end:
            break
        frames.append(bytes(buffer[_HEADER.size : end]))
        del buffer[:end]
    return frames
