"""Run what the slides need from code: output()/value() calls, exec fences and figures_src producers.

What must run is decided from content hashes first (plan.py); the worker process (runner.py) starts
only when some result is missing from the cache, so an unchanged deck imports neither torch nor
matplotlib and runs nothing.
"""
from __future__ import annotations

import sys
from pathlib import Path

from .cache import Cache
from .deps import DECK_PACKAGES, library_imports
from .display import make_display
from .errors import Collector, DeckError
from .figures import index_producers
from .fingerprint import data_fingerprint, library_versions
from .job_problems import failure_problems
from .model import Ref
from .plan import Job, Plan, Results, figure_file
from .runner import Outcome, resolve_device, worker_for

SEED = 0


def execute(deck: Path, refs: list[Ref], cache: Cache, *, device: str = "cpu", timeout: float = 120.0,
            verbose: bool = False, progress: bool | None = None) -> Results:
    """Results for every output/value/figure/exec reference; user mistakes raise one DeckError."""
    deck = Path(deck).resolve()
    problems = Collector()
    for name, path in _shadowing(deck):
        problems.add(path, 0, f"shadows Python's module '{name}' for all code the deck runs "
                              "(the deck folder comes first on sys.path): rename it")
    problems.raise_if_any()  # running anything now would only add errors that follow from it
    try:
        producers = index_producers(deck)
    except DeckError as error:
        problems.extend(error)
        producers = None  # figure and producer references wait until figures_src/ is fixed
    base = {"data": data_fingerprint(deck, cache), "versions": library_versions(), "seed": SEED}
    figure_targets = {ref.target for ref in refs if ref.kind == "figure"}
    plan = Plan(deck, cache, producers, resolve_device(device), base, problems, figure_targets)
    for ref in refs:
        plan.add(ref)
    if plan.jobs:
        run_jobs(plan, timeout, verbose, progress)
        plan.rekey_if_data_changed(data_fingerprint(deck, cache))
    problems.problems.sort(key=lambda p: (p.path, p.line))
    problems.raise_if_any()
    return plan.results


def _shadowing(deck: Path) -> list[tuple[str, str]]:
    """(module name, deck file) for each top-level module of the deck that hides a module of the standard
    library or a computing library (random.py, numpy/): every job would import the deck's file instead."""
    found = []
    for path in sorted(deck.glob("*.py")) + sorted(deck.glob("*/__init__.py")):
        name = path.stem if path.name != "__init__.py" else path.parent.name
        if name in DECK_PACKAGES or not name.isidentifier():
            continue
        if name in sys.stdlib_module_names or name in library_versions():
            found.append((name, path.relative_to(deck).as_posix()))
    return found


def run_jobs(plan: Plan, timeout: float, verbose: bool, progress: bool | None) -> None:
    """Run the jobs in order; a job whose input failed is skipped (the input's error says why)."""
    for job in plan.jobs.values():
        if any(r.kind == "figure" for r in job.refs):
            job.payload["show"] = "figure"
    preload = sorted(library_imports([s for job in plan.jobs.values() for s in job.sources]))
    display = make_display(progress, verbose)
    failed: set[str] = set()
    try:
        with worker_for(plan.deck, plan.cache.root, preload) as worker:
            for job in plan.jobs.values():
                if any(need in failed for need in job.needs):
                    failed.add(job.label)
                    continue
                outcome = worker.run(dict(job.payload, timeout=timeout, verbose=verbose), display)
                if not outcome.ok:
                    _report(plan, job, outcome, timeout, verbose)
                if not outcome.ok or not _collect(plan, job, outcome):
                    failed.add(job.label)
    finally:
        display.close()


def _report(plan: Plan, job: Job, outcome: Outcome, timeout: float, verbose: bool) -> None:
    for path, line, message in failure_problems(job, outcome, plan.jobs, plan.producers, timeout, verbose):
        plan.problems.add(path, line, message)


def _collect(plan: Plan, job: Job, outcome: Outcome) -> bool:
    """Read a finished job's results back for its references; False if they are not what was asked."""
    if job.payload["kind"] in ("call", "exec"):
        kind = "value" if job.payload.get("mode") == "value" else "output"
        return all([plan.resolve_call(ref, kind, job.payload["key"]) for ref in job.refs])
    p, got = plan.producers[job.payload["name"]], outcome.reply.kind
    before = len(plan.problems.problems)
    for ref in job.refs:
        if ref.kind == "figure" and got != "figure":
            plan.bad(ref, f"figure '{p.name}' returned {outcome.reply.type}, not a matplotlib Figure ({p.where})")
        elif ref.kind == "figure":
            plan.results.figures[p.name] = figure_file(plan.cache, p.name, plan.keys[p.name])
        elif got == "figure":
            plan.bad(ref, f"value('{ref.target}'): producer '{p.name}' returned a matplotlib Figure, not data ({p.where})")
        else:
            plan.resolve_value(ref, plan.cache.get_json("summary", plan.keys[p.name]))
    for other in plan.jobs.values():
        if got == "figure" and p.name in other.needs:  # a figure cannot be another producer's input
            plan.problems.add(p.path, p.line, f"producer '{p.name}' returned a matplotlib Figure, "
                                              f"but producer '{other.label}' takes it as an input")
    return len(plan.problems.problems) == before
