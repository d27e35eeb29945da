"""One build of a deck at a time: a second `build` or `check` of the same deck waits for the first."""
from __future__ import annotations

import fcntl
import functools
import os
import sys
from pathlib import Path

LOCK = ".cache/build.lock"


def one_at_a_time(stage):
    """Run stage(root, ...) holding an exclusive flock on root/.cache/build.lock; a second caller says
    that it waits, then waits. The kernel drops the lock of a killed build, so it is never stale."""

    @functools.wraps(stage)
    def locked(root: Path, *args, **kwargs):
        path = Path(root) / LOCK
        if not (Path(root) / "deck.toml").is_file():  # not a deck: the stage says so; make no .cache here
            return stage(root, *args, **kwargs)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                print(f"waiting for another build of this deck to finish (pid {holder}, {LOCK})", file=sys.stderr)
                fcntl.flock(fd, fcntl.LOCK_EX)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            return stage(root, *args, **kwargs)
        finally:
            os.close(fd)  # releases the lock

    return locked
