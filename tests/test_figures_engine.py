"""figures_src producers: static index, cache keys, redraw rules, byte-identical SVGs, error texts."""
from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from deckbuild.cache import Cache
from deckbuild.errors import DeckError
from jobs_ran import execute_recorded
from deckbuild.figures import index_producers
from deckbuild.model import Ref

ENGINE = Path(__file__).resolve().parents[1]


def make_deck(root: Path, files: dict[str, str]) -> Path:
    """A deck folder from {relative path: text}, with the packages and deck.toml it always needs."""
    base = {"deck.toml": "", "code_snippets/__init__.py": "", "figures_src/__init__.py": ""}
    for name, text in {**base, **files}.items():
        edit(root, name, text)
    return root


def edit(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def run(deck: Path, refs: list[Ref], cache: Cache | None = None, **options):
    options.setdefault("progress", False)
    return execute_recorded(deck, refs, cache or Cache(deck / ".cache"), **options)


def errors(deck: Path, refs: list[Ref], **options) -> list[str]:
    with pytest.raises(DeckError) as caught:
        run(deck, refs, **options)
    return [str(p) for p in caught.value.problems]


# A deck without torch (so its worker starts fast): an artifact and two figures that plot it.
WALK = {
    "code_snippets/walk.py": """\
        import random


        def random_walk(n):
            position, path = 0, []
            for _ in range(n):
                position += random.choice((-1, 1))
                path.append(position)
            return path
    """,
    "figures_src/_style.py": "COLOR = 'tab:blue'\n",
    "figures_src/walks.py": """\
        from code_snippets.walk import random_walk

        STEPS = 50


        def walk(progress=None):
            path = random_walk(STEPS)
            if progress:
                progress(1, 1, "walk")
            return {"path": path, "final": path[-1], "label": "walk"}
    """,
    "figures_src/plots.py": """\
        from matplotlib.figure import Figure

        from figures_src._style import COLOR


        def walk_line(walk):
            fig = Figure(figsize=(4, 3))
            fig.subplots().plot(walk["path"], color=COLOR)
            return fig


        def walk_hist(walk):
            fig = Figure(figsize=(4, 3))
            fig.subplots().hist(walk["path"], color=COLOR)
            return fig
    """,
}
FIGURES = [Ref("figure", "walk_line", "slides/01_a.md", 3), Ref("figure", "walk_hist", "slides/01_a.md", 9)]
FINAL = Ref("value", "walk.final", "slides/01_a.md", 12)


def expected_final() -> int:
    """The walk's end point, computed here from the same seed."""
    random.seed(0)
    return sum(random.choice((-1, 1)) for _ in range(50))


def test_index_finds_producers_and_their_inputs(tmp_path):
    producers = index_producers(make_deck(tmp_path, WALK))
    assert sorted(producers) == ["walk", "walk_hist", "walk_line"]
    walk, line = producers["walk"], producers["walk_line"]
    assert (walk.path, walk.line, walk.params, walk.module) == ("figures_src/walks.py", 6, ("progress",), "figures_src.walks")
    assert (line.path, line.line, line.params, line.inputs) == ("figures_src/plots.py", 6, ("walk",), ("walk",))


def test_source_keys_follow_exactly_the_code_that_runs(tmp_path):
    deck = make_deck(tmp_path, WALK)

    def keys():
        return {name: p.source_key for name, p in index_producers(deck).items()}

    def changed(name: str, old: str, new: str) -> set[str]:
        before = keys()
        path = deck / name
        path.write_text(path.read_text().replace(old, new, 1))
        after = keys()
        return {n for n in before if before[n] != after[n]}

    assert changed("figures_src/plots.py", "walk['path'], color".replace("'", '"'), 'walk["path"][::2], color') == {"walk_line"}
    assert changed("figures_src/_style.py", "tab:blue", "tab:red") == {"walk_line", "walk_hist"}
    assert changed("figures_src/plots.py", "from matplotlib", "import math\nfrom matplotlib") == {"walk_line", "walk_hist"}
    assert changed("code_snippets/walk.py", "(-1, 1)", "(-2, 2)") == {"walk"}
    assert changed("figures_src/walks.py", "STEPS = 50", "STEPS = 60") == {"walk"}


def test_index_errors_name_the_definition(tmp_path):
    deck = make_deck(tmp_path, {
        "figures_src/a.py": "def shared():\n    return 1\n\n\ndef loop_a(loop_b):\n    return 1\n",
        "figures_src/b.py": (
            "def shared():\n    return 2\n\n\ndef loop_b(loop_a):\n    return 2\n\n\n"
            "def typo(sharde, device='cpu'):\n    return 3\n\n\ndef many(*inputs):\n    return 4\n"
        ),
        "figures_src/_private.py": "def shared():\n    return 3\n",
    })
    with pytest.raises(DeckError) as caught:
        index_producers(deck)
    assert [str(p) for p in caught.value.problems] == [
        "figures_src/a.py:5: producers depend on each other in a cycle: loop_a -> loop_b -> loop_a",
        "figures_src/b.py:1: producer 'shared' is also defined at figures_src/a.py:1",
        "figures_src/b.py:9: producer 'typo' takes 'sharde', which is no producer "
        "(producers: shared, loop_a, loop_b, many; the engine supplies device, progress)",
        "figures_src/b.py:13: producer 'many' takes *args or **kwargs; name each input instead",
    ]


def test_figures_are_cached_and_redrawn_only_when_their_code_changes(tmp_path, capsys):
    deck = make_deck(tmp_path, WALK)
    refs = FIGURES + [FINAL]
    cold = run(deck, refs)
    assert cold.ran == ["walk", "walk_line", "walk_hist"]
    assert cold.value(FINAL) == expected_final()
    assert cold.figure(FIGURES[0]).read_bytes().startswith(b"<?xml")
    err = capsys.readouterr().err
    assert "computing walk: walk 1/1" in err
    assert re.search(r"^drew walk_line \(\d+\.\d s\)$", err, re.M)

    assert run(deck, refs).ran == []

    # Restyling one figure redraws it alone; the artifact comes from the cache.
    edit(deck, "figures_src/plots.py", WALK["figures_src/plots.py"].replace("color=COLOR", "color='black'", 1))
    assert run(deck, refs).ran == ["walk_line"]

    # Changing the code the artifact is computed with recomputes it and redraws every figure using it.
    edit(deck, "code_snippets/walk.py", WALK["code_snippets/walk.py"].replace("import random", "import random  # edited"))
    assert run(deck, refs).ran == ["walk", "walk_line", "walk_hist"]

    # A corrupt artifact is detected when a figure needs it, and recomputed.
    for artifact in (deck / ".cache" / "artifact").glob("*/*"):
        artifact.write_bytes(random.Random(2).randbytes(300))
    edit(deck, "figures_src/_style.py", "COLOR = 'tab:green'\n")
    capsys.readouterr()
    again = run(deck, refs)
    assert "warning: corrupt cache entry" in capsys.readouterr().err
    assert again.ran == ["walk", "walk_line", "walk_hist"]
    assert again.value(FINAL) == expected_final()


def test_two_cold_builds_give_identical_svg(tmp_path):
    deck = make_deck(tmp_path, WALK)
    first = run(deck, FIGURES, Cache(tmp_path / "cache1"))
    second = run(deck, FIGURES, Cache(tmp_path / "cache2"))
    for ref in FIGURES:
        svg = first.figure(ref).read_bytes()
        assert svg == second.figure(ref).read_bytes()
        assert b"<dc:date>" not in svg


def test_values_read_from_an_artifact_report_bad_keys(tmp_path):
    deck = make_deck(tmp_path, WALK)
    refs = [Ref("value", "walk.fina", "slides/01_a.md", 1), Ref("value", "walk.path", "slides/01_a.md", 2),
            Ref("value", "wlak.final", "slides/01_a.md", 3), Ref("value", "walk.label", "slides/01_a.md", 4)]
    assert errors(deck, refs) == [
        "slides/01_a.md:1: value('walk.fina'): walk has no key 'fina' (keys: final, label, path)",
        "slides/01_a.md:2: value('walk.path') is list, expected int, float or str",
        "slides/01_a.md:3: value('wlak.final'): unknown producer 'wlak' (producers: walk, walk_hist, walk_line)",
    ]
    assert run(deck, [refs[3]]).value(refs[3]) == "walk"


BAD = """\
    import time

    from matplotlib.figure import Figure


    def broken():
        return undefined_thing + 1


    def empty():
        fig = Figure()


    def not_a_figure():
        return {"a": 1}


    def slow():
        time.sleep(60)


    def uses_broken(broken):
        return Figure()
"""


def test_producer_errors_name_code_and_slide(tmp_path):
    deck = make_deck(tmp_path, {"figures_src/bad.py": BAD})
    refs = [Ref("figure", name, "slides/02_b.md", line) for line, name in
            enumerate(["broken", "empty", "not_a_figure", "slow", "uses_broken", "brokn"], start=3)]
    # Long enough for the producers that must finish to do so on a busy machine.
    assert errors(deck, refs, timeout=10) == [
        "figures_src/bad.py:7: NameError: name 'undefined_thing' is not defined "
        "(figure 'broken' used at slides/02_b.md:3; needed by figure 'uses_broken' used at slides/02_b.md:7)",
        "figures_src/bad.py:10: producer 'empty' returned None (figure 'empty' used at slides/02_b.md:4)",
        "figures_src/bad.py:18: producer 'slow' timed out after 10 s (figure 'slow' used at slides/02_b.md:6)",
        "slides/02_b.md:5: figure 'not_a_figure' returned dict, not a matplotlib Figure (figures_src/bad.py:14)",
        "slides/02_b.md:8: unknown figure 'brokn' (figures: broken, uses_broken, empty, not_a_figure, slow)",
    ]


# A tiny PyTorch model, trained by an artifact producer and plotted by two figures.
TINY = {
    "code_snippets/tiny.py": """\
        import torch
        from torch import nn


        def train(epochs=3, progress=None):
            x = torch.randn(64, 4)
            y = (x[:, 0] > 0).long()
            model = nn.Linear(4, 2)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
            for epoch in range(epochs):
                loss = nn.functional.cross_entropy(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if progress:
                    progress(epoch + 1, epochs, "epoch")
            return model, (model(x).argmax(1) == y).float().mean().item()
    """,
    "figures_src/training.py": """\
        from code_snippets.tiny import train


        def trained(device="cpu", progress=None):
            model, accuracy = train(progress=progress)
            return {"model": model.to(device), "accuracy": accuracy, "device": device}
    """,
    "figures_src/views.py": """\
        import matplotlib.pyplot as plt


        def weights(trained):
            fig, ax = plt.subplots(figsize=(4, 2))
            ax.imshow(trained["model"].weight.detach().numpy())
            return fig


        def biases(trained):
            fig, ax = plt.subplots(figsize=(4, 2))
            ax.bar([0, 1], trained["model"].bias.detach().numpy())
            return fig
    """,
}

# Runs in a fresh interpreter: a cached build must import neither torch nor matplotlib.
WARM = """\
import json, sys
from pathlib import Path
from deckbuild.cache import Cache
from deckbuild.execute import execute
from deckbuild.model import Ref
deck = Path(sys.argv[1])
refs = [Ref("figure", "weights", "s.md", 1), Ref("figure", "biases", "s.md", 2),
        Ref("value", "trained.accuracy", "s.md", 3), Ref("value", "trained.device", "s.md", 4)]
import deckbuild.runner
ran, original = [], deckbuild.runner.Worker.run
deckbuild.runner.Worker.run = lambda self, job, display: ran.append(job["label"]) or original(self, job, display)
results = execute(deck, refs, Cache(deck / ".cache"), progress=False)
report = {"ran": ran, "heavy": sorted(m for m in ("torch", "matplotlib", "numpy") if m in sys.modules)}
import importlib.util, torch
spec = importlib.util.spec_from_file_location("tiny", deck / "code_snippets" / "tiny.py")
tiny = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tiny)
torch.manual_seed(0)
report["expected"] = tiny.train()[1]
report["values"] = [results.value(refs[2]), results.value(refs[3])]
print(json.dumps(report))
"""


def test_trained_model_lifecycle(tmp_path):
    deck = make_deck(tmp_path, TINY)
    refs = [Ref("figure", "weights", "s.md", 1), Ref("figure", "biases", "s.md", 2),
            Ref("value", "trained.accuracy", "s.md", 3)]
    assert run(deck, refs, progress=True).ran == ["trained", "weights", "biases"]

    warm = subprocess.run([sys.executable, "-c", WARM, str(deck)], capture_output=True, text=True,
                          cwd=ENGINE, env={"PYTHONPATH": str(ENGINE), "PATH": "/usr/bin:/bin"}, check=True)
    report = json.loads(warm.stdout)
    assert report["ran"] == [] and report["heavy"] == []
    assert report["values"] == [report["expected"], "cpu"]  # seeded with 0, like a fresh torch.manual_seed(0)

    # (Redrawing one figure alone is tested on the walk deck above, where workers start faster.)
    edit(deck, "code_snippets/tiny.py", TINY["code_snippets/tiny.py"].replace("lr=0.5", "lr=0.1"))
    assert run(deck, refs).ran == ["trained", "weights", "biases"]
