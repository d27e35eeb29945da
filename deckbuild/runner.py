"""The build process's side of running jobs: start the worker, hand it jobs, show their progress.

The worker (worker.py) is started only when something must run; it imports torch and matplotlib,
the build process never does. Jobs run one at a time, so a training job has every core.
"""
from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from .worker import recv, send

# How long the worker may take to import its libraries before we give up on it.
START_TIMEOUT = 600.0
# The worker enforces each job's time limit; this margin only catches a stuck worker.
MARGIN = 30.0


@dataclass
class Outcome:
    """How a job went: what the child reported (None if nothing) and how its process ended."""

    result: tuple | None  # ("ok" | "error" | "returned", details) as sent by worker.py
    end: dict  # {"seconds": s} plus "code": n, "signal": "SIGSEGV", "timeout": True or "lost": True

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result[0] == "ok"

    def failure(self, timeout: float, where: str) -> str:
        """What went wrong, e.g. `failed: code_snippets/m.py:3: ZeroDivisionError: ...` or `timed out after 2 s`.

        `where` is blamed for an error that has no frame in the deck's own code.
        """
        if self.result and self.result[0] == "error":
            return f"failed: {self.result[1]['where'] or where}: {self.result[1]['error']}"
        if self.result and self.result[0] == "returned":
            return f"returned {self.result[1]['type']}"
        if self.end.get("timeout"):
            return f"timed out after {timeout:g} s"
        if "signal" in self.end:
            return f"failed: the process was killed by signal {self.end['signal']}"
        if "code" in self.end:
            return f"failed: the process exited with status {self.end['code']} before returning"
        return "failed: the worker process died"


def resolve_device(device: str) -> str:
    """'auto' is 'cuda' when an NVIDIA driver and a CUDA build of torch are installed (torch is not imported)."""
    if device != "auto":
        return device
    driver = Path("/proc/driver/nvidia/version").exists() or shutil.which("nvidia-smi")
    spec = find_spec("torch")
    built = spec is not None and spec.origin and any((Path(spec.origin).parent / "lib").glob("libtorch_cuda*"))
    return "cuda" if driver and built else "cpu"


class Runner:
    """A worker subprocess that runs jobs in forked children; a context manager."""

    def __init__(self, deck: Path, cache_root: Path, preload: list[str], display):
        self.deck, self.cache_root, self.preload, self.display = deck, cache_root, preload, display
        self.process: subprocess.Popen | None = None
        self.startup_s = 0.0  # seconds from starting the worker until it had imported its libraries

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, job: dict) -> Outcome:
        """Run one job (a dict for worker.py) and wait for its end; progress goes to the display."""
        if self.process is None:
            self._start()
        self.display.start(job)
        send(self.job_fd, job)
        result = None
        while True:
            message = self._receive(job["timeout"] + MARGIN)
            if message is None:  # the worker itself died or hung: start a fresh one for the next job
                self.close()
                outcome = Outcome(result, {"lost": True, "seconds": 0.0})
                break
            tag, payload = message
            if tag == "child" and payload[0] == "progress":
                self.display.progress(job, *payload[1:])
            elif tag == "child" and result is None:
                result = payload
            elif tag == "end":
                outcome = Outcome(result, payload)
                break
        self.display.finish(job, outcome)
        return outcome

    def _start(self) -> None:
        """Start the worker and wait until it has imported its libraries."""
        started = time.perf_counter()
        job_read, self.job_fd = os.pipe()
        self.event_fd, event_write = os.pipe()
        engine_parent = str(Path(__file__).resolve().parents[1])
        code = (
            f"import sys; sys.path.insert(0, {engine_parent!r}); import deckbuild.worker as w; "
            f"sys.path.remove({engine_parent!r}); w.main(sys.argv[1:])"
        )
        args = [str(self.deck), str(self.cache_root), str(job_read), str(event_write), ",".join(self.preload)]
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
        self.display.starting()
        message = self._receive(START_TIMEOUT)
        if message is None or message[0] != "ready":
            self.close()
            raise RuntimeError("the deckbuild worker process did not start (see the messages above)")
        self.startup_s = time.perf_counter() - started
        self.display.started(self.startup_s)

    def _receive(self, timeout: float):
        """The next message from the worker, or None when it has ended or said nothing in time."""
        ready, _, _ = select.select([self.event_fd], [], [], timeout)
        return recv(self.event_fd) if ready else None

    def close(self) -> None:
        """Stop the worker: closing its job pipe makes it kill any running child and exit."""
        if self.process is None:
            return
        os.close(self.job_fd)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.event_fd)
        self.process = None


