"""The slide parser and renderer on tiny decks: structure, syntax, and exact error texts."""
from __future__ import annotations

import re
import unicodedata

import pytest

from conftest import run_cli
from deckbuild.errors import DeckError
from deckbuild.pipeline import build
from deckbuild.slides import split_slides


def sections(html: str) -> list[str]:
    return re.findall(r'<section[^>]*? data-source="([^"]+)"', html)


def built(deck) -> str:
    build(deck, deck / "build" / "site")
    return (deck / "build" / "site" / "index.html").read_text()


def test_separators_notes_and_fenced_dashes():
    text = "# A\n\nNote:\nsay A\n---\n# B\n```python\nx = 1\n---\n--\n```\n--\n# C\n"
    slides = split_slides("slides/01.md", text)
    assert [(s.line, s.vertical) for s in slides] == [(1, False), (6, False), (13, True)]
    assert slides[0].notes == "say A" and "say A" not in slides[0].body
    assert "---\n--" in slides[1].body


def test_slide_attributes_are_taken_out_of_the_body():
    (slide,) = split_slides("s.md", '<!-- .slide: class="section" data-x="1" -->\n# T\n')
    assert slide.attrs == 'class="section" data-x="1"' and ".slide" not in slide.body


def test_deck_structure_title_stacks_and_notes(make_deck):
    deck = make_deck({"slides/01_a.md": "# One\nNote: secret words\n---\n# Two\n--\n# Two below\n",
                      "slides/02_b.md": "# Three\n"})
    html = built(deck)
    assert sections(html) == ["deck.toml", "slides/01_a.md:1", "slides/01_a.md:4", "slides/01_a.md:6", "slides/02_b.md:1"]
    assert '<section class="stack">' in html
    assert '<aside class="notes"><p>secret words</p></aside>' in html
    assert "<h1>Tiny deck</h1>" in html


def test_math_is_rendered_and_markdown_leaves_it_alone(make_deck):
    deck = make_deck({"slides/01_a.md": "# M\n\n$a_1 * b_2 * c_3$ and `$x$`\n\n$$\n\\sum_{i=1}^N x_i\n$$\n"})
    html = built(deck)
    assert html.count('class="katex"') == 2 and "katex-display" in html
    assert "<em>" not in html and "<code>$x$</code>" in html


def test_code_fence_highlighted_with_line_steps(make_deck):
    deck = make_deck({"slides/01_a.md": "# C\n\n```python norun [1|2-3]\nx = 1\ny = 2\nz = 3\n```\n"})
    html = built(deck)
    assert html.count('<code class="highlight language-python') == 2
    assert 'class="highlight language-python fragment step"' in html
    assert '<span class="k">' not in html and '<span class="mi">1</span>' in html


