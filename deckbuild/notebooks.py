"""Student notebooks: one per slide file, its prose as Markdown cells (math kept as TeX), its code as
code cells, executed with nbclient so that the outputs are stored.

How each slide helper ends up in a notebook:
- value() is text, as on the slide.
- snippet() of a definition is a code cell that defines it again, after importing the names it uses
  from its module, so a student can edit and rerun it; a region cut from inside a function (or a
  method) cannot run alone and is shown as Markdown code.
- output() is a code cell that imports the function and calls it.
- figure() of a producer with no inputs is a code cell that draws it. A producer whose inputs are
  other producers (a trained model) would retrain in every notebook run, so the notebook shows the
  picture the build drew and, below it, the code that redraws it.
- ```python exec fences are code cells. A ```python exercise fence is the question only, not run (it
  is unfinished on purpose); a slide file with exercises also gets an instructor notebook in
  build/notebooks/instructor/ whose cells hold, and run, the solutions.
"""
from __future__ import annotations

import ast
import base64
import builtins
import os
import re
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .cache import Cache, key_of
from .config import DeckConfig, load_config
from .deps import data_fingerprint, deck_closure, files_digest, library_imports, library_versions
from .errors import Collector, DeckError, Problem
from .exercises import MarkerError, is_exercise, question_and_solution
from .figures import index_producers
from .lock import one_at_a_time
from .markdown_render import Stash
from .pipeline import Options, resolve_references
from .references import index_references, jinja_environment
from .slides import RawSlide, read_slide_files, split_slides
from .snippets import index_snippets
from .templating import helpers, render_file

FORMAT = 1  # bumped when notebooks are made differently, so older executed ones are not reused
TOKEN = "@@notebook-cell-{}@@"
TOKEN_RE = re.compile(r"@@notebook-cell-(\d+)@@")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})(?P<info>[^\n]*)\n(?P<code>.*?)^[ \t]*(?P=ticks)[ \t]*$",
                   re.M | re.S)
ELEMENT_ATTRS = re.compile(r"[ \t]*<!--\s*\.element:.*?-->")
ATTR_LIST = re.compile(r"\{:[^}\n]*\}|(?<=\))\{[.#][^}\n]*\}")
LAYOUT_TAG = re.compile(r"^[ \t]*</?div\b[^>\n]*>[ \t]*\n?", re.M)  # columns and wrappers: notebooks read top to bottom
IMAGE = re.compile(r'(!\[[^\]]*\]\()([^)\s]+)(\))|(<img\b[^>]*?\ssrc=")([^"]+)(")')
HEADING = re.compile(r"^#{1,3}[ \t]+(.+?)[ \t#]*$", re.M)
MIME = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
SEEDS = {"numpy": "numpy.random.seed(0)", "torch": "torch.manual_seed(0)"}  # besides `random`, as the engine does

README = """\
# {topic}

*{title}*: the code of `{path}`, run top to bottom; the outputs stored here come from `python build.py notebooks`.

**How to run it.** Use the deck's Python environment (the `.venv` that `make setup` or `uv sync` creates) as the \
kernel, and open the notebook from inside the deck folder (the one with `code_snippets/`), e.g. in `build/notebooks/`. \
The first code cell finds the deck folder and puts it on `sys.path`, so that `code_snippets` and `figures_src` \
import; it also starts every cell from random seed 0, as the build does for every slide, so the numbers match."""

SETUP = '''\
import random
import sys
from pathlib import Path
{imports}
# The deck folder is the nearest folder, from here upwards, that holds code_snippets/.
here = Path.cwd().resolve()
deck_root = next((p for p in (here, *here.parents) if (p / "code_snippets").is_dir()), None)
assert deck_root is not None, "open this notebook from inside the deck folder (the one with code_snippets/)"
if str(deck_root) not in sys.path:
    sys.path.insert(0, str(deck_root))


def seed_everything(*_):
    """Start from seed 0, as the build does before every call: the numbers match the slides."""
    random.seed(0){seeds}


get_ipython().events.register("pre_run_cell", seed_everything)'''


