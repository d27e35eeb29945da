"""The build process's side of running jobs: start the worker process, hand it jobs, and keep it warm
between the builds of `serve`.

The worker (worker.py) is started only when something must run; it imports torch and matplotlib,
the build process never does. Jobs run one at a time, so a training job has every core.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from .wire import Ending, Progress, Reply, connection

# How long the worker may take to import its libraries before we give up on it.
START_TIMEOUT = 600.0
# The worker enforces each job's time limit; this margin only catches a stuck worker.
MARGIN = 30.0


@dataclass
class Outcome:
    """How a job went: what its process reported (None if nothing) and how that process ended."""

    reply: Reply | None
    end: Ending

    @property
    def ok(self) -> bool:
        return self.reply is not None and self.reply.status == "ok"

    def failure(self, timeout: float, where: str) -> str:
        """What went wrong, e.g. `failed: code_snippets/m.py:3: ZeroDivisionError: ...` or `timed out after 2 s`.

        `where` is blamed for an error that has no frame in the deck's own code.
        """
        reply, end = self.reply, self.end
        if reply and reply.status == "error":
            return f"failed: {reply.where or where}: {reply.error}"
        if reply and reply.status == "returned":
            return f"returned {reply.type}"
        if reply and reply.status == "too_long":
            return f"printed {reply.type} characters; a slide shows at most 100,000: print less, or a summary"
        if end.timeout:
            return f"timed out after {timeout:g} s"
        if end.signal:
            return f"failed: the process was killed by signal {end.signal}"
        if end.code is not None:
            return f"failed: the process exited with status {end.code} before returning"
        return "failed: the worker process died"


def resolve_device(device: str) -> str:
    """'auto' is 'cuda' when an NVIDIA driver and a CUDA build of torch are installed (torch is not imported)."""
    if device != "auto":
        return device
    driver = Path("/proc/driver/nvidia/version").exists() or shutil.which("nvidia-smi")
    spec = find_spec("torch")
    built = spec is not None and spec.origin and any((Path(spec.origin).parent / "lib").glob("libtorch_cuda*"))
    return "cuda" if driver and built else "cpu"


class Worker:
    """A worker subprocess for one deck and cache, started at its first job; jobs run in forked children."""

    def __init__(self, deck: Path, cache_root: Path, preload: frozenset[str]):
        self.deck, self.cache_root, self.preload = deck, cache_root, preload
        self.process: subprocess.Popen | None = None
        self.ready = False  # it has imported its libraries
        self.started = 0.0

    def run(self, job: dict, display) -> Outcome:
        """Run one job (a dict for worker.py) and wait for its end; progress goes to the display."""
        if self.process is None:
            self.spawn()
        if not self.ready:
            self._await_ready(display)
        display.start(job)
        self.jobs.send(job)
        reply = None
        while True:
            message = self._receive(job["timeout"] + MARGIN)
            if message is None:  # the worker itself died or hung: start a fresh one for the next job
                self.close()
                outcome = Outcome(reply, Ending(lost=True))
                break
            if isinstance(message, Progress):
                display.progress(job, message.done, message.total, message.note)
            elif isinstance(message, Reply) and reply is None:
                reply = message
            elif isinstance(message, Ending):
                outcome = Outcome(reply, message)
                break
        display.finish(job, outcome)
        return outcome

    def spawn(self) -> None:
        """Start the worker process; it imports its libraries while the caller goes on."""
        self.started, self.ready = time.perf_counter(), False
        job_read, job_write = os.pipe()
        event_read, event_write = os.pipe()
        self.jobs, self.events = connection(job_write, reading=False), connection(event_read, reading=True)
        engine_parent = str(Path(__file__).resolve().parents[1])
        code = (
            f"import sys; sys.path.insert(0, {engine_parent!r}); import deckbuild.worker as w; "
            f"sys.path.remove({engine_parent!r}); w.main(sys.argv[1:])"
        )
        args = [str(self.deck), str(self.cache_root), str(job_read), str(event_write), ",".join(sorted(self.preload))]
        env = dict(os.environ, MPLBACKEND="Agg", PYTORCH_NVML_BASED_CUDA_CHECK="1")
        # -P: no script folder on sys.path; the worker puts the deck first itself.
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-c", code, *args],
            pass_fds=(job_read, event_write),
            stdin=subprocess.DEVNULL,
            stdout=2,  # stray prints from C code go to stderr, never into our own stdout
            cwd=self.deck,
            env=env,
        )
        os.close(job_read)
        os.close(event_write)

    def _await_ready(self, display) -> None:
        display.starting()
        if self._receive(START_TIMEOUT) != "ready":
            self.close()
            raise RuntimeError("the deckbuild worker process did not start (see the messages above)")
        self.ready = True
        display.started(time.perf_counter() - self.started)

    def _receive(self, timeout: float):
        """The next message from the worker, or None when it has ended or said nothing in time."""
        try:
            return self.events.recv() if self.events.poll(timeout) else None
        except EOFError:
            return None

    def close(self) -> None:
        """Stop the worker: closing its job pipe makes it kill any running child and exit."""
        if self.process is None:
            return
        self.jobs.close()
        if not self.ready:  # still importing its libraries: nothing of value to wait for
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.events.close()
        self.process, self.ready = None, False


_warm = threading.local()  # .kept: the Worker a `kept_warm()` block holds on to in this thread


@contextmanager
def kept_warm():
    """In this block (serve's builder thread) a worker outlives the build that started it: the next
    build reuses it while it has imported what that build needs, and it stops when the block ends."""
    _warm.kept = None
    try:
        yield
    finally:
        kept = _warm.kept
        del _warm.kept
        if kept is not None:
            kept.close()


def has_warm_worker() -> bool:
    """Inside kept_warm(): a worker is kept (started, or starting)."""
    return getattr(_warm, "kept", None) is not None and _warm.kept.process is not None


def warm_up(deck: Path, cache_root: Path, preload: list[str]) -> None:
    """Inside kept_warm(): start a worker now for the builds to come, unless the kept one will do, so
    that the first code edit does not wait for torch to load."""
    with worker_for(deck, cache_root, preload) as worker:
        if worker.process is None:
            worker.spawn()


@contextmanager
def worker_for(deck: Path, cache_root: Path, preload: list[str]):
    """A Worker for these jobs: a new one closed at the end, or, inside kept_warm(), the kept one
    when it serves the same deck and has imported every library asked for (else a fresh one, with both)."""
    if not hasattr(_warm, "kept"):
        worker = Worker(deck, cache_root, frozenset(preload))
        try:
            yield worker
        finally:
            worker.close()
        return
    kept = _warm.kept
    if kept is None or (kept.deck, kept.cache_root) != (deck, cache_root) or not kept.preload >= set(preload):
        wanted = set(preload) | (kept.preload if kept and kept.deck == deck else set())
        if kept is not None:
            kept.close()
        kept = _warm.kept = Worker(deck, cache_root, frozenset(wanted))
    yield kept
