"""PDF exports of a tiny deck: one page per slide with its title, typeset math and drawn figures,
made offline; the handout puts each slide's notes on the page of that slide."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import pikepdf
from pypdf import PdfReader
from pypdf.generic import ContentStream

from conftest import open_deck, write_files
from deckbuild.browser import ENV_VAR, INSTALL_HINT, launch_chromium
from deckbuild.errors import DeckError
from deckbuild.pdf import export_pdf
from deckbuild.pipeline import build

INTRO = """\
## Tripling numbers

- the answer is {{ value("numbers:answer") }}
- tripling comes later <!-- .element: class="fragment" -->

$$
\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}
$$

Note:
Speak about tripling slowly, then write the sum on the board.

---

## The code of triple

{{ snippet("numbers:triple") }}

{{ output("numbers:show_triples") }}

--

## A vertical aside

Inline math $a_i \\cdot b_i$ in prose.

Note:
The vertical slide carries its own remark about dot products.
"""

PLOTS = """\
# Squares plot

{{ figure("squares_figure", alt="y equals x squared") }}

Note:
Point at the right end where the squares grow fast.

---

## Closing words

Nothing to draw here.

| n | n squared |
| --- | --- |
| 3 | 9 |
"""

DECK = {
    "deck.toml": 'title = "PDF test deck"\n',
    "code_snippets/__init__.py": "",
    "code_snippets/numbers.py": (
        "SCALE = 3\n\n\ndef triple(x):\n    return SCALE * x\n\n\n"
        "def show_triples():\n    for x in range(3):\n        print(f'triple({x}) = {triple(x)}')\n\n\n"
        "def answer():\n    return 42\n"
    ),
    "figures_src/__init__.py": "",
    "figures_src/plots.py": (
        "import matplotlib.pyplot as plt\n\n\ndef squares_figure():\n"
        "    fig, ax = plt.subplots(figsize=(4, 2.5))\n"
        "    ax.plot([0, 1, 2, 3], [0, 1, 4, 9], linewidth=3)\n    return fig\n"
    ),
    "slides/01_intro.md": INTRO,
    "slides/02_plots.md": PLOTS,
}
PATH_OPERATORS = {b"m", b"l", b"c", b"v", b"y", b"re"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory, chromium):
    """The deck exported as deck.pdf and handout.pdf, and the slide titles the browser shows, in order."""
    deck = write_files(tmp_path_factory.mktemp("pdf") / "deck", DECK)
    site = deck / "build" / "site"
    build(deck, site)
    slides, handout = export_pdf(deck, site), export_pdf(deck, site, handout=True)
    page = open_deck(chromium, deck / "build" / "site" / "index.html")
    total = page.evaluate("Reveal.getTotalSlides()")
    titles = page.evaluate("Reveal.getSlides().map(s => s.querySelector('h1, h2').textContent.trim())")
    page.close()
    return {"deck": deck, "slides": PdfReader(slides), "handout": PdfReader(handout), "total": total, "titles": titles,
            "tagged": {"deck": pikepdf.open(slides), "handout": pikepdf.open(handout)}}


def text_of(page) -> str:
    return " ".join(page.extract_text().split())


def path_operators(reader, obj) -> int:
    """Path-drawing operators on a page or form XObject, counting the forms it draws too."""
    contents = obj.get_contents() if hasattr(obj, "get_contents") else obj
    count = sum(operator in PATH_OPERATORS for _, operator in ContentStream(contents, reader).operations)
    resources = obj.get("/Resources")
    forms = resources.get_object().get("/XObject") if resources else None
    for form in forms.get_object().values() if forms else []:
        if form.get_object()["/Subtype"] == "/Form":
            count += path_operators(reader, form.get_object())
    return count


def page_of(reader, title: str) -> int:
    """The one page whose text holds this slide title."""
    pages = [i for i, page in enumerate(reader.pages) if title in text_of(page)]
    assert len(pages) == 1, (title, pages)
    return pages[0]


def test_one_page_per_slide_at_1280x720(exported):
    reader = exported["slides"]
    assert exported["total"] == 6  # the title slide, two slides, a vertical one, two slides
    assert len(reader.pages) == exported["total"]
    assert {(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages} == {(960.0, 540.0)}  # px * 3/4


def test_each_page_holds_its_slide_title_in_order(exported):
    titles = exported["titles"]
    assert titles[:3] == ["PDF test deck", "Tripling numbers", "The code of triple"]
    for page, title in zip(exported["slides"].pages, titles, strict=True):
        assert title in text_of(page)


def test_fragments_values_and_outputs_are_printed(exported):
    pages = exported["slides"].pages
    assert "tripling comes later" in text_of(pages[1])  # a fragment, in its final (shown) state
    assert "the answer is 42" in text_of(pages[1])
    assert "triple(2) = 6" in text_of(pages[2])


def test_math_is_typeset_with_katex_fonts(exported):
    reader = exported["slides"]
    assert not any("$" in text_of(page) for page in reader.pages)
    for title in ("Tripling numbers", "A vertical aside"):
        page = reader.pages[page_of(reader, title)]
        fonts = [str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].get_object().values()]
        assert any("KaTeX_Math" in name for name in fonts), fonts
    assert "∑" in text_of(reader.pages[1])


def test_every_font_is_embedded(exported):
    for page in exported["slides"].pages:
        for font in page["/Resources"]["/Font"].get_object().values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]


def test_the_figure_is_drawn_on_its_page(exported):
    reader = exported["slides"]
    with_figure = path_operators(reader, reader.pages[page_of(reader, "Squares plot")])
    without = path_operators(reader, reader.pages[page_of(reader, "Closing words")])
    assert with_figure > 200 > without + 100  # axes, ticks and the curve are vector paths


def test_no_page_is_blank(exported, tmp_path):
    assert shutil.which("pdftoppm"), "pdftoppm is missing: apt-get install poppler-utils (make test does it)"
    from PIL import Image

    subprocess.run(["pdftoppm", "-gray", "-r", "12", str(exported["deck"] / "build" / "deck.pdf"), str(tmp_path / "p")],
                   check=True)
    images = sorted(tmp_path.glob("p-*.pgm"))
    assert len(images) == exported["total"]
    for image in images:
        histogram = Image.open(image).histogram()  # grey levels 0 (black) to 255 (white)
        inked = sum(histogram[:200]) / sum(histogram)
        assert inked > 0.005, image.name


def test_handout_is_a4_with_title_and_page_numbers_in_the_footer(exported):
    pages = exported["handout"].pages
    assert 2 <= len(pages) < exported["total"]  # several slides share a page
    for number, page in enumerate(pages, 1):
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (596, 843)
        assert text_of(page).endswith(f"PDF test deck page {number} of {len(pages)}")


@pytest.mark.parametrize("title, notes", [
    ("Tripling numbers", "Speak about tripling slowly, then write the sum on the board."),
    ("A vertical aside", "The vertical slide carries its own remark about dot products."),
    ("Squares plot", "Point at the right end where the squares grow fast."),
])
def test_handout_has_the_notes_on_the_page_of_their_slide(exported, title, notes):
    reader = exported["handout"]
    assert notes in text_of(reader.pages[page_of(reader, title)])
    assert sum(notes in text_of(page) for page in reader.pages) == 1


def test_the_deck_pdf_has_no_notes(exported):
    assert not any("Speak about tripling" in text_of(page) for page in exported["slides"].pages)


def test_a_request_past_file_urls_fails_the_export(tmp_path):
    files = {"deck.toml": 'title = "Net"\ntheme = "net"\n', "code_snippets/__init__.py": "", "figures_src/__init__.py": "",
             "themes/net/extends": "lecture\n", "slides/01_a.md": "## Hello\n",
             "themes/net/theme.css": '.reveal h2 { background-image: url("https://example.com/bg.png"); }\n'}
    deck = write_files(tmp_path / "deck", files)
    build(deck, deck / "build" / "site")
    with pytest.raises(DeckError) as caught:
        export_pdf(deck, deck / "build" / "site")
    assert str(caught.value) == 'build/site/index.html: the deck tried to load from the network: "https://example.com/bg.png"'
    assert not (deck / "build" / "deck.pdf").exists()


class PlaywrightWithoutBrowsers:
    """Stands in for Playwright on a machine where it has downloaded no browser of its own."""

    def __init__(self, folder):
        self.chromium = type("Chromium", (), {"executable_path": str(folder / "ms-playwright" / "chrome")})()


def test_without_chromium_the_error_says_what_to_install(monkeypatch, tmp_path):
    missing = tmp_path / "no-chromium"
    monkeypatch.setitem(os.environ, ENV_VAR, str(missing))
    with pytest.raises(DeckError) as caught:
        launch_chromium(PlaywrightWithoutBrowsers(tmp_path))
    assert str(caught.value) == f"chromium: {ENV_VAR}={missing} is not a file; {INSTALL_HINT}"

    monkeypatch.delitem(os.environ, ENV_VAR)
    monkeypatch.setattr("deckbuild.browser.shutil.which", lambda name: None)
    with pytest.raises(DeckError) as caught:
        launch_chromium(PlaywrightWithoutBrowsers(tmp_path))
    assert str(caught.value) == f"chromium: {INSTALL_HINT}"
    assert INSTALL_HINT == ("no Chromium found: install it with 'sudo apt-get install chromium' (Debian/Ubuntu) "
                            "or set PLAYWRIGHT_CHROMIUM_EXECUTABLE to a Chromium executable")


def structure(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element of a tagged PDF, depth first."""
    found, todo = [], [pdf.Root.StructTreeRoot]
    while todo:
        node = todo.pop()
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                found.append(kid)
                todo.append(kid)
    return found


