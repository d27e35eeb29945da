"""The second deck, tests/decks/optimizers: written from the README alone, it uses every documented
feature with a theme of its own. Built, checked and exported through the command line as a user
runs it, on a copy in a temporary folder (pdf and notebooks write into DECK/build, the cache into
DECK/.cache). Its CRLF, CR and BOM copies must build to a byte-identical site.
"""
from __future__ import annotations

import ast
import contextlib
import html as htmllib
import importlib.util
import inspect
import io
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest
from pypdf import PdfReader

from conftest import ROOT, open_deck, run_cli
from slide_layout import MEASURE, SETTLED, slide_indices

DECK = ROOT / "tests" / "decks" / "optimizers"
SLIDE_COUNT = 17  # the title slide, 7 + 6 + 3 written ones (two of them vertical)


def copy_deck(dest: Path) -> Path:
    """The deck without anything a build left in it, so every copy starts cold."""
    return Path(shutil.copytree(DECK, dest, ignore=shutil.ignore_patterns(".cache", "build", "__pycache__")))


def deck_module():
    """The deck's own code_snippets/optim.py, under a name that cannot clash with the lecture's package."""
    spec = importlib.util.spec_from_file_location("second_deck_optim", DECK / "code_snippets" / "optim.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # inspect finds a class's source through sys.modules
    spec.loader.exec_module(module)
    return module


def producer_docstring(name: str) -> str:
    """A producer's docstring in figures_src/runs.py, read without importing the deck's packages."""
    tree = ast.parse((DECK / "figures_src" / "runs.py").read_text(encoding="utf-8"))
    return next(ast.get_docstring(f) for f in tree.body if isinstance(f, ast.FunctionDef) and f.name == name)


def break_exec_block(deck: Path) -> str:
    """Make the gradient check of 01's ```python exec block fail, in whatever encoding the file has;
    returns the message `check` must give (the fence's line, then the failing line)."""
    slide = deck / "slides" / "01_gradient_descent.md"
    good, bad = b"rtol=1e-6), (numeric", b"rtol=1e-6) and False, (numeric"
    assert slide.read_bytes().count(good) == 1
    slide.write_bytes(slide.read_bytes().replace(good, bad))
    text = (DECK / "slides" / "01_gradient_descent.md").read_text(encoding="utf-8")
    fence = text.split("```python exec")[0].count("\n") + 1
    failing = text.split("assert np.allclose")[0].count("\n") + 1
    return (f"slides/01_gradient_descent.md:{fence}: python exec block failed: "
            f"slides/01_gradient_descent.md:{failing}: AssertionError")


def site_files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_the_deck_code_teaches_true_things():
    optim = deck_module()
    # "With beta = 0 this is plain gradient descent": step for step, bit for bit (0.0 * v + g == g).
    assert np.array_equal(optim.run(optim.Momentum(lr=0.05, beta=0.0)), optim.run(optim.SGD(lr=0.05)))
    # "diverges for eta > 2 / curvature": 1 % under the bound shrinks the loss, 1 % over it explodes.
    bound, start = optim.largest_stable_lr(), optim.loss(optim.START)
    assert optim.loss(optim.run(optim.SGD(bound * 0.99), steps=2000)[-1]) < 1e-6 * start
    assert optim.loss(optim.run(optim.SGD(bound * 1.01), steps=200)[-1]) > 10 * start
    # Adam's first step is lr in every coordinate: bias correction makes it lr * g / (|g| + eps),
    # off by eps / |g| <= 1e-8 / 4 here.
    first = optim.Adam(lr=0.3).step(optim.START, optim.grad(optim.START))
    assert np.allclose(np.abs(first - optim.START), 0.3, rtol=1e-8, atol=0)
    assert optim.halfway_cosine_lr() == pytest.approx(0.05, rel=1e-12)  # cos(pi/2) is 6e-17, not 0


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A cold build of a fresh copy, timed."""
    root = copy_deck(tmp_path_factory.mktemp("second") / "optimizers")
    site = root.parent / "site"
    start = time.perf_counter()
    result = run_cli("build", "--deck", str(root), "--out", str(site))
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    return SimpleNamespace(root=root, site=site, html=(site / "index.html").read_text(encoding="utf-8"), seconds=seconds)


def test_cold_build_is_fast(built):
    # Measured at ~4 s on 2 busy cores; three times the brief's 20 s budget only fails when someone
    # puts real training into this deck.
    assert built.seconds < 60, f"cold build took {built.seconds:.1f} s"


def test_slides_and_deck_toml(built):
    html = built.html
    leaves = re.findall(r"<section(?![^>]*class=\"stack\")[^>]*>", html)
    assert len(leaves) == SLIDE_COUNT
    for text in ["Gradient descent and its friends", "SGD, momentum, Adam and learning-rate schedules",
                 "A. Newcomer", "Department of Examples, University of Testing", "Winter term 2026"]:
        assert text in html.split("</section>")[0], text  # all on the title slide
    assert '"transition": "fade"' in html and '"slideNumber": "c/t"' in html and '"hash": true' in html
    assert '<html lang="en-GB">' in html
    notebooks = "github.com/example-org/optimizers-course/blob/main/notebooks"
    for name in ["01_gradient_descent", "02_adaptive", "03_schedules"]:
        assert f'data-notebook="https://{notebooks}/{name}.ipynb"' in html
        assert f'href="https://colab.research.google.com/github/{notebooks.removeprefix("github.com/")}/{name}.ipynb"' in html
    drawings = re.search(r'<script type="application/json" id="saved-drawings">(.*?)</script>', html, re.S)
    assert drawings and json.loads(drawings.group(1)) == json.loads((DECK / "board.json").read_text())


def test_theme_extends_dark(built):
    links = re.findall(r'<link rel="stylesheet" href="theme/(\w+)\.css">', built.html)
    assert links == ["lecture", "dark", "chalk"]  # base first, so the deck's own rules win
    own = (built.site / "theme" / "chalk.css").read_text(encoding="utf-8")
    assert "#1f3a2e" in own and "dashed" in own


def test_slide_syntax(built):
    html = built.html
    assert 'data-steps="1|2-3|4"' in html  # ```python norun [1|2-3|4]
    assert html.count('class="katex-display"') == 2 and html.count('class="katex"') >= 8
    assert "$" not in re.sub(r"<[^>]+>", "", html.split("<aside")[0])  # no TeX left raw
    assert "<table>" in html and "<th>optimizer</th>" in html
    assert '<div class="columns">' in html
    assert '<p class="fragment"><img alt="A saddle point' in html and 'src="media/slides/saddle.png"' in html
    assert (built.site / "media" / "slides" / "saddle.png").read_bytes() == (DECK / "slides" / "saddle.png").read_bytes()
    assert '<video src="media/slides/media/descent.webm" data-autoplay loop muted>' in html
    assert (built.site / "media" / "slides" / "media" / "descent.webm").read_bytes() == \
        (DECK / "slides" / "media" / "descent.webm").read_bytes()
    assert 'data-background-color="#2b2b2b"' in html and 'data-background-color="#102030"' in html
    for needle in ['<p class="ref">', '<p class="pl">', '<div class="goody">', '<p class="question">',
                   '<p class="small">', '<p class="tiny">', 'class="center"', 'class="section"']:
        assert needle in html, needle
    assert html.count('<aside class="notes">') == 12
    assert "Start from what they know" in html.split('<aside class="notes">')[1]
    assert "gradient matches finite differences" in html  # the exec block is shown


def lines_in_class(cls, member) -> str:
    """'first-last' of a member's lines, counted from the class's first line (reveal.js line steps)."""
    lines, start = inspect.getsourcelines(getattr(cls, member))
    first = start - inspect.getsourcelines(cls)[1] + 1
    return f"{first}-{first + len(lines) - 1}"


def test_every_helper(built):
    html, optim = built.html, deck_module()
    source = (DECK / "code_snippets" / "optim.py").read_text(encoding="utf-8").splitlines()
    region = source.index("# [start:valley]") + 2  # the region's first line, the marker not shown
    assert f'<figcaption class="code-caption">code_snippets/optim.py:{region}<' in html  # caption=True
    assert "CURVATURE" in html and "[start:valley]" not in html
    steps = f'{lines_in_class(optim.Momentum, "__init__")}|{lines_in_class(optim.Momentum, "step")}'
    assert f'data-steps="{steps}"' in html  # steps=["__init__", "step"]
    adam_step = inspect.getsourcelines(optim.Adam.step)[1]
    assert f'<figcaption class="code-caption">code_snippets/optim.py:{adam_step}<' in html
    assert "step_decay" in html and "[end:schedules]" not in html
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        optim.compare_optimizers()
    output = re.search(r'<pre class="output">(.*?)</pre>', html, re.S).group(1)
    assert htmllib.unescape(re.sub(r"<[^>]+>", "", output)).strip() == printed.getvalue().strip()
    assert f"{optim.condition_number():.0f} times steeper" in html
    assert f"{optim.halfway_cosine_lr():.3f}." in html
    losses = {name: optim.loss(optim.run(cls())[-1]) for name, cls in
              [("SGD", optim.SGD), ("Momentum", optim.Momentum), ("Adam", optim.Adam)]}
    assert "loss after 60 steps" in html  # value("optimizer_runs.steps"): an artifact's key
    assert f"<td>{losses['SGD']:.1e}</td>" in html and f"<td>{losses['Adam']:.1e}</td>" in html
    assert f"Best here: {min(losses, key=losses.get)}." in html
    alt_from_docstring = " ".join(producer_docstring("lr_schedules").split("Alt:")[1].split())
    for name, classes, alt, width in [
            ("trajectories", "figure", "Paths of SGD, momentum and Adam over the contour lines of the valley", 75),
            ("loss_curves", "figure framed", "Loss against step on a log scale for the three optimizers", 70),
            ("lr_schedules", "figure", alt_from_docstring, 50)]:
        assert f'<img class="{classes}" src="figures/{name}.svg" alt="{alt}" style="width:{width}%" />' in html
        assert (built.site / "figures" / f"{name}.svg").read_bytes().startswith(b"<?xml")
    assert 'data-steps="1-2|5-6"' in html  # snippet(..., steps="1-2|5-6"): line steps of a region
    shown = re.sub(r"<[^>]+>", "", html)
    assert "...  # your code here" in shown and "return w - lr * g" in shown  # question, then solution


def test_in_the_browser_offline_with_the_theme(built, chromium):
    page = open_deck(chromium, built.site / "index.html")
    try:
        assert page.evaluate("Reveal.getTotalSlides()") == SLIDE_COUNT
        assert page.console_errors == []
        assert [url for url in page.requests if not url.startswith("file://")] == []
        style = "([sel, prop]) => getComputedStyle(document.querySelector(sel))[prop]"
        assert page.evaluate(style, [".reveal-viewport", "backgroundColor"]) == "rgb(31, 58, 46)"  # chalk
        assert page.evaluate(style, [".reveal h2", "borderBottomStyle"]) == "dashed"  # chalk
        assert page.evaluate(style, [".reveal h1", "color"]) == "rgb(255, 255, 255)"  # dark, inherited
        assert page.evaluate(style, [".reveal pre.code code", "backgroundColor"]) == "rgb(30, 38, 51)"  # dark
        assert page.evaluate(style, ["img.figure.framed", "borderTopColor"]) == "rgb(242, 227, 148)"  # cls="framed"
        drawn = page.evaluate("JSON.parse(RevealChalkboard.getData())[0].data[0].events.length")
        assert drawn == 20  # board.json's stroke, loaded
        page.evaluate("() => Reveal.slide(5, 1)")  # the video slide: data-autoplay starts it
        page.wait_for_function("document.querySelector('.present video').currentTime > 0.2")
        overflowing = {}
        for h, v in slide_indices(page):
            page.evaluate(f"() => Reveal.slide({h}, {v}, 999)")  # the final fragment state
            page.wait_for_function(SETTLED)
            if problems := page.evaluate(MEASURE):
                overflowing[f"{h}.{v}"] = problems
        assert overflowing == {}
    finally:
        page.close()


def test_check_runs_every_block(built, tmp_path):
    ok = run_cli("check", "--deck", str(built.root))
    assert ok.returncode == 0 and "all good" in ok.stdout + ok.stderr, ok.stdout + ok.stderr
    message = break_exec_block(copy_deck(tmp_path / "broken"))
    bad = run_cli("check", "--deck", str(tmp_path / "broken"))
    assert bad.returncode == 1 and message in bad.stdout + bad.stderr, bad.stdout + bad.stderr


def test_pdf_and_handout(built):
    for args in [("pdf",), ("pdf", "--handout")]:
        result = run_cli(*args, "--deck", str(built.root))
        assert result.returncode == 0, result.stdout + result.stderr
    slides, handout = PdfReader(built.root / "build" / "deck.pdf"), PdfReader(built.root / "build" / "handout.pdf")
    assert len(slides.pages) == SLIDE_COUNT
    notes = "Start from what they know"
    assert notes in "".join(p.extract_text() for p in handout.pages)
    assert notes not in "".join(p.extract_text() for p in slides.pages)


@pytest.fixture(scope="module")
def notebooks(built) -> Path:
    """`build.py notebooks` on the built copy: its build/notebooks folder."""
    result = run_cli("notebooks", "--deck", str(built.root))
    assert result.returncode == 0, result.stdout + result.stderr
    return built.root / "build" / "notebooks"


def test_notebooks_executed(notebooks):
    out = notebooks
    books = {str(p.relative_to(out)): nbformat.read(p, 4) for p in out.rglob("*.ipynb")}
    # README: "slide files with exercises also get an instructor notebook"; only 02 has one
    # (03 merely says the word in a note).
    assert sorted(books) == ["01_gradient_descent.ipynb", "02_adaptive.ipynb", "03_schedules.ipynb",
                             "instructor/02_adaptive.ipynb"]
    for name, book in books.items():
        for cell in book.cells:
            if cell.cell_type != "code":
                continue
            assert not any(o.output_type == "error" for o in cell.outputs), (name, cell.source)
            question = "# your code here" in cell.source
            assert (cell.execution_count is None) == question, (name, cell.source)  # questions stay unrun
    printed = lambda book: "".join(o.get("text", "") for c in book.cells if c.cell_type == "code" for o in c.outputs)
    assert "gradient matches finite differences" in printed(books["01_gradient_descent.ipynb"])
    assert "Momentum  loss  19.25" in printed(books["02_adaptive.ipynb"])
    assert any("return w - lr * g" in c.source and c.execution_count for c in books["instructor/02_adaptive.ipynb"].cells)
    assert any("# your code here" in c.source for c in books["02_adaptive.ipynb"].cells)


def test_make_check_runs_the_student_notebooks(notebooks):
    """What `make check` does after exporting: every student notebook through nbval, top to bottom.
    The exercise's question (`...` and the assert that checks the student's answer) must not count
    as a failure: students are meant to fill it in."""
    books = sorted(str(p) for p in notebooks.glob("*.ipynb"))
    result = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q", *books],
                            cwd=notebooks, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


ENCODINGS = {
    "crlf": lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    "cr": lambda text: text.replace("\n", "\r").encode("utf-8"),
    "bom": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "bom-crlf": lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_editor_encodings_build_the_same_site(built, tmp_path, encoding):
    copy = copy_deck(tmp_path / "optimizers")
    slides = sorted((copy / "slides").glob("*.md"))
    assert len(slides) == 3
    for slide in slides:
        slide.write_bytes(ENCODINGS[encoding](slide.read_text(encoding="utf-8")))
    result = run_cli("build", "--deck", str(copy), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stdout + result.stderr
    original, converted = site_files(built.site), site_files(tmp_path / "site")
    assert sorted(converted) == sorted(original)
    assert converted["index.html"].decode() == original["index.html"].decode()
    assert [name for name in original if converted[name] != original[name]] == []
    # The same site is not enough: with CRLF the exec blocks were once shown but never run.
    message = break_exec_block(copy)
    bad = run_cli("check", "--deck", str(copy))
    assert bad.returncode == 1 and message in bad.stdout + bad.stderr, bad.stdout + bad.stderr


def test_every_file_saved_by_a_windows_editor(built, tmp_path):
    """Not only the slides: modules, deck.toml and the theme (its css and `extends`) in CRLF with a BOM
    (board.json is written by the browser, not an editor). The theme's css may be copied as written."""
    copy = copy_deck(tmp_path / "optimizers")
    edited = [p for p in copy.rglob("*") if p.is_file() and (p.suffix in {".md", ".py", ".toml", ".css"} or p.name == "extends")]
    assert len(edited) == 11  # deck.toml, 3 slides, 5 modules, theme.css, extends
    for path in edited:
        path.write_bytes(ENCODINGS["bom-crlf"](path.read_text(encoding="utf-8")))
    result = run_cli("build", "--deck", str(copy), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stdout + result.stderr
    original, converted = site_files(built.site), site_files(tmp_path / "site")
    assert sorted(converted) == sorted(original)
    css = "theme/chalk.css"
    assert converted.pop(css).decode("utf-8-sig").replace("\r\n", "\n") == original.pop(css).decode()
    assert [name for name in original if converted[name] != original[name]] == []