def test_element_attributes_tables_and_columns(make_deck):
    deck = make_deck({"slides/01_a.md": (
        "# E\n\n- one\n- two <!-- .element: class=\"fragment\" -->\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        '<div class="columns" markdown>\n<div markdown>\n**left**\n</div>\n<div markdown>\nright\n</div>\n</div>\n')})
    html = built(deck)
    assert '<li class="fragment">two </li>' in html
    assert "<table>" in html and "<strong>left</strong>" in html


def test_images_are_copied_into_the_site(make_deck):
    deck = make_deck({"slides/01_a.md": "# I\n\n![a dot](img/dot.svg)\n", "slides/img/dot.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"})
    html = built(deck)
    assert 'src="media/slides/img/dot.svg"' in html
    assert (deck / "build/site/media/slides/img/dot.svg").is_file()


@pytest.mark.parametrize("files, message", [
    ({"slides/01_a.md": "# A\n\n{{ nope }}\n"}, "slides/01_a.md:3: Jinja error: 'nope' is undefined"),
    ({"slides/01_a.md": "# A\n{% if %}\n"}, "slides/01_a.md:2: Jinja syntax error: Expected an expression, got 'end of statement block'"),
    ({"slides/01_a.md": "# A\n\n$\\frac{1}{$\n"}, "slides/01_a.md:3: TeX error in $\\frac{1}{$: Unexpected end of input in a macro argument, expected '}' at end of input: \\frac{1}{"),
    ({"slides/01_a.md": "# A\n\n![x](missing.png)\n"}, "slides/01_a.md:3: image or video 'missing.png' does not exist (looked for slides/missing.png)"),
    ({"slides/01_a.md": "# A\n\n![x](../../secret.png)\n"}, "slides/01_a.md:3: media path '../../secret.png' points outside the deck"),
    ({"slides/01_a.md": "# A\n\n![x](https://example.org/x.png)\n"}, "slides/01_a.md:3: remote media 'https://example.org/x.png' is not allowed: the deck must work offline; save the file in the deck"),
    ({"slides/01_a.md": "# A\n\n```python\nx = 1\n"}, "slides/01_a.md:3: code fence ``` is never closed"),
    ({"slides/01_a.md": "# A\n\n```python\nx = 1\n```\n"},
     "slides/01_a.md:3: say whether this Python block runs: ```python exec (run by check and the tests) or "
     "```python norun (shown only)"),
    ({"slides/01_a.md": "# A\n\n```python norun [1|7]\nx = 1\n```\n"}, "slides/01_a.md:3: line step '7' is outside the code's 1 lines"),
    ({"slides/01_a.md": b"# A\n\n\xff\xfe\n"}, "slides/01_a.md:3: not valid UTF-8 (byte 0xff); save the file as UTF-8"),
    ({"deck.toml": 'title = "T"\ncolour = "red"\n', "slides/01_a.md": "# A\n"},
     "deck.toml:2: unknown key 'colour' (known keys: author, chalkboard_file, date, institute, lang, notebook_base_url, reveal, subtitle, theme, timeout, title)"),
    ({"deck.toml": 'title = "T"\ntheme = "neon"\n', "slides/01_a.md": "# A\n"}, "deck.toml:2: unknown theme 'neon' (themes: dark, lecture)"),
    ({"deck.toml": 'title = "T\n', "slides/01_a.md": "# A\n"}, "deck.toml:1: invalid TOML: Illegal character '\\n'"),
    ({}, "slides: no slide files (expected slides/NN_topic.md)"),
    ({"slides/01_a.md": '# A\n{{ figure(name) }}\n'}, "slides/01_a.md:2: figure() takes literal arguments only (strings, numbers, lists)"),
])
def test_bad_input_gives_one_exact_line(make_deck, files, message):
    deck = make_deck(files)
    with pytest.raises(DeckError) as caught:
        build(deck, deck / "build" / "site")
    assert [str(p) for p in caught.value.problems] == [message]


def test_missing_deck_toml(tmp_path):
    with pytest.raises(DeckError, match=r"^deck.toml: missing: .* is not a deck \(no deck.toml\)$"):
        build(tmp_path, tmp_path / "out")


def test_all_problems_are_collected(make_deck):
    deck = make_deck({"slides/01_a.md": "# A\n{{ a }}\n", "slides/02_b.md": "# B\n{{ b }}\n"})
    with pytest.raises(DeckError) as caught:
        build(deck, deck / "build" / "site")
    assert [str(p) for p in caught.value.problems] == [
        "slides/01_a.md:2: Jinja error: 'a' is undefined", "slides/02_b.md:2: Jinja error: 'b' is undefined"]


def test_failed_build_leaves_the_last_good_site_byte_for_byte(make_deck):
    deck = make_deck({"slides/01_a.md": "# Good\n"})
    site = deck / "build" / "site"
    build(deck, site)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    (deck / "slides/01_a.md").write_text("# Bad\n{{ oops }}\n")
    with pytest.raises(DeckError):
        build(deck, site)
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert not [p for p in site.parent.iterdir() if p.name != "site"], "no staging folder left behind"


def test_second_theme_is_switchable(make_deck):
    deck = make_deck({"deck.toml": 'title = "T"\ntheme = "dark"\n', "slides/01_a.md": "# A\n"})
    html = built(deck)
    assert '<link rel="stylesheet" href="theme/lecture.css">' in html
    assert '<link rel="stylesheet" href="theme/dark.css">' in html
    assert (deck / "build/site/theme/dark.css").is_file()


def test_reveal_options_from_deck_toml(make_deck):
    deck = make_deck({"deck.toml": 'title = "T"\n[reveal]\ncontrols = false\n', "slides/01_a.md": "# A\n"})
    assert '"controls": false' in built(deck)


def test_command_line_exit_status_and_messages(make_deck):
    deck = make_deck({"slides/01_a.md": "# A\n{{ nope }}\n"})
    failed = run_cli("build", "--deck", str(deck))
    assert (failed.returncode, failed.stderr) == (1, "slides/01_a.md:2: Jinja error: 'nope' is undefined\n")
    (deck / "slides/01_a.md").write_text("# A\n")
    assert run_cli("build", "--deck", str(deck)).returncode == 0
    assert run_cli("frobnicate").returncode == 2


def test_a_deck_means_the_same_whatever_the_editor_saved(make_deck):
    slides = ("## Momentum\n\n$v \\leftarrow \\beta v + g$\n\n```python norun\nx = 1\n---\n```\n"
              "Note: say it\n---\n## Café\n\n![a plot](café.png)\n")
    image = b"\x89PNG\r\n\x1a\n"
    pages = {}
    for name, encode in {"lf": lambda t: t.encode(), "crlf": lambda t: t.replace("\n", "\r\n").encode(),
                         "cr": lambda t: t.replace("\n", "\r").encode(),
                         "bom-nfd": lambda t: "\ufeff".encode() + unicodedata.normalize("NFD", t).encode()}.items():
        # the NFD copy also has its image saved under a decomposed name, as another system would
        image_name = unicodedata.normalize("NFD", "café.png") if name == "bom-nfd" else "café.png"
        deck = make_deck({"slides/01_a.md": encode(slides), f"slides/{image_name}": image}, name=name)
        pages[name] = built(deck)
    assert "<h2>Momentum</h2>" in pages["lf"] and "\ufeff" not in pages["bom-nfd"]
    assert pages["crlf"] == pages["lf"] and pages["cr"] == pages["lf"] and pages["bom-nfd"] == pages["lf"]


def test_lecture_code_saved_with_a_byte_order_mark_and_crlf_is_read_like_any_other(make_deck):
    module = "\ufeffANSWER = 42\r\n\r\n\r\ndef double(x):\r\n    return 2 * x\r\n\r\n\r\ndef show():\r\n    print(double(21))\r\n"
    slides = ("# Code\n\n{{ snippet(\"twice:double\") }}\n\n{{ output(\"twice:show\") }}\n\n"
              "\u00a0\u00a0```python\u00a0norun\n  y = 1\n  ```\n\nThe answer is {{ value(\"twice:ANSWER\",\u00a0\"{}!\") }}\n")
    deck = make_deck({"slides/01_a.md": slides, "code_snippets/twice.py": module.encode()})
    page = built(deck)
    assert '<span class="nf">double</span>' in page and "\ufeff" not in page
    assert '<pre class="output"><code>42</code></pre>' in page and '<span class="n">y</span>' in page
    assert "The answer is 42!" in page