def bookmarks(pdf: pikepdf.Pdf) -> list[tuple]:
    """(title, page index, [children]) of the outline."""
    pages = {page.objgen: number for number, page in enumerate(pdf.pages)}

    def tree(items):
        return [(item.title, pages[item.destination[0].objgen], tree(item.children)) for item in items]

    with pdf.open_outline() as outline:
        return tree(outline.root)


@pytest.mark.parametrize("which", ["deck", "handout"])
def test_the_pdfs_are_tagged_with_language_and_title(exported, which):
    pdf = exported["tagged"][which]
    assert pdf.Root.MarkInfo.Marked is True and "/StructTreeRoot" in pdf.Root
    assert pdf.Root.Lang == "en" and pdf.docinfo.Title == "PDF test deck"
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    with pdf.open_metadata() as xmp:
        assert xmp["dc:title"] == "PDF test deck" and xmp["dc:language"] == {"en"}


@pytest.mark.parametrize("which", ["deck", "handout"])
def test_the_structure_has_headings_lists_tables_and_figures_with_alt_text(exported, which):
    elements = structure(exported["tagged"][which])
    kinds = [str(element.S) for element in elements]
    for kind in ("/H1", "/H2", "/L", "/LI", "/Table", "/TH", "/TD", "/Figure", "/Code"):
        assert kind in kinds, (kind, sorted(set(kinds)))
    assert kinds.count("/H2") == 4  # the title slide and "Squares plot" are H1
    assert [str(e.get("/Alt")) for e in elements if e.S == "/Figure"] == ["y equals x squared"]


def test_one_bookmark_per_slide_with_slide_files_as_sections(exported):
    assert bookmarks(exported["tagged"]["deck"]) == [  # each slide file is a section: its first slide the parent
        ("PDF test deck", 0, []), ("Tripling numbers", 1, [("The code of triple", 2, []), ("A vertical aside", 3, [])]),
        ("Squares plot", 4, [("Closing words", 5, [])]),
    ]
    handout = exported["handout"]
    assert bookmarks(exported["tagged"]["handout"]) == [
        ("PDF test deck", 0, []), ("Tripling numbers", page_of(handout, "Tripling numbers"), [
            ("The code of triple", page_of(handout, "The code of triple"), []),
            ("A vertical aside", page_of(handout, "A vertical aside"), [])]),
        ("Squares plot", page_of(handout, "Squares plot"), [("Closing words", page_of(handout, "Closing words"), [])]),
    ]
