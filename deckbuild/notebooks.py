"""Export: build/notebooks/NN_topic.ipynb for every slide file (and an instructor version where it has
exercises), each able to run alone, executed with nbclient so that the outputs are stored.

A notebook is: a Markdown cell saying what it is and what it needs, a set-up cell carrying the lecture
modules it imports (notebook_setup), the build's results its figures need when there are any, then
slide after slide (notebook_cells). Executing it happens in notebook_kernel.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell, new_notebook

from .atomic import write_atomically
from .cache import Cache, key_of
from .config import DeckConfig, load_config
from .deps import deck_closure, library_imports
from .fingerprint import data_fingerprint, files_digest, library_versions
from .errors import Collector, DeckError, Problem
from .execute import SEED
from .figures import index_producers, producer_keys
from .lock import one_at_a_time
from .markdown_render import Stash
from .notebook_cells import TOKEN_RE, CellMaker, code_cell, slide_cells
from .notebook_kernel import KERNEL, ensure_kernel, execute_notebook
from .notebook_setup import (COLLAPSED, SEEDS, closure_of, readme_cell_source, results_cell_source,
                             setup_cell_source)
from .pipeline import Options, resolve_references
from .references import index_references
from .runner import resolve_device
from .slides import read_slide_files, split_slides
from .templating import helpers, render_file

FORMAT = 2  # bumped when notebooks are made differently, so older executed ones are not reused
HEADING = re.compile(r"^#{1,3}[ \t]+(.+?)[ \t#]*$", re.M)


@one_at_a_time  # it fills the same cache as a build
def export_notebooks(root: Path, options: Options = Options(), *, out: Path | None = None,
                     execute: bool = True) -> list[Path]:
    """build/notebooks/NN_topic.ipynb (or `out`/NN_topic.ipynb) for every slide file, executed (or reused
    when nothing they depend on changed); DeckError names the slide of a failing cell. `execute=False`
    writes them unrun, for a test that runs them elsewhere anyway."""
    root = Path(root).resolve()
    config, cache = load_config(root), Cache(root / ".cache")
    files = read_slide_files(root)
    refs = index_references(files)
    results, _ = resolve_references(root, refs, cache, options, config.timeout, Stash())
    producers = index_producers(root)
    maker = CellMaker(root, results, producers)
    maker.stored_results = _stored_results(root, cache, producers, options.device)
    out = Path(out).resolve() if out else root / "build" / "notebooks"
    notebooks = {}
    for number, file in enumerate(files, 1):
        name = Path(file.path).with_suffix(".ipynb").name
        where = (number, len(files))
        notebooks[out / name] = make_notebook(config, file, maker, where)
        if "exercise" in file.text:  # cheap test first; the instructor version only where it differs
            solved = make_notebook(config, file, maker, where, solutions=True)
            if solved != notebooks[out / name]:
                notebooks[out / "instructor" / name] = solved
    (out / "instructor").mkdir(parents=True, exist_ok=True)
    inside = root / "build" / "notebooks"  # run inside the deck, whatever `out`: its own code and data
    inside.mkdir(parents=True, exist_ok=True)
    problems, kernel = Collector(), None
    for path, notebook in notebooks.items() if execute else ():
        key = _executed_key(root, notebook, cache)
        stored = cache.get("notebook", key)
        if stored is not None:
            notebooks[path] = nbformat.reads(stored.decode("utf-8"), as_version=4)
            continue
        try:
            kernel = kernel or ensure_kernel()
            execute_notebook(notebook, inside, kernel, config.timeout)
            cache.put("notebook", key, nbformat.writes(notebook).encode("utf-8"))
        except DeckError as error:
            problems.extend(error)
    problems.raise_if_any()
    for path, notebook in notebooks.items():
        _write_atomically(path, notebook)
    for stale in (set(out.glob("*.ipynb")) | set(out.glob("instructor/*.ipynb"))) - set(notebooks):  # renamed or removed
        stale.unlink()
    return list(notebooks)


def make_notebook(config: DeckConfig, file, maker: CellMaker, where: tuple[int, int],
                  solutions: bool = False) -> nbformat.NotebookNode:
    """The unexecuted notebook of one slide file (section `where` = (number, total)): what it is and
    needs, the set-up, the build's results, then slide after slide; exercises as questions for
    students, or with their `solutions` for the instructor."""
    maker.pending, maker.solutions, maker.stored, maker.exercises = [], solutions, set(), False
    slides = split_slides(file.path, render_file(file, helpers(maker.lookup)))
    body = [cell for slide in slides for cell in slide_cells(slide, maker)]
    head = []
    if maker.stored:
        head.append(code_cell(results_cell_source({n: maker.stored_results(n) for n in maker.stored}), file.path, 0))
    code = [cell.source for cell in head + body if cell.cell_type == "code"]
    closure = closure_of(maker.root, code)
    used = library_imports(code + [p.read_text(encoding="utf-8") for p in closure])
    seeded = [name for name in SEEDS if name in {u.split(".")[0] for u in used}]
    setup = code_cell(setup_cell_source(maker.root, closure, seeded), file.path, 0)
    for cell in [setup] + head:
        cell.metadata.update(COLLAPSED)
    headings = [HEADING.search(slide.body) for slide in slides]
    topic = next((TOKEN_RE.sub("", h.group(1)) for h in headings if h), Path(file.path).stem)
    readme = new_markdown_cell(readme_cell_source(
        topic=topic, title=config.title, path=file.path, number=where[0], total=where[1], solutions=solutions,
        exercises=maker.exercises, code=code, closure=closure, root=maker.root))
    notebook = new_notebook(cells=[readme, setup] + head + body, metadata={"kernelspec": KERNEL})
    for number, cell in enumerate(notebook.cells):
        cell.id = f"cell-{number}"  # stable ids: an unchanged deck gives unchanged notebooks
    return notebook


def _stored_results(root: Path, cache: Cache, producers: dict, device: str):
    """A function: producer name -> the bytes of its artifact as this build stored it."""
    # The same key parts as execute.execute uses for producers (data, versions, seed, device).
    base = {"data": data_fingerprint(root, cache), "versions": library_versions(), "seed": SEED}
    keys = producer_keys(producers, base, resolve_device(device)) if producers else {}

    def stored(name: str) -> bytes:
        payload = cache.get("artifact", keys[name])
        if payload is None:
            producer = producers[name]
            raise DeckError(Problem(producer.path, producer.line, f"the build's result of '{name}' is not in the "
                                                                  "cache: run 'build.py build' first"))
        return payload

    return stored


def _executed_key(root: Path, notebook, cache: Cache) -> str:
    """What an executed notebook depends on: its cells, the deck code they import, data, Python, libraries."""
    code = tuple(cell.source for cell in notebook.cells if cell.cell_type == "code")
    return key_of("notebook", FORMAT, nbformat.writes(notebook), files_digest(root, deck_closure(root, [], code)),
                  data_fingerprint(root, cache), library_versions(), sys.executable)


def _write_atomically(path: Path, notebook) -> None:
    """Validate, then write: a half-written notebook is never left behind."""
    nbformat.validate(notebook)
    text = nbformat.writes(notebook)
    write_atomically(path, (text if text.endswith("\n") else text + "\n").encode())