@one_at_a_time  # it fills the same cache as a build
def export_notebooks(root: Path, options: Options = Options()) -> list[Path]:
    """build/notebooks/NN_topic.ipynb for every slide file, executed (or reused when nothing they
    depend on changed); DeckError names the slide of a failing cell."""
    root = Path(root).resolve()
    config, cache = load_config(root), Cache(root / ".cache")
    env, files = jinja_environment(), read_slide_files(root)
    refs = index_references(files, env)
    results, figures = resolve_references(root, refs, cache, options, config.timeout, Stash(), make_figures=True)
    maker = CellMaker(root, results, figures)
    out = root / "build" / "notebooks"
    notebooks = {}
    for file in files:
        name = Path(file.path).with_suffix(".ipynb").name
        notebooks[out / name] = make_notebook(config, file, env, maker)
        if "exercise" in file.text:  # cheap test first; the instructor version only where it differs
            solved = make_notebook(config, file, env, maker, solutions=True)
            if solved != notebooks[out / name]:
                notebooks[out / "instructor" / name] = solved
    (out / "instructor").mkdir(parents=True, exist_ok=True)
    problems, kernel = Collector(), None
    for path, notebook in notebooks.items():
        key = _executed_key(root, notebook, cache)
        stored = cache.get("notebook", key)
        if stored is not None:
            notebooks[path] = nbformat.reads(stored.decode("utf-8"), as_version=4)
            continue
        try:
            kernel = kernel or ensure_kernel()
            execute_notebook(notebook, out, kernel, config.timeout)
            cache.put("notebook", key, nbformat.writes(notebook).encode("utf-8"))
        except DeckError as error:
            problems.extend(error)
    problems.raise_if_any()
    for path, notebook in notebooks.items():
        _write_atomically(path, notebook)
    for stale in (set(out.glob("*.ipynb")) | set(out.glob("instructor/*.ipynb"))) - set(notebooks):  # renamed or removed
        stale.unlink()
    return list(notebooks)


def make_notebook(config: DeckConfig, file, env, maker: CellMaker, solutions: bool = False) -> nbformat.NotebookNode:
    """The unexecuted notebook of one slide file: how to run it, the set-up, then slide after slide;
    exercises as questions for students, or with their `solutions` for the instructor."""
    maker.pending, maker.solutions = [], solutions
    slides = split_slides(file.path, render_file(file, env, helpers(maker.lookup)))
    body = [cell for slide in slides for cell in slide_cells(slide, maker)]
    code = [cell.source for cell in body if cell.cell_type == "code"]
    used = library_imports(code + [p.read_text(encoding="utf-8") for p in deck_closure(maker.root, [], tuple(code))])
    seeded = [name for name in SEEDS if name in {u.split(".")[0] for u in used}]
    setup = _code(SETUP.format(imports="".join(f"\nimport {name}" for name in seeded) + "\n",
                               seeds="".join(f"\n    {SEEDS[name]}" for name in seeded)), file.path, 0)
    headings = [HEADING.search(slide.body) for slide in slides]
    topic = next((TOKEN_RE.sub("", h.group(1)) for h in headings if h), Path(file.path).stem)
    readme = new_markdown_cell(README.format(topic=topic, title=config.title, path=file.path))
    notebook = new_notebook(cells=[readme, setup] + body, metadata={"kernelspec": KERNEL})
    for number, cell in enumerate(notebook.cells):
        cell.id = f"cell-{number}"  # stable ids: an unchanged deck gives unchanged notebooks
    return notebook


