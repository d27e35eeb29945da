"""What the slides' code references need: results already in the cache, and the jobs that must run
for the others (a producer's inputs before it); decided from content hashes, nothing is imported."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .atomic import write_atomically
from .cache import Cache, key_of
from .call_names import find_call
from .deps import deck_closure
from .errors import Collector
from .figures import FORMAT, Producer, figure_names, name_list, producer_keys, read_summary
from .fingerprint import files_digest
from .model import Ref


@dataclass
class Results:
    """What the slides get from running code, looked up by reference."""

    texts: dict = field(default_factory=dict)  # (kind, target) -> printed text of output() / exec
    values: dict = field(default_factory=dict)  # target -> int | float | str
    figures: dict = field(default_factory=dict)  # figure name -> SVG file in the cache
    artifacts: dict = field(default_factory=dict)  # producer of a demo() -> its artifact's cache key

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


class Plan:
    """Results found in the cache, and the jobs that must run for the others (inputs first)."""

    def __init__(self, deck: Path, cache: Cache, producers: dict[str, Producer] | None, device: str,
                 base: dict, problems: Collector, figure_targets: set[str]):
        self.deck, self.cache, self.producers, self.device = deck, cache, producers, device
        self.base, self.problems = base, problems
        self.figure_targets = figure_targets  # every name the slides use as a figure, for suggestions
        self.keys = producer_keys(producers, base, device) if producers else {}
        self.results = Results()
        self.jobs: dict[str, Job] = {}
        self.calls: list[tuple[str, str, object]] = []  # (cache kind, key, key as a function of base)
        self.artifacts: dict[str, bool] = {}  # producer -> its artifact is in the cache
        self.closures: dict[Path, tuple[str, list[str]]] = {}  # snippet module -> (hash, texts) with its imports
        self.found: dict[tuple, tuple[Path, str] | str] = {}  # (kind, target) -> (module, where) or what is wrong

    # --- planning: look every reference up in the cache, or schedule the job that makes it ---

    def add(self, ref: Ref) -> None:
        if ref.kind == "output" or (ref.kind == "value" and ":" in ref.target):
            self._call(ref)
        elif ref.kind == "exec":
            self._exec(ref)
        elif ref.kind in ("value", "figure") and self.producers is not None:
            self._from_producer(ref)
        elif ref.kind == "demo" and self.producers is not None:
            self._for_demo(ref)

    def _call(self, ref: Ref) -> None:
        found = self._check_call(ref)
        if found is None:
            return
        path, where = found
        if path not in self.closures:  # read once per module, however many references use it
            files = deck_closure(self.deck, [path])
            self.closures[path] = (files_digest(self.deck, files), [f.read_text(encoding="utf-8-sig") for f in files])
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
        texts = [ref.target] + [p.read_text(encoding="utf-8-sig") for p in imported]
        self._cached_or_job(ref, "output", lambda base: key_of("exec", FORMAT, ref.target, digest, base),
                            Job(f"exec({ref.where})", payload, ref.where, sources=texts))

    def _cached_or_job(self, ref: Ref, kind: str, key_fn, job: Job) -> None:
        """Take the result from the cache, or attach the reference to the job that makes it."""
        key = key_fn(self.base)
        self.calls.append((kind, key, key_fn))
        if not self.resolve_call(ref, kind, key):
            job.payload.update(key=key, label=job.label)
            self.jobs.setdefault(job.label, job).refs.append(ref)

    def _check_call(self, ref: Ref) -> tuple[Path, str] | None:
        """The module file and the function's location, or None after reporting a bad name."""
        if (ref.kind, ref.target) not in self.found:  # looked up once, however many references use it
            self.found[ref.kind, ref.target] = find_call(self.deck, ref)
        found = self.found[ref.kind, ref.target]
        return self.bad(ref, found) if isinstance(found, str) else found

    def bad(self, ref: Ref, message: str) -> None:
        self.problems.add(ref.path, ref.line, message)

    def _from_producer(self, ref: Ref) -> None:
        """A figure, or a value read from an artifact: cached, or waiting for a producer job."""
        name = ref.target.partition(".")[0] if ref.kind == "value" else ref.target
        if name not in self.producers and ref.kind == "figure":
            names = name_list(name, figure_names(self.producers, self.figure_targets))
            self.bad(ref, f"unknown figure '{name}' (figures: {names})")
        elif name not in self.producers:
            self.bad(ref, f"value('{ref.target}'): unknown producer '{name}' (producers: {name_list(name, self.producers)})")
        elif ref.kind == "figure":
            path = figure_file(self.cache, name, self.keys[name])
            if path is None:
                self._producer_job(name).refs.append(ref)
            else:
                self.results.figures[name] = path
        elif ref.kind == "value" and not self.resolve_value(ref, self.cache.get_json("summary", self.keys[name])):
            self._summary_job(name).refs.append(ref)

    def _for_demo(self, ref: Ref) -> None:
        """demo() exports a producer's module (demo.py): its artifact must be cached, or made first."""
        if ref.target not in self.producers:
            self.bad(ref, f"demo('{ref.target}'): unknown producer '{ref.target}' "
                          f"(producers: {name_list(ref.target, self.producers)})")
        else:  # check exports too: a module that cannot be exported fails check as it fails build
            self.results.artifacts[ref.target] = self.keys[ref.target]
            if not self._has_artifact(ref.target):
                self._producer_job(ref.target)  # no ref attached: the job's result is read by demo.py

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
        return [f.read_text(encoding="utf-8-sig", errors="replace") for f in files]

    # --- reading results back from the cache ---

    def resolve_call(self, ref: Ref, kind: str, key: str) -> bool:
        entry = self.cache.get_json(kind, key)
        if not isinstance(entry, dict):
            return False
        if kind == "output":
            self.results.texts[(ref.kind, ref.target)] = entry["text"]
        else:
            self.results.values[ref.target] = entry["value"]
        return True

    def resolve_value(self, ref: Ref, summary: dict | None) -> bool:
        """True when an artifact's summary settles the reference: value stored, or problem reported."""
        if not isinstance(summary, dict):
            return False
        found, value = read_summary(ref.target, summary)
        if found:
            self.results.values[ref.target] = value
        else:
            self.bad(ref, value)
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


def figure_file(cache: Cache, name: str, key: str) -> Path | None:
    """The checked SVG of a figure as a plain file the site can copy, or None when not cached."""
    payload = cache.get("figure", key)
    if payload is None:
        return None
    path = cache.root / "svg" / f"{name}-{key[:16]}.svg"
    if not path.is_file() or path.read_bytes() != payload:
        write_atomically(path, payload)
    return path
