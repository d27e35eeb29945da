"""The lecture's student notebooks, each copied alone into an empty folder with only the MNIST IDX files
beside it, run offline with the deck out of reach: what a student who downloads one from the site gets.

They are exported unexecuted (the build's own execution inside the deck proves nothing about running
alone, and would double the time); the trained network comes from the build's cache, not retrained.
"""
from __future__ import annotations

import ast
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from deckbuild.notebooks import export_notebooks
from deckbuild.pipeline import Options
from notebook_alone import nbval_summary, reads_under, run_alone, written_modules

ROOT = Path(__file__).resolve().parents[1]
# What the deck holds that a notebook must not need: covered by empty mounts during each run.
DECK_PARTS = ("code_snippets", "figures_src", "slides", "data", "node_modules", "build", ".cache", "themes")


@pytest.fixture(scope="module")
def student_notebooks(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("lecture-notebooks")
    paths = export_notebooks(ROOT, Options(progress=False), out=out, execute=False)
    return [path for path in paths if path.parent.name != "instructor"]


def carried_modules(notebook) -> set[str]:
    """The file names in the set-up cell's MODULES, read without running it."""
    tree = ast.parse(notebook.cells[1].source)
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "MODULES")
    return set(ast.literal_eval(node.value))


def test_every_student_notebook_of_the_lecture_runs_alone_offline(student_notebooks, tmp_path):
    assert len(student_notebooks) == len(list((ROOT / "slides").glob("*.md")))
    hide = [ROOT / part for part in DECK_PARTS if (ROOT / part).is_dir()]
    font_cache = tmp_path / "matplotlib"  # not the deck's: matplotlib's font list, built once for all runs

    def run(path: Path):
        return path, run_alone(path, tmp_path / path.stem, idx_from=ROOT / "data" / "MNIST" / "raw", hide=hide,
                               timeout=600, font_cache=font_cache)

    # The runs are independent processes: as many at once as there are cores (the test's main cost).
    with ThreadPoolExecutor(max_workers=max(1, min(4, len(os.sched_getaffinity(0))))) as pool:
        runs = list(pool.map(run, student_notebooks))
    failures = []
    for path, alone in runs:
        notebook = nbformat.read(path, as_version=4)
        if alone.result.returncode != 0 or nbval_summary(notebook) not in alone.result.stdout:
            failures.append(f"{path.name}:\n{alone.result.stdout[-3000:]}{alone.result.stderr[-2000:]}")
            continue
        assert alone.folder / path.name in alone.opened  # the audit log saw the run
        assert reads_under(alone, ROOT, allowed=(ROOT / ".venv",)) == [], path.name
        written = written_modules(alone.folder)
        assert written == carried_modules(notebook), path.name  # the set-up cell wrote what it carries ...
        assert {alone.folder / name for name in written} <= alone.opened, path.name  # ... and each was imported
    print("seconds to run each notebook alone:", json.dumps({p.name: round(r.seconds, 1) for p, r in runs}))
    assert not failures, "\n\n".join(failures)