def slide_cells(slide: RawSlide, maker: CellMaker) -> list:
    """The cells of one slide: its prose, the code its helpers and exec fences stand for, its notes."""
    out, prose, position = [], Prose(maker, slide.path), 0
    for fence in FENCE.finditer(slide.body):
        line = slide.line + slide.body.count("\n", 0, fence.start())
        prose.add(slide.body[position : fence.start()], out, slide.line + slide.body.count("\n", 0, position))
        info = fence.group("info").split()
        code = "\n".join(l[len(fence.group("indent")):] for l in fence.group("code").rstrip("\n").split("\n"))
        if info[:2] == ["python", "exec"]:
            prose.flush_into(out)
            out.append(_code(code, slide.path, line))
        elif is_exercise(fence.group("info")):
            prose.flush_into(out)
            out.append(_exercise_cell(code, slide.path, line, maker.solutions))
        else:
            language = info[0] if info and not info[0].startswith("[") else ""
            prose.parts.append(f"{fence.group('ticks')}{language}\n{code}\n{fence.group('ticks')}")
        position = fence.end()
    prose.add(slide.body[position:], out, slide.line + slide.body.count("\n", 0, position))
    notes = TOKEN_RE.sub("", _clean(slide.notes)).strip()
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
            self.parts.append(IMAGE.sub(self._attach, _clean(text[position : token.start()])))
            cell = self.maker.cell_for(int(token.group(1)), self.slide_path, line + text.count("\n", 0, token.start()))
            if cell.cell_type == "markdown":
                self.parts.append(cell.source)
                self.attachments.update(cell.get("attachments", {}))
            else:
                self.flush_into(out)
                out.append(cell)
            position = token.end()
        self.parts.append(IMAGE.sub(self._attach, _clean(text[position:])))

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

    def __init__(self, root: Path, results: dict, figures: dict[str, Path]):
        self.root, self.results, self.figures = root, results, figures
        self.snippets = index_snippets(root)
        self.producers = index_producers(root) if figures else {}
        self.pending: list[tuple] = []  # (kind, target, args) of each token, by number
        self.solutions = False  # exercises: the student's question (False) or the instructor's solution

    def lookup(self, key: tuple) -> str:
        """For Jinja: value() is its text; the other helpers leave a token where their cell goes."""
        if key[0] == "value":
            return self.results[key]
        self.pending.append(key)
        return TOKEN.format(len(self.pending) - 1)

    def cell_for(self, token: int, path: str, line: int):
        kind, target, args = self.pending[token]
        if kind == "snippet":
            return self.snippet_cell(target, path, line)
        if kind == "output":
            module, _, name = target.partition(":")
            return _code(f"from code_snippets.{module} import {name.split('.')[0]}\n\n{name}()", path, line)
        return self.figure_cell(target, dict(args).get("alt", ""), path, line)

    def snippet_cell(self, target: str, path: str, line: int):
        """A definition becomes code that runs; a piece of a function body is shown as Markdown code."""
        snippet = self.snippets.find(target, where=f"{path}:{line}")
        module, _, name = target.partition(":")
        if "." not in name and _defines_only(snippet.code):
            imports = _imports_for(snippet.code, self.root / snippet.path, module)
            return _code((imports + "\n\n\n" if imports else "") + snippet.code, path, line)
        return new_markdown_cell(f"`{snippet.path}`, line {snippet.first_line}:\n\n```python\n{snippet.code}\n```")

    def figure_cell(self, name: str, alt: str, path: str, line: int):
        """A code cell that draws the figure, or the build's picture when drawing it means training."""
        producer = self.producers[name]
        if not producer.inputs:
            return _code(f"import matplotlib.pyplot as plt\nfrom {producer.module} import {name}\n\n"
                         f"figure = {name}()\nplt.close(figure)  # shown once, below: pyplot would show it again\n"
                         "figure", path, line)
        needed = sorted(_needs(name, self.producers))
        modules: dict[str, list[str]] = {}
        for each in [name] + needed:
            modules.setdefault(self.producers[each].module, []).append(each)
        imports = "".join(f"from {module} import {', '.join(names)}\n" for module, names in modules.items())
        cell = new_markdown_cell(f"![{alt}](attachment:{name}.svg)\n\n*The figure as the build drew it: it needs "
                                 f"{', '.join(f'`{n}()`' for n in needed)}, which this notebook does not rerun. "
                                 f"To draw it here:*\n\n```python\n{imports}\n{_call(name, self.producers)}\n```")
        cell.attachments = {f"{name}.svg": _attachment(self.figures[f"figures/{name}.svg"])}
        return cell


def _code(source: str, path: str, line: int):
    """A code cell that remembers the slide it comes from, so that an error can name it."""
    return new_code_cell(source, metadata={"deckbuild": {"source": f"{path}:{line}"}})


def _exercise_cell(code: str, path: str, line: int, solutions: bool):
    """The solution for the instructor; for a student the question, tagged so that nbclient skips it."""
    try:
        exercise = question_and_solution(code)
    except MarkerError as error:
        raise DeckError(Problem(path, line + error.line, str(error))) from None
    if solutions:
        return _code(exercise.solution, path, line)
    cell = _code(exercise.question, path, line)
    cell.metadata["tags"] = ["exercise", "skip-execution"]
    return cell


def _clean(text: str) -> str:
    """Slide-only markup out: element attributes, attribute lists, layout <div>s."""
    return LAYOUT_TAG.sub("", ATTR_LIST.sub("", ELEMENT_ATTRS.sub("", text)))


def _attachment(file: Path) -> dict:
    data, mime = file.read_bytes(), MIME[file.suffix.lower()]
    return {mime: data.decode("utf-8") if mime == "image/svg+xml" else base64.b64encode(data).decode("ascii")}


def _defines_only(code: str) -> bool:
    """True when the code parses on its own and only defines functions and classes (or imports)."""
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return False
    allowed = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
    return bool(body) and all(isinstance(node, allowed) for node in body)


