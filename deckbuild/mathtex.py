"""Math rendered at build time: KaTeX in one Node process per build, results cached per formula.
Each formula carries MathML beside its HTML, so a screen reader speaks it (KaTeX hides its HTML from them)."""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .cache import Cache, key_of
from .config import ENGINE_ROOT
from .errors import Collector, DeckError, Problem

SCRIPT = Path(__file__).with_name("katex_render.mjs")
NODE_MODULES = ENGINE_ROOT / "node_modules"
# KaTeX's `output` option, passed to katex_render.mjs and part of every cache key: formulas cached
# in another mode (HTML only, before MathML was added) are rendered again, never reused.
OUTPUT = "htmlAndMathml"


@dataclass(frozen=True)
class Formula:
    """One `$...$` or `$$...$$` found on a slide, with where it was written."""

    tex: str
    display: bool
    path: str
    line: int


def katex_version() -> str:
    package = NODE_MODULES / "katex" / "package.json"
    return json.loads(package.read_text())["version"] if package.is_file() else "missing"


def render_formulas(formulas: list[Formula], cache: Cache) -> dict[tuple[str, bool], str]:
    """HTML for every distinct formula; a TeX error is a DeckError at the formula's slide line."""
    version = katex_version()
    distinct = {(f.tex, f.display): f for f in formulas}
    html, missing = {}, []
    for key in distinct:
        cached = cache.get_json("math", key_of("katex", version, OUTPUT, *key))
        if cached is None:
            missing.append(key)
        else:
            html[key] = cached
    errors = {}
    if missing:
        for key, result in zip(missing, _run_katex(missing)):
            if "html" in result:
                html[key] = result["html"]
                cache.put_json("math", key_of("katex", version, OUTPUT, *key), result["html"])
            else:
                errors[key] = result["error"]
    problems = Collector()
    for formula in formulas:
        key = (formula.tex, formula.display)
        if key in errors:
            delimiter = "$$" if formula.display else "$"
            message = errors[key].splitlines()[0]
            problems.add(formula.path, formula.line, f"TeX error in {delimiter}{formula.tex}{delimiter}: {message}")
    problems.raise_if_any()
    return html


def _run_katex(keys: list[tuple[str, bool]]) -> list[dict]:
    """Render formulas in one Node process: [{"html": ...} or {"error": ...}] in order."""
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / "katex").is_dir():
        raise DeckError(Problem("package.json", 0, "KaTeX needs Node.js and the npm packages: run `make setup`"))
    payload = json.dumps([{"tex": tex, "display": display} for tex, display in keys])
    done = subprocess.run(
        [node, str(SCRIPT), str(NODE_MODULES), OUTPUT], input=payload, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)
