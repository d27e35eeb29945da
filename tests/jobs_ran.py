"""What tests of the engine ask of execute(): which jobs ran, in order (read by wrapping Worker.run, so
that the engine itself carries no record for tests)."""
from __future__ import annotations

from contextlib import contextmanager

from deckbuild import runner
from deckbuild.execute import execute


@contextmanager
def recording():
    """The labels of the jobs run inside this block, e.g. ["walk", "output(demo:shout)"]."""
    labels: list[str] = []
    original = runner.Worker.run

    def run(self, job, display):
        labels.append(job["label"])
        return original(self, job, display)

    runner.Worker.run = run
    try:
        yield labels
    finally:
        runner.Worker.run = original


def execute_recorded(*args, **options):
    """execute(...) with `.ran`, the labels of the jobs it ran, added to its Results."""
    with recording() as labels:
        results = execute(*args, **options)
    results.ran = labels
    return results