def _imports_for(code: str, module_file: Path, module: str) -> str:
    """Import lines for the module-level names this code uses: the module's own imports, or from the module."""
    tree = ast.parse(code)
    nodes = list(ast.walk(tree))
    bound = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    bound |= {n.name for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    bound |= {a.arg for n in nodes if isinstance(n, ast.arguments) for a in n.posonlyargs + n.args + n.kwonlyargs}
    free = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound - set(dir(builtins))
    lines: dict[str, list[str]] = {}  # "from x" or "import x" -> the names it brings, in the module's order
    for node in ast.parse(module_file.read_text(encoding="utf-8")).body:
        for name, head, item in _bindings(node, module):
            if name in free:
                free.discard(name)
                lines.setdefault(head, []).append(item)
    return "\n".join(f"{head} import {', '.join(items)}" if head.startswith("from") else head
                     for head, items in lines.items())


def _bindings(node: ast.stmt, module: str):
    """(name, import head, imported item) for each name a module's top-level statement binds."""
    own = f"from code_snippets.{module}"
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.asname or alias.name.split(".")[0], f"import {_spelled(alias)}", ""
    elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
        source = f"code_snippets{'.' + node.module if node.module else ''}" if node.level else node.module
        for alias in node.names:
            yield alias.asname or alias.name, f"from {source}", _spelled(alias)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name, own, node.name
    elif isinstance(node, (ast.Assign, ast.AnnAssign)):
        for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
            if isinstance(target, ast.Name):
                yield target.id, own, target.id


def _spelled(alias: ast.alias) -> str:
    return f"{alias.name} as {alias.asname}" if alias.asname else alias.name


def _needs(name: str, producers: dict) -> set[str]:
    """Every producer that `name` needs, directly or through others."""
    seen, todo = set(), list(producers[name].inputs)
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(producers[current].inputs)
    return seen


def _call(name: str, producers: dict) -> str:
    """The call that computes a producer from scratch: lenet_filters(trained_lenet=trained_lenet())."""
    return f"{name}({', '.join(f'{dep}={_call(dep, producers)}' for dep in producers[name].inputs)})"


def _executed_key(root: Path, notebook, cache: Cache) -> str:
    """What an executed notebook depends on: its cells, the deck code they import, data, Python, libraries."""
    code = tuple(cell.source for cell in notebook.cells if cell.cell_type == "code")
    return key_of("notebook", FORMAT, nbformat.writes(notebook), files_digest(root, deck_closure(root, [], code)),
                  data_fingerprint(root, cache), library_versions(), sys.executable)


def ensure_kernel() -> str:
    """The name of a Jupyter kernel that runs this very Python; installs ipykernel's spec here if needed."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    if find_spec("ipykernel") is None:
        raise DeckError(Problem("notebooks", 0, "ipykernel is not installed in this environment: run 'uv sync'"))
    plain = {"python", f"python{sys.version_info[0]}", f"python{sys.version_info[0]}.{sys.version_info[1]}"}

    def usable() -> bool:
        try:
            command = KernelSpecManager().get_kernel_spec(KERNEL["name"]).argv[0]
        except NoSuchKernel:
            return False
        # jupyter_client starts a spec whose command is a bare "python" with sys.executable
        return command in plain or os.path.abspath(command) == os.path.abspath(sys.executable)

    if not usable():
        subprocess.run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix"], check=True, capture_output=True)
        if not usable():
            raise DeckError(Problem("notebooks", 0, f"the Jupyter kernel '{KERNEL['name']}' runs another Python than "
                                                    f"{sys.executable}; remove that kernel spec"))
    return KERNEL["name"]


def execute_notebook(notebook, folder: Path, kernel: str, timeout: float) -> None:
    """Run every cell in a fresh kernel started in `folder`; a failing cell is a DeckError at its slide."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    client = NotebookClient(notebook, timeout=int(timeout), kernel_name=kernel, record_timing=False,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],  # not its TCP warning on every run
                            resources={"metadata": {"path": str(folder)}})
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        ran = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.execution_count]
        failed = next((c for c in ran if any(o.output_type == "error" for o in c.outputs)), ran[-1] if ran else None)
        where = failed.metadata["deckbuild"]["source"] if failed else "notebooks:0"
        errors = [o for o in failed.outputs if o.output_type == "error"] if failed else []
        if errors:
            message = f"{errors[0].ename}: {errors[0].evalue}"
        elif isinstance(error, CellTimeoutError):
            message = f"it did not finish within {timeout:g} s (deck.toml: timeout)"
        else:
            message = f"the kernel died ({type(error).__name__})"
        path, _, line = where.rpartition(":")
        raise DeckError(Problem(path, int(line), f"notebook cell failed: {message}")) from None


def _write_atomically(path: Path, notebook) -> None:
    """Validate, write next to the target, rename: a half-written notebook is never left behind."""
    nbformat.validate(notebook)
    temporary = path.with_name(f".{path.name}.tmp")
    nbformat.write(notebook, str(temporary))
    os.replace(temporary, path)
