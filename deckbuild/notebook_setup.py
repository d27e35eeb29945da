"""What makes a notebook run on its own, copied alone anywhere (a download, Colab): the first Markdown
cell (what it is, what it needs), a set-up cell that carries the lecture modules it imports, and a
cell that carries the build's long-computed results (a trained network) its figures need."""
from __future__ import annotations

import ast
import base64
import io
import pickletools
import platform
import zipfile
from importlib import metadata
from pathlib import Path

from .deps import DECK_PACKAGES, deck_closure, library_imports

SEEDS = {"numpy": "numpy.random.seed(0)", "torch": "torch.manual_seed(0)"}  # besides `random`, as the engine does
COLLAPSED = {"jupyter": {"source_hidden": True}, "cellView": "form"}  # Jupyter and Colab both fold it

README = """\
# {topic}

*{title}*, section {number} of {total}: the text and the code of `{path}`, cell by cell, with the outputs \
that the lecture's build stored. {version}

**What it needs:** {needs}

Then run the cells from the top. The first code cell writes the lecture modules this notebook imports \
({modules}) next to it, so nothing else is needed{data}. Opened inside the lecture's own folder (the one with \
`deck.toml`), it uses that folder's code and data instead."""

LIBRARIES = """Python {python} with the libraries the lecture was built with:

```
pip install {requirements}
```"""
DATA = "; data go to `data/` beside it, fetched on first use when they are missing"
STUDENT = "Exercises are yours to solve: their cells hold the question only."
INSTRUCTOR = "**Instructor version:** the exercises with their solutions, run."

SETUP = '''\
#@title Set-up: run this cell first
# Inside the lecture's folder (the one with deck.toml) this notebook uses the lecture's own code.
# Anywhere else (a download, Colab) this cell writes the lecture modules the notebook imports next
# to it, so that the cells below import them as usual. Running it again is harmless: it only writes
# missing files, and keeps any file you have changed.
import importlib
import random
import sys
from pathlib import Path
{imports}
MODULES = {{
{modules}}}

here = Path.cwd().resolve()
deck = next((p for p in (here, *here.parents) if (p / "deck.toml").is_file() and (p / "code_snippets").is_dir()), None)
if deck is None:
    deck = here
    for name, text in MODULES.items():
        path = here / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        elif path.read_text(encoding="utf-8") != text:
            print(f"kept your own {{name}}: it differs from the lecture's")
    importlib.invalidate_caches()
if str(deck) not in sys.path:
    sys.path.insert(0, str(deck))


def seed_everything(*_):
    """Start from seed 0, as the build does before every call: the numbers match the slides."""
    random.seed(0){seeds}


get_ipython().events.register("pre_run_cell", seed_everything)'''

RESULTS = '''\
#@title The build's results that the figures below need
# The build computed these for minutes (a trained network, say); stored here, they load in a moment.
import base64
import io
{imports}
STORED = {{
{stored}}}


def build_result(name):
    """A fresh copy of what the producer `name` returned when the build ran it."""
    data = base64.b64decode(STORED[name])
{load}'''
# How the worker stored each artifact (artifacts.artifact_bytes): b"T" + torch.save bytes, or b"P" + a pickle.
LOAD = {b"T": "torch.load(io.BytesIO(data[1:]), map_location=\"cpu\", weights_only=False)",
        b"P": "pickle.loads(data[1:])"}
LOADER_IMPORTS = {b"T": "import torch\n", b"P": "import pickle\n"}


def readme_cell_source(*, topic: str, title: str, path: str, number: int, total: int, solutions: bool,
                       exercises: bool, code: list[str], closure: list[Path], root: Path) -> str:
    """The first cell: what this notebook is, which lecture, what it needs."""
    version = (INSTRUCTOR if solutions else STUDENT) if exercises else ""  # no exercise: one notebook for all
    names = [p.relative_to(root).as_posix() for p in closure if p.name != "__init__.py"]
    python, needed = ".".join(platform.python_version_tuple()[:2]), requirements(code, closure)
    needs = LIBRARIES.format(python=python, requirements=" ".join(needed)) if needed else f"Python {python}, nothing else."
    return README.format(topic=topic, title=title, path=path, number=number, total=total, version=version, needs=needs,
                         modules=", ".join(f"`{n}`" for n in names) or "none",
                         data=DATA if (root / "data").is_dir() else "").replace(" \n", "\n")