def make_display(progress: bool | None, verbose: bool):
    """A rich progress bar on a terminal (or when asked for), plain short lines otherwise."""
    if progress is None:
        progress = sys.stderr.isatty()
    return RichDisplay(verbose) if progress else PlainDisplay(verbose)


def _verb(job: dict) -> str:
    return {"figure": "drawing", "artifact": "computing"}.get(job["show"], "running")


def _done_verb(outcome: Outcome) -> str:
    return {"figure": "drew", "artifact": "computed"}.get(outcome.result[1].get("kind"), "ran")


class PlainDisplay:
    """Short lines on stderr for logs: `computing trained_lenet: epoch 2/3`, `drew lenet_filters (1.2 s)`."""

    def __init__(self, verbose: bool):
        self.verbose, self.snippets, self.snippet_s = verbose, 0, 0.0
        self.last: tuple[str, float] = ("", 0.0)

    def starting(self) -> None:
        pass

    def started(self, seconds: float) -> None:
        if self.verbose:
            print(f"started worker ({seconds:.1f} s)", file=sys.stderr)

    def start(self, job: dict) -> None:
        self.last = ("", time.monotonic())

    def progress(self, job: dict, done: int, total: int, note: str) -> None:
        # A line when the note changes (a new epoch), at the end, or every few seconds.
        now = time.monotonic()
        if note != self.last[0] or done >= total or now - self.last[1] >= 5:
            self.last = (note, now)
            print(f"{_verb(job)} {job['label']}: {note} {done}/{total}".replace(":  ", ": "), file=sys.stderr)

    def finish(self, job: dict, outcome) -> None:
        seconds = outcome.end.get("seconds", 0.0)
        if job["show"] == "snippet":
            self.snippets, self.snippet_s = self.snippets + 1, self.snippet_s + seconds
        elif outcome.ok:
            print(f"{_done_verb(outcome)} {job['label']} ({seconds:.1f} s)", file=sys.stderr)
            if self.verbose and outcome.result[1].get("stdout"):
                print(outcome.result[1]["stdout"].rstrip(), file=sys.stderr)

    def close(self) -> None:
        if self.snippets:
            print(f"ran {self.snippets} code snippet{'s' * (self.snippets > 1)} ({self.snippet_s:.1f} s)", file=sys.stderr)


class RichDisplay(PlainDisplay):
    """One progress bar per producer, fed by its progress(done, total, note) calls."""

    def __init__(self, verbose: bool):
        super().__init__(verbose)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"), TimeElapsedColumn(), console=Console(stderr=True),
        )
        self.tasks: dict[str, int] = {}
        self.bar.start()

    def starting(self) -> None:
        self.tasks["worker"] = self.bar.add_task("starting worker (torch, matplotlib)", total=None, note="")

    def started(self, seconds: float) -> None:
        self.bar.update(self.tasks["worker"], total=1, completed=1, description="started worker")

    def start(self, job: dict) -> None:
        if job["show"] == "snippet":
            if "snippets" not in self.tasks:
                self.tasks["snippets"] = self.bar.add_task("running code snippets", total=None, note="")
            return
        self.tasks[job["label"]] = self.bar.add_task(f"{_verb(job)} {job['label']}", total=None, note="")

    def progress(self, job: dict, done: int, total: int, note: str) -> None:
        if job["label"] in self.tasks:
            self.bar.update(self.tasks[job["label"]], completed=done, total=total, note=note)

    def finish(self, job: dict, outcome) -> None:
        if job["show"] == "snippet":
            self.snippets += 1
            self.bar.update(self.tasks["snippets"], completed=self.snippets, note=job["label"])
            return
        task = self.tasks[job["label"]]
        total = self.bar.tasks[task].total or 1
        verb = _done_verb(outcome) if outcome.ok else "failed"
        self.bar.update(task, total=total, completed=total, description=f"{verb} {job['label']}")

    def close(self) -> None:
        if "snippets" in self.tasks:
            self.bar.update(self.tasks["snippets"], total=self.snippets, completed=self.snippets, note="")
        self.bar.stop()
