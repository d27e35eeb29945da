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
