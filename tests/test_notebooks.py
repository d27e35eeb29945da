"""Student notebooks of a tiny deck: prose, math and code cells in slide order, executed, and passing
`pytest --nbval-lax`; a cell that fails in Jupyter is reported at its slide."""
from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata

import nbformat
import pytest

from conftest import write_files
from deckbuild.errors import DeckError
from deckbuild.notebooks import export_notebooks
from notebook_alone import nbval_summary, reads_under, run_alone, written_modules

NUMBERS = '''\
import math

SCALE = 3


def triple(x):
    """x times SCALE."""
    return SCALE * x


def show_triples():
    for x in range(3):
        print(f"triple({x}) = {triple(x)}")


def circle_area(r):
    # [start:area]
    area = math.pi * r ** 2
    # [end:area]
    return area


def answer():
    return 42
'''

PLOTS = '''\
import matplotlib.pyplot as plt


def squares_figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2, 3], [0, 1, 4, 9])
    return fig


def fitted(progress=None):
    return {"slope": 2.5, "points": [0.0, 2.5, 5.0]}


def fitted_line(fitted):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot(fitted["points"])
    return fig
'''

INTRO = """\
## Tripling numbers

- the answer is {{ value("numbers:answer") }}
- tripling comes later <!-- .element: class="fragment" -->

$$
\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}
$$

Note:
Speak about tripling slowly.

---

## The code of triple

{{ snippet("numbers:triple") }}

{{ output("numbers:show_triples") }}

---

## Area of a circle

{{ snippet("numbers:area") }}

```python exec
from code_snippets.numbers import triple
print("exec says", triple(5))
```

```python exercise
def quadruple(x):
    ### BEGIN SOLUTION
    return 4 * x
    ### END SOLUTION
```
"""

FIGURES = """\
## Squares

{{ figure("squares_figure", alt="y equals x squared") }}

![a black square](square.svg)

---

## A fitted line, slope {{ value("fitted.slope") }}

{{ figure("fitted_line", alt="the fitted line") }}
"""

DECK = {
    "deck.toml": 'title = "Notebook test deck"\n',
    "code_snippets/__init__.py": "",
    "code_snippets/numbers.py": NUMBERS,
    "figures_src/__init__.py": "",
    "figures_src/plots.py": PLOTS,
    "slides/01_numbers.md": INTRO,
    "slides/02_figures.md": FIGURES,
    "slides/square.svg": "<svg xmlns='http://www.w3.org/2000/svg' width='9' height='9'><rect width='9' height='9'/></svg>",
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    deck = write_files(tmp_path_factory.mktemp("notebooks") / "deck", DECK)
    paths = export_notebooks(deck)
    students = [path for path in paths if path.parent.name != "instructor"]
    return deck, students, [nbformat.read(path, as_version=4) for path in students]


def test_only_a_slide_file_with_an_exercise_gets_an_instructor_notebook(exported):
    deck, _, _ = exported
    made = sorted(p.relative_to(deck).as_posix() for p in (deck / "build" / "notebooks").rglob("*.ipynb"))
    assert made == ["build/notebooks/01_numbers.ipynb", "build/notebooks/02_figures.ipynb",
                    "build/notebooks/instructor/01_numbers.ipynb"]


def test_students_get_the_question_unrun_and_instructors_the_solution_run(exported):
    deck, _, (student, _) = exported
    instructor = nbformat.read(deck / "build/notebooks/instructor/01_numbers.ipynb", as_version=4)
    question = next(cell for cell in student.cells if "quadruple" in cell.source)
    assert question.source == "def quadruple(x):\n    ...  # your code here"
    assert question.metadata.tags == ["exercise", "skip-execution", "nbval-skip"] and question.outputs == []
    assert "4 * x" not in nbformat.writes(student)
    solution = next(cell for cell in instructor.cells if "quadruple" in cell.source)
    assert solution.source == "def quadruple(x):\n    return 4 * x"
    assert solution.execution_count is not None


def sources(notebook, kind: str) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == kind]


