"""Rebuilds do only what changed: an unchanged deck is not built again, and whatever changed is."""
from __future__ import annotations

import shutil

from conftest import run_cli

SLIDE = '# Shown\n\n{text}\n\n{{{{ output("demo:hello") }}}}\n'
DEMO = 'def hello():\n    print("{greeting}")\n'


def build(deck):
    """`build.py build` of the deck, which must succeed."""
    done = run_cli("build", "--deck", str(deck))
    assert done.returncode == 0, done.stderr
    return done


def page(deck) -> str:
    return (deck / "build" / "site" / "index.html").read_text()


def small_deck(make_deck):
    return make_deck({"slides/01_a.md": SLIDE.format(text="first words"),
                      "code_snippets/demo.py": DEMO.format(greeting="hello")})


def test_an_unchanged_deck_is_up_to_date_and_runs_nothing(make_deck):
    deck = small_deck(make_deck)
    assert "ran 1 code snippet" in build(deck).stderr
    again = build(deck)
    assert "(1 references, up to date," in again.stdout and again.stderr == ""


def test_a_prose_edit_is_built_without_running_code(make_deck):
    deck = small_deck(make_deck)
    build(deck)
    (deck / "slides/01_a.md").write_text(SLIDE.format(text="second words"))
    done = build(deck)
    assert "up to date" not in done.stdout and done.stderr == ""
    assert "second words" in page(deck) and "hello" in page(deck)


def test_a_code_edit_runs_the_code_again(make_deck):
    deck = small_deck(make_deck)
    build(deck)
    (deck / "code_snippets/demo.py").write_text(DEMO.format(greeting="hello again"))
    assert "ran 1 code snippet" in build(deck).stderr
    assert "hello again" in page(deck)


def test_a_damaged_site_is_built_again(make_deck):
    deck = small_deck(make_deck)
    build(deck)
    shutil.rmtree(deck / "build" / "site" / "lib" / "reveal")
    assert "up to date" not in build(deck).stdout
    assert (deck / "build" / "site" / "lib" / "reveal" / "reveal.js").is_file()
    (deck / "build" / "site" / "index.html").write_text("edited by hand")
    assert "up to date" not in build(deck).stdout
    assert "first words" in page(deck)


def test_a_failed_build_is_never_up_to_date(make_deck):
    deck = small_deck(make_deck)
    build(deck)
    (deck / "slides/01_a.md").write_text("{{ nope }}\n")
    for _ in range(2):  # still broken, still said
        assert run_cli("build", "--deck", str(deck)).stderr == "slides/01_a.md:1: Jinja error: 'nope' is undefined\n"
    (deck / "slides/01_a.md").write_text(SLIDE.format(text="first words"))
    assert "up to date" in build(deck).stdout  # the last good site is exactly this deck's


def test_rebuilds_in_one_process_give_the_page_a_fresh_process_gives(make_deck):
    """`serve` rebuilds in one long process, which remembers the Markdown of unchanged slides: after
    edits that add and remove formulas, code and outputs ahead of them (so that every later token is
    numbered differently), each page must be the one that a fresh `build.py build` makes."""
    from deckbuild.pipeline import Options, build as build_here

    later = '# Later\n\nStill $b^2$ here, and `code`.\n\n```python norun\nx = "$c$"\n```\n\n{{ output("demo:hello") }}\n'
    first_slides = [
        '# First\n\nPlain words.\n',
        '# First\n\nNow $a_1$ and $$\\sum_i x_i$$ and\n\n```python norun\ny = 2\n```\n\n{{ snippet("demo:hello") }}\n',
        '# First\n\nOnly $a_2$ now.\n',
    ]
    deck = make_deck({"slides/02_b.md": later, "code_snippets/demo.py": DEMO.format(greeting="hello")})
    for number, text in enumerate(first_slides):
        (deck / "slides/01_a.md").write_text(text)
        build_here(deck, deck / "build" / "here", Options(progress=False))
        build(deck)  # in a fresh process, into build/site
        assert (deck / "build" / "here" / "index.html").read_text() == page(deck), f"edit {number}"
