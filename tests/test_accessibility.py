"""Accessible to every student (WCAG 2.1 AA): axe-core finds no violation on any slide of the lecture
in either theme, nor in the menu or on the chalkboard; every formula carries MathML; the page has
the deck's language; figure colours stay apart under a simulated deuteranopia."""
from __future__ import annotations

import itertools
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pikepdf
import pytest

from axe_check import axe_page_states, axe_slides, count_by_rule, violation_lines
from conftest import ROOT
from deckbuild.browser import in_chromium, offline_page
from deckbuild.cache import Cache, key_of
from deckbuild.config import load_config
from deckbuild.errors import DeckError
from deckbuild.mathtex import Formula, katex_version, render_formulas
from deckbuild.pdf import export_pdf
from deckbuild.pipeline import Options, build
from figures_src import _style
from test_pdf import bookmarks, structure


@pytest.fixture(scope="session")
def dark_lecture_site(tmp_path_factory, lecture_site) -> Path:
    """The lecture in the dark theme: a copy of the deck whose folders link to this one's, the cache
    included, so that nothing is computed again (lecture_site has just filled the cache)."""
    deck = tmp_path_factory.mktemp("dark") / "deck"
    deck.mkdir()
    for name in ("slides", "code_snippets", "figures_src", "themes", "data", ".cache", "chalkboard.json"):
        if (ROOT / name).exists():
            (deck / name).symlink_to(ROOT / name)
    toml = (ROOT / "deck.toml").read_text(encoding="utf-8")
    (deck / "deck.toml").write_text(re.sub(r'(?m)^theme\s*=.*$', 'theme = "dark"', toml), encoding="utf-8")
    assert load_config(deck).theme == "dark"
    build(deck, deck / "build" / "site", Options(progress=False))
    return deck / "build" / "site"