def body_code(notebook) -> list:
    """The code cells after the folded set-up cells."""
    return [cell for cell in notebook.cells if cell.cell_type == "code" and "jupyter" not in cell.metadata]


def outputs(cell) -> str:
    return "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs)


def test_one_executed_notebook_per_slide_file(exported):
    deck, paths, notebooks = exported
    assert [p.relative_to(deck).as_posix() for p in paths] == ["build/notebooks/01_numbers.ipynb",
                                                               "build/notebooks/02_figures.ipynb"]
    for notebook in notebooks:
        nbformat.validate(notebook)
        assert notebook.metadata.kernelspec.name == "python3"
        run = [cell for cell in notebook.cells if cell.cell_type == "code" and "exercise" not in cell.metadata.get("tags", [])]
        assert [cell.execution_count for cell in run] == list(range(1, len(run) + 1))


def test_first_cells_say_what_the_notebook_is_and_what_it_needs(exported):
    _, _, (notebook, figures) = exported
    readme, setup = notebook.cells[:2]
    assert readme.cell_type == "markdown" and readme.source.startswith("# Tripling numbers\n")
    assert "*Notebook test deck*, section 1 of 2: the text and the code of `slides/01_numbers.md`" in readme.source
    assert "Exercises are yours to solve" in readme.source
    python = ".".join(map(str, sys.version_info[:2]))
    assert f"**What it needs:** Python {python}, nothing else." in readme.source  # the standard library only
    assert "(`code_snippets/numbers.py`)" in readme.source
    pip = re.search(r"```\npip install (.*)\n```", figures.cells[0].source).group(1).split()
    assert [p.split("==")[0] for p in pip] == ["matplotlib"]
    assert pip[0] == f"matplotlib=={metadata.version('matplotlib').split('+')[0]}"
    assert setup.cell_type == "code" and setup.metadata.jupyter.source_hidden and setup.metadata.cellView == "form"
    assert "MODULES = {" in setup.source and "if deck is None:" in setup.source


def test_prose_keeps_math_values_and_notes_and_drops_slide_markup(exported):
    _, _, (notebook, _) = exported
    first = sources(notebook, "markdown")[1]
    assert first.startswith("## Tripling numbers\n\n- the answer is 42\n- tripling comes later\n")
    assert "$$\n\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}\n$$" in first
    assert "> Speak about tripling slowly." in first
    assert "<!--" not in first and "{{" not in first


def test_snippets_outputs_and_exec_fences_become_cells(exported):
    _, _, (notebook, _) = exported
    code = [cell for cell in notebook.cells if cell.cell_type == "code"][1:]  # after the set-up cell
    assert [cell.source for cell in code] == [
        'from code_snippets.numbers import SCALE\n\n\ndef triple(x):\n    """x times SCALE."""\n    return SCALE * x',
        "from code_snippets.numbers import show_triples\n\nshow_triples()",
        'from code_snippets.numbers import triple\nprint("exec says", triple(5))',
        "def quadruple(x):\n    ...  # your code here",
    ]
    assert outputs(code[1]) == "triple(0) = 0\ntriple(1) = 3\ntriple(2) = 6\n"
    assert outputs(code[2]) == "exec says 15\n"
    region = next(s for s in sources(notebook, "markdown") if s.startswith("## Area of a circle"))
    assert "`code_snippets/numbers.py`, line 18:\n\n```python\narea = math.pi * r ** 2\n```" in region


def test_figures_are_drawn_and_trained_inputs_come_from_the_build(exported):
    _, _, (_, notebook) = exported
    drawn = next(cell for cell in body_code(notebook) if "squares_figure()" in cell.source)
    assert [o.output_type for o in drawn.outputs] == ["execute_result"]  # shown once, not twice
    assert "image/png" in drawn.outputs[0].data
    results = notebook.cells[2]
    assert results.source.startswith("#@title The build's results") and results.metadata.jupyter.source_hidden
    assert '"fitted": """' in results.source
    refit = next(cell for cell in body_code(notebook) if "fitted_line(" in cell.source)
    assert 'figure = fitted_line(fitted=build_result("fitted"))' in refit.source
    assert "# fitted: the build's result; fitted() from figures_src.plots recomputes it" in refit.source
    assert "image/png" in refit.outputs[0].data
    own = next(cell for cell in notebook.cells if "attachment:square.svg" in cell.source)
    assert own.source == "![a black square](attachment:square.svg)"  # the slide's own image travels along
    assert own.attachments["square.svg"]["image/svg+xml"] == DECK["slides/square.svg"]


