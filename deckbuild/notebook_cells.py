"""The cells of a slide file: its prose as Markdown (math kept as TeX, images attached), its code as
code cells, each remembering the slide it comes from.

How each slide helper ends up in a notebook:
- value() is text, as on the slide.
- snippet() of a definition is a code cell that defines it again, after importing the names it uses
  from its module, so a student can edit and rerun it; a region cut from inside a function (or a
  method) cannot run alone and is shown as Markdown code.
- output() is a code cell that imports the function and calls it.
- figure() is a code cell that draws it. A producer whose inputs are other producers (a trained
  model) gets them from the build's stored results instead of computing them again.
- ```python exec fences are code cells. A ```python exercise fence is the question only, not run (it
  is unfinished on purpose); with `solutions`, the instructor's version, it holds and runs the solution.
"""
from __future__ import annotations

import base64
import re
from pathlib import Path

from nbformat.v4 import new_code_cell, new_markdown_cell

from .errors import DeckError, Problem
from .exercises import MarkerError, is_exercise, question_and_solution
from .fences import lex_fences
from .model import Location
from .notebook_code import defines_only, imports_for
from .slides import RawSlide
from .snippets import index_snippets

TOKEN = "@@notebook-cell-{}@@"
TOKEN_RE = re.compile(r"@@notebook-cell-(\d+)@@")
ELEMENT_ATTRS = re.compile(r"[ \t]*<!--\s*\.element:.*?-->")
ATTR_LIST = re.compile(r"\{:[^}\n]*\}|(?<=\))\{[.#][^}\n]*\}")
LAYOUT_TAG = re.compile(r"^[ \t]*</?div\b[^>\n]*>[ \t]*\n?", re.M)  # columns and wrappers: notebooks read top to bottom
IMAGE = re.compile(r'(!\[[^\]]*\]\()([^)\s]+)(\))|(<img\b[^>]*?\ssrc=")([^"]+)(")')
MIME = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}


def slide_cells(slide: RawSlide, maker: CellMaker) -> list:
    """The cells of one slide: its prose, the code its helpers and exec fences stand for, its notes."""
    out, prose, position = [], Prose(maker, slide.path), 0
    for fence in lex_fences(slide.body, slide.path, slide.line):
        prose.add(slide.body[position : fence.start], out, slide.line + slide.body.count("\n", 0, position))
        code = fence.code.rstrip("\n")
        if fence.words[:2] == ["python", "exec"]:
            prose.flush_into(out)
            out.append(code_cell(code, slide.path, fence.line))
        elif is_exercise(fence.info):
            prose.flush_into(out)
            maker.exercises = True
            out.append(_exercise_cell(code, slide.path, fence.line, maker.solutions))
        else:
            language = fence.words[0] if fence.words and not fence.words[0].startswith("[") else ""
            prose.parts.append(f"{fence.ticks}{language}\n{code}\n{fence.ticks}")
        position = fence.end
    prose.add(slide.body[position:], out, slide.line + slide.body.count("\n", 0, position))
    notes = TOKEN_RE.sub("", clean(slide.notes)).strip()
    if notes:
        prose.parts.append("> **Speaker notes:**\n>\n" + "\n".join(f"> {l}".rstrip() for l in notes.split("\n")))
    prose.flush_into(out)
    return out


class Prose:
    """Markdown gathered for the next cell, with the images it carries as attachments."""

    def __init__(self, maker: CellMaker, slide_path: str):
        self.maker, self.slide_path = maker, slide_path
        self.parts: list[str] = []
        self.attachments: dict[str, dict] = {}

    def add(self, text: str, out: list, line: int) -> None:
        """Markdown text, cut where a helper stood: the helper's cells go in between."""
        position = 0
        for token in TOKEN_RE.finditer(text):
            self.parts.append(IMAGE.sub(self._attach, clean(text[position : token.start()])))
            cell = self.maker.cell_for(int(token.group(1)), self.slide_path, line + text.count("\n", 0, token.start()))
            if cell.cell_type == "markdown":
                self.parts.append(cell.source)
                self.attachments.update(cell.get("attachments", {}))
            else:
                self.flush_into(out)
                out.append(cell)
            position = token.end()
        self.parts.append(IMAGE.sub(self._attach, clean(text[position:])))

    def _attach(self, match: re.Match) -> str:
        """A slide's own image travels inside the notebook, as a cell attachment."""
        before, src, after = match.group(1, 2, 3) if match.group(1) else match.group(4, 5, 6)
        file = self.maker.root / Path(self.slide_path).parent / src
        if Path(src).suffix.lower() not in MIME or ":" in src or not file.is_file():
            return match.group(0)  # remote or missing images are build errors already
        self.attachments[file.name] = _attachment(file)
        return f"{before}attachment:{file.name}{after}"

    def flush_into(self, out: list) -> None:
        text = "\n\n".join(part.strip("\n") for part in self.parts if part.strip())
        if text:
            cell = new_markdown_cell(re.sub(r"\n{3,}", "\n\n", text))
            if self.attachments:
                cell.attachments = self.attachments
            out.append(cell)
        self.parts, self.attachments = [], {}