def axe_reports(site: Path) -> tuple[list[dict], dict]:
    """axe on every slide, then on the menu and chalkboard states; and what the page says of itself."""
    def visit(browser):
        page = offline_page(browser, viewport={"width": 1280, "height": 720})
        page.goto((site / "index.html").as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()")
        facts = page.evaluate("""() => ({lang: document.documentElement.lang, title: document.title,
          role: document.querySelector('.reveal').getAttribute('role'),
          formulas: document.querySelectorAll('.katex').length,
          mathml: document.querySelectorAll('.katex > .katex-mathml > math annotation').length})""")
        reports = axe_slides(page) + axe_page_states(page)
        return reports, {**facts, "blocked": page.blocked}

    return in_chromium(visit)


@pytest.fixture(scope="session")
def axe_by_theme(lecture_site, dark_lecture_site) -> dict:
    """axe_reports of both themes, each in a browser of its own at the same time: axe is single-threaded
    and takes about a second a slide, so two cores halve the wait."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        lecture, dark = pool.map(axe_reports, [lecture_site, dark_lecture_site])
    return {"lecture": lecture, "dark": dark}


@pytest.mark.parametrize("theme", ["lecture", "dark"])
def test_no_axe_violation_on_any_slide_of_the_lecture(axe_by_theme, theme):
    reports, facts = axe_by_theme[theme]
    assert len(reports) >= 60, f"only {len(reports)} axe reports: did the slides load?"
    problems = violation_lines(reports)
    assert not problems, f"{len(problems)} axe violations ({count_by_rule(reports)}):\n" + "\n".join(problems)
    assert facts["lang"] == load_config(ROOT).lang and facts["title"].startswith(load_config(ROOT).title)
    assert facts["role"] is None  # not an "application": screen readers keep browse mode
    assert facts["formulas"] >= 50 and facts["mathml"] == facts["formulas"], facts
    assert facts["blocked"] == []


@pytest.mark.parametrize("handout", [False, True], ids=["deck.pdf", "handout.pdf"])
def test_the_lecture_pdfs_are_tagged_with_one_bookmark_per_slide(dark_lecture_site, handout):
    deck = dark_lecture_site.parent.parent  # the dark copy: its build/ is a temporary folder
    pdf = pikepdf.open(export_pdf(deck, dark_lecture_site, handout=handout))
    config = load_config(ROOT)
    assert pdf.Root.MarkInfo.Marked is True and pdf.Root.Lang == config.lang and pdf.docinfo.Title == config.title
    kinds = [str(element.S) for element in structure(pdf)]
    assert {"/H2", "/L", "/LI", "/Table", "/Figure", "/Code"} <= set(kinds)
    alts = [str(element.get("/Alt", "")).strip() for element in structure(pdf) if element.S == "/Figure"]
    assert len(alts) >= 20 and all(alts), alts
    outline = bookmarks(pdf)
    titles = [title for title, _, children in outline for title in [title] + [child[0] for child in children]]
    files = sorted(p.name for p in (ROOT / "slides").glob("[0-9]*.md"))
    assert len(outline) == 1 + len(files)  # the title slide, then one section per slide file
    if not handout:
        assert len(titles) == len(pdf.pages)  # one bookmark per slide, each on its own page
        assert [page for _, page, _ in outline] == sorted(page for _, page, _ in outline)
    assert all(title.strip() for title in titles)


def test_formulas_cached_before_mathml_are_rendered_again(tmp_path):
    cache = Cache(tmp_path / "cache")
    formula = Formula("a_i", False, "slides/01_a.md", 3)
    cache.put_json("math", key_of("katex", katex_version(), formula.tex, formula.display), "<span>old</span>")
    html = render_formulas([formula], cache)[(formula.tex, formula.display)]
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML">' in html
    assert '<annotation encoding="application/x-tex">a_i</annotation>' in html
    assert 'class="katex-html" aria-hidden="true"' in html  # the visual copy stays silent


def test_the_page_speaks_the_language_of_deck_toml(make_deck):
    deck = make_deck({"deck.toml": 'title = "Faltung & Pooling"\nsubtitle = "Teil 2"\nlang = "de-CH"\n',
                      "slides/01_a.md": "## Hallo\n"})
    build(deck, deck / "build" / "site")
    page = (deck / "build" / "site" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de-CH">' in page and "<title>Faltung &amp; Pooling: Teil 2</title>" in page
    plain = make_deck({"slides/01_a.md": "## Hello\n"}, name="plain")
    build(plain, plain / "build" / "site")
    assert '<html lang="en">' in (plain / "build" / "site" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["english", "e", "en_US", "en-", "de CH"])
def test_a_language_that_is_no_tag_is_an_error(make_deck, lang):
    deck = make_deck({"deck.toml": f'title = "T"\nlang = "{lang}"\n', "slides/01_a.md": "## A\n"})
    with pytest.raises(DeckError) as caught:
        load_config(deck)
    assert str(caught.value) == f"deck.toml:2: lang '{lang}' is not a language tag like 'en' or 'de-CH'"


# Deuteranopia (no working M cones) at severity 1, Machado, Oliveira & Fernandes (2009), applied to
# linear RGB. Distances are CIE76 Delta E in CIELAB (D65): about 2.3 is just noticeable; 15 keeps
# two lines or bars of a plot apart at a glance on a projector (the Okabe-Ito palette's closest pair
# under deuteranopia, green and purple, sits near 18).
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968],
                         [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])
MIN_DELTA_E = 15.0


def linear_rgb(hex_colour: str) -> np.ndarray:
    srgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def cielab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(linear, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])  # D65 white
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_the_simulation_is_the_published_one():
    # Machado's matrices keep white white (rows sum to 1) and make red and green alike for a deuteranope.
    np.testing.assert_allclose(DEUTERANOPIA.sum(axis=1), 1.0, atol=1e-5)
    red, green = (cielab(DEUTERANOPIA @ linear_rgb(c)) for c in ("#ff0000", "#00ff00"))
    assert np.linalg.norm(red - green) < 0.4 * np.linalg.norm(cielab(linear_rgb("#ff0000")) - cielab(linear_rgb("#00ff00")))


def test_figure_colours_stay_apart_under_deuteranopia():
    seen = {name: cielab(DEUTERANOPIA @ linear_rgb(colour)) for name, colour in
            ((name, getattr(_style, name)) for name in dir(_style) if re.fullmatch(r"[A-Z]+", name))
            if isinstance(colour, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", colour)}
    assert len(seen) == len(_style.COLORS) >= 5, seen
    close = [f"{a}/{b}: {np.linalg.norm(seen[a] - seen[b]):.1f}" for a, b in itertools.combinations(seen, 2)
             if np.linalg.norm(seen[a] - seen[b]) < MIN_DELTA_E]
    assert not close, f"figure colours a deuteranope cannot tell apart (Delta E < {MIN_DELTA_E}): {close}"
