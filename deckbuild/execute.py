"""Run what the slides need from code: output()/value() calls, exec fences and figures_src producers.

What must run is decided from content hashes first; the worker process (runner.py) starts only
when some result is missing from the cache, so an unchanged deck imports neither torch nor
matplotlib and runs nothing.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .cache import Cache, key_of
from .deps import deck_closure, library_imports, top_level_names
from .fingerprint import data_fingerprint, files_digest, library_versions
from .errors import Collector, DeckError
from .figures import FORMAT, Producer, figure_names, index_producers, name_list, producer_keys, read_summary
from .model import Ref
from .wire import Reply
from .display import make_display
from .runner import Outcome, resolve_device, worker_for

SEED = 0


@dataclass
class Results:
    """What the slides get from running code, looked up by reference."""

    texts: dict = field(default_factory=dict)  # (kind, target) -> printed text of output() / exec
    values: dict = field(default_factory=dict)  # target -> int | float | str
    figures: dict = field(default_factory=dict)  # figure name -> SVG file in the cache

    def text(self, ref: Ref) -> str:
        return self.texts[(ref.kind, ref.target)]

    def value(self, ref: Ref) -> int | float | str:
        return self.values[ref.target]

    def figure(self, ref: Ref) -> Path:
        return self.figures[ref.target]


@dataclass
class Job:
    """One thing for the worker to run and the slide references waiting for it."""

    label: str  # what the display shows: "lenet_filters", "output(losses:demo)", "exec(slides/a.md:5)"
    payload: dict  # what worker.py gets
    where: str  # the code location blamed when an error has no frame in the deck's code
    needs: list[str] = field(default_factory=list)  # labels of jobs that must succeed first
    refs: list[Ref] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # code whose library imports the worker preloads


def execute(deck: Path, refs: list[Ref], cache: Cache, *, device: str = "cpu", timeout: float = 120.0,
            verbose: bool = False, make_figures: bool = True, progress: bool | None = None) -> Results:
    """Results for every output/value/figure/exec reference; user mistakes raise one DeckError."""
    deck = Path(deck).resolve()
    problems = Collector()
    try:
        producers = index_producers(deck)
    except DeckError as error:
        problems.extend(error)
        producers = None  # figure and producer references wait until figures_src/ is fixed
    base = {"data": data_fingerprint(deck, cache), "versions": library_versions(), "seed": SEED}
    figure_targets = {ref.target for ref in refs if ref.kind == "figure"}
    plan = Plan(deck, cache, producers, resolve_device(device), base, make_figures, problems, figure_targets)
    for ref in refs:
        plan.add(ref)
    if plan.jobs:
        plan.run(timeout, verbose, progress)
        plan.rekey_if_data_changed(data_fingerprint(deck, cache))
    problems.problems.sort(key=lambda p: (p.path, p.line))
    problems.raise_if_any()
    return plan.results


class Plan:
    """Results found in the cache, and the jobs that must run for the others (inputs first)."""

    def __init__(self, deck: Path, cache: Cache, producers: dict[str, Producer] | None, device: str,
                 base: dict, make_figures: bool, problems: Collector, figure_targets: set[str]):
        self.deck, self.cache, self.producers, self.device = deck, cache, producers, device
        self.base, self.make_figures, self.problems = base, make_figures, problems
        self.figure_targets = figure_targets  # every name the slides use as a figure, for suggestions
        self.keys = producer_keys(producers, base, device) if producers else {}
        self.results = Results()
        self.jobs: dict[str, Job] = {}
        self.calls: list[tuple[str, str, object]] = []  # (cache kind, key, key as a function of base)
        self.artifacts: dict[str, bool] = {}  # producer -> its artifact is in the cache
        self.closures: dict[Path, tuple[str, list[str]]] = {}  # snippet module -> (hash, texts) with its imports
        self.names: dict[Path, tuple | None] = {}  # snippet module -> its top-level names

    # --- planning: look every reference up in the cache, or schedule the job that makes it ---

    def add(self, ref: Ref) -> None:
        if ref.kind == "output" or (ref.kind == "value" and ":" in ref.target):
            self._call(ref)
        elif ref.kind == "exec":
            self._exec(ref)
        elif ref.kind in ("value", "figure") and self.producers is not None:
            self._from_producer(ref)

    def _call(self, ref: Ref) -> None:
        found = self._check_call(ref)
        if found is None:
            return
        path, where = found
        if path not in self.closures:  # read once per module, however many references use it
            files = deck_closure(self.deck, [path])
            self.closures[path] = (files_digest(self.deck, files), [f.read_text(encoding="utf-8") for f in files])
        digest, texts = self.closures[path]
        module, _, name = ref.target.partition(":")
        payload = {"kind": "call", "module": module, "name": name, "mode": ref.kind, "show": "snippet"}
        self._cached_or_job(ref, "output" if ref.kind == "output" else "value",
                            lambda base: key_of("call", FORMAT, ref.kind, ref.target, digest, base),
                            Job(f"{ref.kind}({ref.target})", payload, where, sources=texts))

    def _exec(self, ref: Ref) -> None:
        imported = deck_closure(self.deck, [], sources=(ref.target,))
        digest = files_digest(self.deck, imported)
        payload = {"kind": "exec", "source": ref.target, "path": ref.path, "line": ref.line, "show": "snippet"}
        texts = [ref.target] + [p.read_text(encoding="utf-8") for p in imported]
        self._cached_or_job(ref, "output", lambda base: key_of("exec", FORMAT, ref.target, digest, base),
                            Job(f"exec({ref.where})", payload, ref.where, sources=texts))

    def _cached_or_job(self, ref: Ref, kind: str, key_fn, job: Job) -> None:
        """Take the result from the cache, or attach the reference to the job that makes it."""
        key = key_fn(self.base)
        self.calls.append((kind, key, key_fn))
        if not self._resolve_call(ref, kind, key):
            job.payload.update(key=key, label=job.label)
            self.jobs.setdefault(job.label, job).refs.append(ref)

    def _check_call(self, ref: Ref) -> tuple[Path, str] | None:
        """The module file and the function's location, or None after reporting a bad name."""
        what = f"{ref.kind}('{ref.target}')"
        module, _, name = ref.target.partition(":")
        folder = self.deck / "code_snippets"
        path = folder / (module.replace(".", "/") + ".py")
        if not module or not name:
            return self._bad(ref, f"{what}: expected 'module:name', e.g. 'losses:softmax_demo'")
        # Only (dotted) module names: '../x' or '/abs/x' would run code from outside the deck.
        if not all(part.isidentifier() for part in module.split(".")):
            return self._bad(ref, f"{what}: refused: the module must be a module name in code_snippets/"
                                  " without '/' or '.py' (like 'losses')")
        if path.is_file() and not path.resolve().is_relative_to(folder.resolve()):
            rel = path.relative_to(self.deck).as_posix()
            return self._bad(ref, f"{what}: refused: {rel} is a link to a file outside code_snippets/")
        if not path.is_file():
            modules = [p.stem for p in folder.glob("*.py") if p.stem != "__init__"]
            return self._bad(ref, f"{what}: there is no code_snippets/{module}.py (modules: {name_list(module, modules)})")
        rel = path.relative_to(self.deck).as_posix()
        if path not in self.names:
            self.names[path] = top_level_names(path.read_text(encoding="utf-8"))
        if self.names[path] is None:  # bad syntax: the worker reports it with its line
            return path, rel
        functions, constants, imported = self.names[path]
        defined = {**imported, **constants, **functions}
        head = name.split(".")[0]  # "LeNet.forward" is found through LeNet
        if head in defined:
            return path, f"{rel}:{defined[head]}"
        public = [n for n in functions if not n.startswith("_")]
        if ref.kind == "output":
            return self._bad(ref, f"{what}: {rel} has no function '{name}' (functions: {name_list(name, public)})")
        public += [n for n in constants if not n.startswith("_")]
        return self._bad(ref, f"{what}: {rel} has no function or constant '{name}' (names: {name_list(name, public)})")

    def _bad(self, ref: Ref, message: str) -> None:
        self.problems.add(ref.path, ref.line, message)

    def _from_producer(self, ref: Ref) -> None:
        """A figure, or a value read from an artifact: cached, or waiting for a producer job."""
        name = ref.target.partition(".")[0] if ref.kind == "value" else ref.target
        if name not in self.producers and ref.kind == "figure":
            names = name_list(name, figure_names(self.producers, self.figure_targets))
            self._bad(ref, f"unknown figure '{name}' (figures: {names})")
        elif name not in self.producers:
            self._bad(ref, f"value('{ref.target}'): unknown producer '{name}' (producers: {name_list(name, self.producers)})")
        elif ref.kind == "figure" and self.make_figures:
            path = _figure_file(self.cache, name, self.keys[name])
            if path is None:
                self._producer_job(name).refs.append(ref)
            else:
                self.results.figures[name] = path
        elif ref.kind == "value" and not self._resolve_value(ref, self.cache.get_json("summary", self.keys[name])):
            self._summary_job(name).refs.append(ref)

    def _summary_job(self, name: str) -> Job:
        """The producer's job, or only re-reading its cached artifact when the summary alone was lost."""
        if not self._has_artifact(name):
            return self._producer_job(name)
        label = f"summary({name})"
        payload = {"kind": "summary", "name": name, "key": self.keys[name], "label": label, "show": "snippet"}
        return self.jobs.setdefault(label, Job(label, payload, self.producers[name].where,
                                               sources=self._producer_sources(name)))

    def _has_artifact(self, name: str) -> bool:
        if name not in self.artifacts:
            self.artifacts[name] = self.cache.get("artifact", self.keys[name]) is not None
        return self.artifacts[name]

    def _producer_job(self, name: str) -> Job:
        """The job that runs this producer, after the jobs for inputs missing from the cache."""
        if name not in self.jobs:
            p = self.producers[name]
            needs = [self._producer_job(dep).label for dep in p.inputs if not self._has_artifact(dep)]
            payload = {"kind": "producer", "module": p.module, "name": name, "params": list(p.params),
                       "inputs": {dep: self.keys[dep] for dep in p.inputs}, "device": self.device,
                       "key": self.keys[name], "label": name, "show": "artifact"}
            self.jobs[name] = Job(name, payload, p.where, needs, sources=self._producer_sources(name))
        return self.jobs[name]

    def _producer_sources(self, name: str) -> list[str]:
        """The code of a producer and of its inputs: their imports are what the worker preloads."""
        names, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in names:
                names.add(current)
                todo.extend(self.producers[current].inputs)
        files = deck_closure(self.deck, [self.deck / self.producers[n].path for n in names])
        return [f.read_text(encoding="utf-8", errors="replace") for f in files]

    # --- running ---

    def run(self, timeout: float, verbose: bool, progress: bool | None) -> None:
        """Run the jobs in order; a job whose input failed is skipped (the input's error says why)."""
        for job in self.jobs.values():
            if any(r.kind == "figure" for r in job.refs):
                job.payload["show"] = "figure"
        preload = sorted(library_imports([s for job in self.jobs.values() for s in job.sources]))
        display = make_display(progress, verbose)
        failed: set[str] = set()
        try:
            with worker_for(self.deck, self.cache.root, preload) as worker:
                for job in self.jobs.values():
                    if any(need in failed for need in job.needs):
                        failed.add(job.label)
                        continue
                    outcome = worker.run(dict(job.payload, timeout=timeout, verbose=verbose), display)
                    if not outcome.ok:
                        self._report(job, outcome, timeout, verbose)
                    if not outcome.ok or not self._collect(job, outcome):
                        failed.add(job.label)
        finally:
            display.close()

    def _report(self, job: Job, outcome: Outcome, timeout: float, verbose: bool) -> None:
        """Problems for a job that failed: at each slide for a call, at the code for a producer."""
        reply = outcome.reply or Reply("")
        trace = "\n" + reply.traceback if verbose and reply.traceback else ""
        if job.payload["kind"] in ("call", "exec"):
            expected = ", expected int, float or str" if reply.status == "returned" else ""
            expected += "; use .item()" if reply.item else ""
            for ref in job.refs:
                self.problems.add(ref.path, ref.line, f"{_what(ref)} {outcome.failure(timeout, job.where)}{expected}{trace}")
            return
        users = _users(self, job)
        if reply.status == "error":
            path, _, line = (reply.where or job.where).rpartition(":")
            self.problems.add(path, int(line), f"{reply.error} ({users}){trace}")
        else:
            p = self.producers[job.payload["name"]]
            self.problems.add(p.path, p.line, f"producer '{p.name}' {outcome.failure(timeout, job.where)} ({users})")

    def _collect(self, job: Job, outcome: Outcome) -> bool:
        """Read a finished job's results back for its references; False if they are not what was asked."""
        if job.payload["kind"] in ("call", "exec"):
            kind = "value" if job.payload.get("mode") == "value" else "output"
            return all([self._resolve_call(ref, kind, job.payload["key"]) for ref in job.refs])
        p, got = self.producers[job.payload["name"]], outcome.reply.kind
        before = len(self.problems.problems)
        for ref in job.refs:
            if ref.kind == "figure" and got != "figure":
                self._bad(ref, f"figure '{p.name}' returned {outcome.reply.type}, not a matplotlib Figure ({p.where})")
            elif ref.kind == "figure":
                self.results.figures[p.name] = _figure_file(self.cache, p.name, self.keys[p.name])
            elif got == "figure":
                self._bad(ref, f"value('{ref.target}'): producer '{p.name}' returned a matplotlib Figure, not data ({p.where})")
            else:
                self._resolve_value(ref, self.cache.get_json("summary", self.keys[p.name]))
        for other in self.jobs.values():
            if got == "figure" and p.name in other.needs:  # a figure cannot be another producer's input
                self.problems.add(p.path, p.line, f"producer '{p.name}' returned a matplotlib Figure, "
                                                  f"but producer '{other.label}' takes it as an input")
        return len(self.problems.problems) == before

    # --- reading results back from the cache ---

    def _resolve_call(self, ref: Ref, kind: str, key: str) -> bool:
        entry = self.cache.get_json(kind, key)
        if not isinstance(entry, dict):
            return False
        if kind == "output":
            self.results.texts[(ref.kind, ref.target)] = entry["text"]
        else:
            self.results.values[ref.target] = entry["value"]
        return True

    def _resolve_value(self, ref: Ref, summary: dict | None) -> bool:
        """True when an artifact's summary settles the reference: value stored, or problem reported."""
        if not isinstance(summary, dict):
            return False
        found, value = read_summary(ref.target, summary)
        if found:
            self.results.values[ref.target] = value
        else:
            self._bad(ref, value)
        return True

    def rekey_if_data_changed(self, fingerprint: str) -> None:
        """When the jobs themselves wrote deck/data/ (a first build), file the results under the new data too."""
        if fingerprint == self.base["data"]:
            return
        base = dict(self.base, data=fingerprint)
        new_keys = producer_keys(self.producers, base, self.device) if self.producers else {}
        moves = [(kind, key, key_fn(base)) for kind, key, key_fn in self.calls]
        moves += [(kind, self.keys[n], new_keys[n]) for n in self.keys for kind in ("figure", "artifact", "summary")]
        for kind, old, new in moves:
            payload = self.cache.get(kind, old) if not self.cache.path(kind, new).exists() else None
            if payload is not None:
                self.cache.put(kind, new, payload)


def _what(ref: Ref) -> str:
    return "python exec block" if ref.kind == "exec" else f"{ref.kind}('{ref.target}')"


def _users(plan: Plan, job: Job) -> str:
    """`figure 'x' used at slides/a.md:3; needed by figure 'y' used at ...` for a failed producer."""
    groups: dict[str, list[str]] = {}
    todo, seen = [(job, "")], set()
    while todo:
        current, prefix = todo.pop(0)
        if current.label in seen:
            continue
        seen.add(current.label)
        for ref in current.refs:
            what = f"figure '{ref.target}'" if ref.kind == "figure" else f"value('{ref.target}')"
            groups.setdefault(f"{prefix}{what} used at", []).append(ref.where)
        todo += [(other, "needed by ") for other in plan.jobs.values() if current.label in other.needs]
    return "; ".join(f"{what} {', '.join(places)}" for what, places in groups.items())


def _figure_file(cache: Cache, name: str, key: str) -> Path | None:
    """The checked SVG of a figure as a plain file the site can copy, or None when not cached."""
    payload = cache.get("figure", key)
    if payload is None:
        return None
    path = cache.root / "svg" / f"{name}-{key[:16]}.svg"
    if not path.is_file() or path.read_bytes() != payload:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, path)
    return path
