"""execute() on output()/value() calls and exec fences: caching, isolation, time limits, error texts."""
from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest

from deckbuild.cache import Cache
from deckbuild.errors import DeckError
from jobs_ran import execute_recorded
from deckbuild.model import Ref


def make_deck(root: Path, files: dict[str, str]) -> Path:
    """A deck folder from {relative path: text}, with the packages and deck.toml it always needs."""
    base = {"deck.toml": "", "code_snippets/__init__.py": "", "figures_src/__init__.py": ""}
    for name, text in {**base, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def run(deck: Path, refs: list[Ref], **options):
    return execute_recorded(deck, refs, Cache(deck / ".cache"), progress=False, **options)


def errors(deck: Path, refs: list[Ref], **options) -> list[str]:
    with pytest.raises(DeckError) as caught:
        run(deck, refs, **options)
    return [str(p) for p in caught.value.problems]


DEMO = """\
    import random

    ANSWER = 42
    GREETING = "hi"


    def shout():
        print("one")
        print("two")
        return [1, 2]


    def quiet():
        return None


    def draw():
        return random.random()


    def divide():
        return 1 / 0


    def pair():
        return (1, 2)
"""


def ref(kind: str, target: str, line: int = 3, path: str = "slides/01_a.md") -> Ref:
    return Ref(kind, target, path, line)


def test_output_is_captured_and_cached(tmp_path):
    deck = make_deck(tmp_path, {"code_snippets/demo.py": DEMO})
    refs = [ref("output", "demo:shout"), ref("output", "demo:quiet", 4), ref("output", "demo:shout", 9)]
    first = run(deck, refs)
    assert first.text(refs[0]) == "one\ntwo\n[1, 2]"
    assert first.text(refs[1]) == ""
    assert first.ran == ["output(demo:shout)", "output(demo:quiet)"]  # one run for two references
    second = run(deck, refs)
    assert second.ran == []
    assert second.text(refs[2]) == "one\ntwo\n[1, 2]"


def test_values_are_plain_and_seeded(tmp_path):
    deck = make_deck(tmp_path, {"code_snippets/demo.py": DEMO})
    refs = [ref("value", "demo:ANSWER"), ref("value", "demo:GREETING"), ref("value", "demo:draw")]
    results = run(deck, refs)
    random.seed(0)
    assert [results.value(r) for r in refs] == [42, "hi", random.random()]


def test_editing_a_module_reruns_only_what_imports_it(tmp_path):
    deck = make_deck(tmp_path, {
        "code_snippets/base.py": "SCALE = 2\n",
        "code_snippets/uses.py": "from code_snippets.base import SCALE\n\ndef f():\n    print(SCALE * 3)\n",
        "code_snippets/other.py": "def g():\n    print('g')\n",
    })
    refs = [ref("output", "uses:f"), ref("output", "other:g", 5)]
    assert run(deck, refs).ran == ["output(uses:f)", "output(other:g)"]
    (deck / "code_snippets/base.py").write_text("SCALE = 5\n")
    results = run(deck, refs)
    assert results.ran == ["output(uses:f)"]
    assert results.text(refs[0]) == "15"
    (deck / "code_snippets/other.py").write_text("def g():\n    print('G')\n")
    assert run(deck, refs).ran == ["output(other:g)"]
    assert run(deck, refs).ran == []


def test_exec_fence_runs_as_a_script_with_slide_line_numbers(tmp_path):
    deck = make_deck(tmp_path, {"code_snippets/demo.py": DEMO})
    good = ref("exec", "from code_snippets.demo import ANSWER\nprint(ANSWER + 1)\n", 5)
    assert run(deck, [good]).text(good) == "43"
    bad = ref("exec", "x = 1\ny = undefined_name\n", 20)
    assert errors(deck, [bad]) == [
        "slides/01_a.md:20: python exec block failed: slides/01_a.md:22: NameError: name 'undefined_name' is not defined"
    ]


def test_exception_names_slide_and_code_line(tmp_path):
    deck = make_deck(tmp_path, {"code_snippets/demo.py": DEMO})
    assert errors(deck, [ref("output", "demo:divide", 41)]) == [
        "slides/01_a.md:41: output('demo:divide') failed: code_snippets/demo.py:22: ZeroDivisionError: division by zero"
    ]


def test_verbose_appends_the_traceback_without_engine_frames(tmp_path):
    deck = make_deck(tmp_path, {"code_snippets/demo.py": DEMO})
    (message,) = errors(deck, [ref("output", "demo:divide")], verbose=True)
    first, *rest = message.splitlines()
    assert first.endswith("code_snippets/demo.py:22: ZeroDivisionError: division by zero")
    assert rest[0] == "Traceback (most recent call last):"
    assert "demo.py\", line 22, in divide" in message
    assert "worker.py" not in message


def test_timeout_kills_the_call(tmp_path):
    deck = make_deck(tmp_path, {"code_snippets/slow.py": "import time\n\ndef wait():\n    time.sleep(60)\n"})
    assert errors(deck, [ref("output", "slow:wait", 5)], timeout=1) == [
        "slides/01_a.md:5: output('slow:wait') timed out after 1 s"
    ]


def test_exit_and_crashes_are_reported_and_the_rest_still_runs(tmp_path):
    deck = make_deck(tmp_path, {
        "code_snippets/demo.py": DEMO,
        "code_snippets/bad.py": """\
            import ctypes
            import os
            import sys


            def leave():
                sys.exit(2)


            def vanish():
                os._exit(3)


            def crash():
                ctypes.string_at(0)
        """,
    })
    refs = [ref("output", "bad:leave", 1), ref("output", "bad:vanish", 2), ref("output", "bad:crash", 3),
            ref("output", "demo:shout", 4)]
    assert errors(deck, refs) == [
        "slides/01_a.md:1: output('bad:leave') failed: code_snippets/bad.py:7: exit(2) was called; code run for a slide must return instead",
        "slides/01_a.md:2: output('bad:vanish') failed: the process exited with status 3 before returning",
        "slides/01_a.md:3: output('bad:crash') failed: the process was killed by signal SIGSEGV",
    ]
    assert run(deck, [refs[3]]).ran == []  # the good call ran and was cached despite the others


def test_value_of_the_wrong_type(tmp_path):
    deck = make_deck(tmp_path, {"code_snippets/demo.py": DEMO})
    assert errors(deck, [ref("value", "demo:pair", 7)]) == [
        "slides/01_a.md:7: value('demo:pair') returned tuple, expected int, float or str"
    ]


def test_unknown_names_list_what_exists(tmp_path):
    deck = make_deck(tmp_path, {"code_snippets/demo.py": DEMO, "code_snippets/dome.py": ""})
    refs = [ref("output", "demo:shuot", 1), ref("value", "demo:ANSWR", 2), ref("output", "demi:shout", 3),
            ref("output", "demo", 4)]
    assert errors(deck, refs) == [
        "slides/01_a.md:1: output('demo:shuot'): code_snippets/demo.py has no function 'shuot' "
        "(functions: shout, divide, draw, pair, quiet)",
        "slides/01_a.md:2: value('demo:ANSWR'): code_snippets/demo.py has no function or constant 'ANSWR' "
        "(names: ANSWER, GREETING, divide, draw, pair, quiet, shout)",
        "slides/01_a.md:3: output('demi:shout'): there is no code_snippets/demi.py (modules: demo, dome)",
        "slides/01_a.md:4: output('demo'): expected 'module:name', e.g. 'losses:softmax_demo'",
    ]


def test_corrupt_cache_entry_is_recomputed_with_a_warning(tmp_path, capsys):
    deck = make_deck(tmp_path, {"code_snippets/demo.py": DEMO})
    refs = [ref("output", "demo:shout")]
    run(deck, refs)
    (entry,) = (deck / ".cache" / "output").glob("*/*")
    entry.write_bytes(random.Random(1).randbytes(200))
    capsys.readouterr()
    results = run(deck, refs)
    assert "warning: corrupt cache entry" in capsys.readouterr().err
    assert results.ran == ["output(demo:shout)"]
    assert results.text(refs[0]) == "one\ntwo\n[1, 2]"


def test_libraries_are_preloaded_even_from_a_virtual_environment_inside_the_deck(tmp_path, monkeypatch):
    """The README's deck is the repository, whose .venv/ lies inside the deck folder: what is installed
    there is a library, imported once by the worker; the deck's own modules are imported by each job."""
    site = ".venv/lib/python3.11/site-packages"
    deck = make_deck(tmp_path, {
        f"{site}/installedlib/__init__.py": "",
        "helpers.py": "",
        "code_snippets/probe.py": """
            import sys

            ALREADY_LOADED = " ".join(sorted({"installedlib", "helpers"} & set(sys.modules)))  # before the imports below

            import helpers
            import installedlib
        """,
    })
    monkeypatch.setenv("PYTHONPATH", str(deck / site))
    results = run(deck, [ref("value", "probe:ALREADY_LOADED")])
    assert results.value(ref("value", "probe:ALREADY_LOADED")) == "installedlib"


def test_data_fingerprint_and_data_written_by_the_code_itself(tmp_path):
    deck = make_deck(tmp_path, {"code_snippets/numbers.py": """\
        from pathlib import Path

        DATA = Path(__file__).resolve().parents[1] / "data" / "numbers.txt"


        def total():
            if not DATA.exists():  # a first build prepares the data, as the MNIST loader does
                DATA.parent.mkdir(exist_ok=True)
                DATA.write_text("1 2 3")
            return sum(int(n) for n in DATA.read_text().split())
    """})
    refs = [ref("value", "numbers:total")]
    assert run(deck, refs).value(refs[0]) == 6
    assert run(deck, refs).ran == []  # the data the first run wrote does not invalidate its results
    (deck / "data" / "numbers.txt").write_text("10 20")
    results = run(deck, refs)
    assert results.ran == ["value(numbers:total)"] and results.value(refs[0]) == 30