def test_nbval_lax_passes_on_the_exported_notebooks(exported):
    deck, paths, notebooks = exported
    run = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", *map(str, paths), "-p", "no:cacheprovider",
                          "-q"], capture_output=True, text=True, cwd=deck)
    assert run.returncode == 0, run.stdout + run.stderr
    assert nbval_summary(*notebooks) in run.stdout


def test_a_cell_failing_in_jupyter_is_reported_at_its_slide(tmp_path):
    slides = ('## Only outside Jupyter\n\n```python exec\nimport sys\nif "ipykernel" in sys.modules:\n'
              '    raise RuntimeError("this code refuses to run in Jupyter")\nprint("outside Jupyter")\n```\n')
    deck = write_files(tmp_path / "deck", {"deck.toml": 'title = "T"\n', "code_snippets/__init__.py": "",
                                           "figures_src/__init__.py": "", "slides/01_a.md": slides})
    with pytest.raises(DeckError) as caught:
        export_notebooks(deck)
    assert str(caught.value) == "slides/01_a.md:3: notebook cell failed: RuntimeError: this code refuses to run in Jupyter"
    assert not (deck / "build" / "notebooks" / "01_a.ipynb").exists()


# Run alone: each student notebook copied into an empty folder, offline, the deck out of reach.

WRITTEN = {"01_numbers": {"code_snippets/__init__.py", "code_snippets/numbers.py"},
           "02_figures": {"figures_src/__init__.py", "figures_src/plots.py"}}


def test_each_notebook_runs_alone_offline_and_reads_nothing_of_the_deck(exported, tmp_path):
    deck, paths, notebooks = exported
    assert not (deck / "build" / "notebooks" / "code_snippets").exists()  # inside the deck: the deck's own code
    instructor = deck / "build" / "notebooks" / "instructor" / "01_numbers.ipynb"  # instructors download theirs too
    for path, notebook in [*zip(paths, notebooks), (instructor, nbformat.read(instructor, as_version=4))]:
        run = run_alone(path, tmp_path / f"{path.parent.name}-{path.stem}", idx_from=None, hide=[deck], timeout=300)
        assert run.result.returncode == 0, run.result.stdout + run.result.stderr
        assert nbval_summary(notebook) in run.result.stdout
        assert run.folder / path.name in run.opened  # the audit log works: it saw the notebook read
        assert reads_under(run, deck) == []
        # The set-up cell wrote exactly the modules the notebook imports, and each one was imported.
        assert written_modules(run.folder) == WRITTEN[path.stem]
        assert {run.folder / name for name in WRITTEN[path.stem]} <= run.opened


def test_rerunning_the_set_up_cell_is_harmless_and_keeps_a_students_edit(exported, tmp_path):
    from deckbuild.notebook_kernel import ensure_kernel, execute_notebook

    _, _, (notebook, _) = exported
    setup = notebook.cells[1].source
    edit = 'from pathlib import Path\n_ = Path("code_snippets/numbers.py").write_text("SCALE = 4\\n")'
    check = "import importlib, code_snippets.numbers\nprint(importlib.reload(code_snippets.numbers).SCALE)"
    cells = [setup, setup, edit, setup, check]
    run = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells],
                                   metadata={"kernelspec": notebook.metadata.kernelspec})
    execute_notebook(run, tmp_path, ensure_kernel(), 120)
    printed = [outputs(cell) for cell in run.cells]
    assert printed == ["", "", "", "kept your own code_snippets/numbers.py: it differs from the lecture's\n", "4\n"]
    assert written_modules(tmp_path) == WRITTEN["01_numbers"]