class CellMaker:
    """Turns the helper calls met while rendering a slide file into tokens, then each token into a cell."""

    def __init__(self, root: Path, results: dict, producers: dict):
        self.root, self.results, self.producers = root, results, producers
        self.snippets = index_snippets(root)
        self.stored: set[str] = set()  # producers whose results the notebook takes from the build
        self.stored_results = None  # name -> the bytes of the build's result (notebooks._stored_results)
        self.exercises = False  # whether the slide file has exercise fences
        self.pending: list[tuple] = []  # (kind, target, args) of each token, by number
        self.solutions = False  # exercises: the student's question (False) or the instructor's solution

    def lookup(self, key: tuple) -> str:
        """For Jinja: value() is its text; the other helpers leave a token where their cell goes."""
        if key[0] == "value":
            return self.results[key]
        if key[0] == "demo":  # runs in the deck's page (onnxruntime-web); the notebook says so in prose
            what = "cover part of a test digit" if dict(key[2]).get("kind") == "occlude" else "draw a digit"
            return f"*In the deck this slide has a live demo of `{key[1]}`: {what} and watch the network answer.*"
        self.pending.append(key)
        return TOKEN.format(len(self.pending) - 1)

    def cell_for(self, token: int, path: str, line: int):
        kind, target, args = self.pending[token]
        if kind == "snippet":
            return self.snippet_cell(target, path, line)
        if kind == "output":
            module, _, name = target.partition(":")
            return code_cell(f"from code_snippets.{module} import {name.split('.')[0]}\n\n{name}()", path, line)
        return self.figure_cell(target, path, line)

    def snippet_cell(self, target: str, path: str, line: int):
        """A definition becomes code that runs; a piece of a function body is shown as Markdown code."""
        snippet = self.snippets.find(target, at=Location(path, line))
        module, _, name = target.partition(":")
        if "." not in name and defines_only(snippet.code):
            imports = imports_for(snippet.code, self.root / snippet.path, module)
            return code_cell((imports + "\n\n\n" if imports else "") + snippet.code, path, line)
        return new_markdown_cell(f"`{snippet.path}`, line {snippet.first_line}:\n\n```python\n{snippet.code}\n```")

    def figure_cell(self, name: str, path: str, line: int):
        """A code cell that draws the figure. Inputs that took the build long to compute (a trained
        network) are not recomputed: the cell takes the build's own results (see notebook_results)."""
        producer = self.producers[name]
        self.stored.update(producer.inputs)
        arguments = ", ".join(f'{dep}=build_result("{dep}")' for dep in producer.inputs)
        note = "".join(f"# {dep}: the build's result; {dep}() from {self.producers[dep].module} recomputes it\n"
                       for dep in producer.inputs)
        return code_cell(f"import matplotlib.pyplot as plt\nfrom {producer.module} import {name}\n\n{note}"
                     f"figure = {name}({arguments})\nplt.close(figure)  # shown once, below: pyplot would show it again\n"
                     "figure", path, line)


def code_cell(source: str, path: str, line: int):
    """A code cell that remembers the slide it comes from, so that an error can name it."""
    return new_code_cell(source, metadata={"deckbuild": {"source": f"{path}:{line}"}})


def _exercise_cell(code: str, path: str, line: int, solutions: bool):
    """The solution for the instructor; for a student the question, tagged so that nbclient skips it."""
    try:
        exercise = question_and_solution(code)
    except MarkerError as error:
        raise DeckError(Problem(path, line + error.line, str(error))) from None
    if solutions:
        return code_cell(exercise.solution, path, line)
    cell = code_cell(exercise.question, path, line)
    # skip-execution for nbclient (the build), nbval-skip for `pytest --nbval-lax` (make check): unfinished on purpose
    cell.metadata["tags"] = ["exercise", "skip-execution", "nbval-skip"]
    return cell


def clean(text: str) -> str:
    """Slide-only markup out: element attributes, attribute lists, layout <div>s."""
    return LAYOUT_TAG.sub("", ATTR_LIST.sub("", ELEMENT_ATTRS.sub("", text)))


def _attachment(file: Path) -> dict:
    data, mime = file.read_bytes(), MIME[file.suffix.lower()]
    return {mime: data.decode("utf-8") if mime == "image/svg+xml" else base64.b64encode(data).decode("ascii")}
