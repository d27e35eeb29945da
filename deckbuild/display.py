"""How running jobs look on the terminal: a rich progress bar on a terminal, short plain lines in logs."""
from __future__ import annotations

import sys
import time

from .wire import Reply


def make_display(progress: bool | None, verbose: bool):
    """A rich progress bar on a terminal (or when asked for), plain short lines otherwise."""
    if progress is None:
        progress = sys.stderr.isatty()
    return RichDisplay(verbose) if progress else PlainDisplay(verbose)


def _verb(job: dict) -> str:
    return {"figure": "drawing", "artifact": "computing"}.get(job["show"], "running")


def _done_verb(reply: Reply) -> str:
    return {"figure": "drew", "artifact": "computed"}.get(reply.kind, "ran")


class PlainDisplay:
    """Short lines on stderr for logs: `computing trained_lenet: epoch 2/3`, `drew lenet_filters (1.2 s)`;
    with --verbose also the worker's start and each snippet job."""

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
        seconds = outcome.end.seconds
        if job["show"] == "snippet":
            self.snippets, self.snippet_s = self.snippets + 1, self.snippet_s + seconds
            if self.verbose:
                print(f"ran {job['label']} ({seconds:.1f} s)", file=sys.stderr)
        elif outcome.ok:
            print(f"{_done_verb(outcome.reply)} {job['label']} ({seconds:.1f} s)", file=sys.stderr)
            if self.verbose and outcome.reply.stdout:
                print(outcome.reply.stdout.rstrip(), file=sys.stderr)

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
        verb = _done_verb(outcome.reply) if outcome.ok else "failed"
        self.bar.update(task, total=total, completed=total, description=f"{verb} {job['label']}")

    def close(self) -> None:
        if "snippets" in self.tasks:
            self.bar.update(self.tasks["snippets"], total=self.snippets, completed=self.snippets, note="")
        self.bar.stop()