def requirements(code: list[str], closure: list[Path]) -> list[str]:
    """`name==version` of each installed distribution the code and its modules import."""
    modules = library_imports(code + [p.read_text(encoding="utf-8") for p in closure])
    providers = metadata.packages_distributions()
    found = set()
    for top in {m.split(".")[0] for m in modules}:
        for distribution in providers.get(top, []):
            version = metadata.version(distribution).split("+")[0]  # "2.5.1+cpu": pip knows "2.5.1"
            found.add(f"{distribution.lower()}=={version}")
    return sorted(found)


def setup_cell_source(root: Path, closure: list[Path], seeded: list[str]) -> str:
    """The set-up cell: the lecture modules in `closure`, written next to the notebook when it runs alone."""
    modules = "".join(f"    {p.relative_to(root).as_posix()!r}: {_literal(p.read_text(encoding='utf-8'))},\n"
                      for p in closure)
    return SETUP.format(imports="".join(f"import {name}\n" for name in seeded), modules=modules,
                        seeds="".join(f"\n    {SEEDS[name]}" for name in seeded))


def results_cell_source(stored: dict[str, bytes]) -> str:
    """The results cell: each producer's stored artifact, and imports of the lecture modules whose
    classes they hold, so that they unpickle; torch is imported only for artifacts that torch saved."""
    kinds = sorted({payload[:1] for payload in stored.values()})
    classes = sorted({module for payload in stored.values() for module in pickled_deck_modules(payload)})
    imports = "".join(LOADER_IMPORTS[kind] for kind in kinds) + "".join(
        f"import {module}  # classes the stored results hold\n" for module in classes)
    if len(kinds) == 1:
        load = f"    return {LOAD[kinds[0]]}"
    else:
        load = f'    if data[:1] == b"P":\n        return {LOAD[b"P"]}\n    return {LOAD[b"T"]}'
    text = {name: base64.encodebytes(payload).decode("ascii") for name, payload in sorted(stored.items())}
    return RESULTS.format(imports=imports, load=load,
                          stored="".join(f'    "{name}": """\n{data}""",\n' for name, data in text.items()))


def pickled_deck_modules(payload: bytes) -> set[str]:
    """The modules of the deck's packages that an artifact's pickle names (its classes and functions)."""
    if payload[:1] == b"T":  # torch.save: a zip whose data.pkl holds the object graph
        with zipfile.ZipFile(io.BytesIO(payload[1:])) as archive:
            pickled = archive.read(next(n for n in archive.namelist() if n.endswith("/data.pkl")))
    else:
        pickled = payload[1:]
    strings = {arg for _, arg, _ in pickletools.genops(pickled) if isinstance(arg, str)}
    # GLOBAL's argument is "module name"; the protocol-4 STACK_GLOBAL pushes the module as a string
    candidates = {s.split(" ")[0] for s in strings}
    return {s for s in candidates if s.split(".")[0] in DECK_PACKAGES and "." in s}


def closure_of(root: Path, code: list[str]) -> list[Path]:
    """The code_snippets/ and figures_src/ files these cells import, transitively, nothing more."""
    return deck_closure(root, [], tuple(code))


def _literal(text: str) -> str:
    """A triple-quoted literal of a module's text, readable in the cell; repr when that cannot round-trip."""
    body = text.replace("\\", "\\\\").replace("'''", "\\'\\'\\'").replace("\r", "\\r")
    if body.endswith("'"):
        body = body[:-1] + "\\'"
    literal = f"'''{body}'''"
    try:
        if ast.literal_eval(literal) == text:
            return literal
    except (SyntaxError, ValueError):
        pass
    return repr(text)
