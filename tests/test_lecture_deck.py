"""The lecture deck of this repository as a whole: it builds, every reference on a slide gives something
real, every slide fits the projector, and the teaching conventions of CONTENT.md hold."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from deckbuild.browser import in_chromium, offline_page
from deckbuild.cache import Cache
from deckbuild.config import load_config
from deckbuild.markdown_render import Stash
from deckbuild.pipeline import Options, resolve_references
from deckbuild.references import call_key, index_references
from deckbuild.slides import read_slide_files
from slide_layout import MEASURE, slide_indices

ROOT = Path(__file__).resolve().parents[1]
REFS = index_references(read_slide_files(ROOT))  # cheap: nothing runs to list them


def cited_works(citation_line: str) -> set[tuple[str, str]]:
    """(first author, year) of each work in a line like 'Hubel & Wiesel, 1959, 1968; Schwartz, 1977'."""
    works = set()
    for citation in citation_line.split(";"):
        author = re.search(r"[A-Z][A-Za-z\-]+", citation)
        if author:
            works |= {(author.group(), year) for year in re.findall(r"\b(?:19|20)\d\d\b", citation)}
    return works


# What the browser reads off each slide once it is shown in its final fragment state.
FACTS = """() => {
  const s = Reveal.getCurrentSlide(), heading = s.querySelector('h1, h2, h3');
  const notes = s.querySelector('aside.notes');
  return {source: s.dataset.source || '', title: heading ? heading.textContent.trim() : '',
          math: s.querySelectorAll('.katex').length, figures: s.querySelectorAll('img').length,
          notes: notes ? notes.textContent.trim().length : 0, goody: !!s.querySelector('.goody'),
          refs: [...s.querySelectorAll('.ref')].map(r => r.textContent.trim()),
          items: [...s.querySelectorAll('li')].map(li => li.textContent.trim()), text: s.innerText};
}"""


@pytest.fixture(scope="module")
def lecture(lecture_site):
    """The lecture built into a temporary folder (once per session), and what each reference resolved to."""
    out = lecture_site
    stash = Stash()  # the build just cached every result: resolving again runs nothing
    results, _ = resolve_references(ROOT, REFS, Cache(ROOT / ".cache"), Options(progress=False),
                                    load_config(ROOT).timeout, stash)
    return out, results, stash


@pytest.fixture(scope="module")
def slides(lecture):
    """Facts and layout problems of every slide, read in an offline Chromium."""
    out, _, _ = lecture

    def visit(browser):
        page = offline_page(browser, viewport={"width": 1280, "height": 720})
        page.goto((out / "index.html").as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()")
        seen = []
        for h, v in slide_indices(page):
            page.evaluate(f"() => Reveal.slide({h}, {v}, 999)")
            seen.append({**page.evaluate(FACTS), "problems": page.evaluate(MEASURE), "at": f"{h}.{v}"})
        return seen, page.blocked

    return in_chromium(visit)


def test_the_deck_has_slides_and_references_to_check():
    # twelve sections of CONTENT.md in eleven files: normalization is taught inside typical convnets
    assert len(read_slide_files(ROOT)) >= 11, "slides/ should hold the sections of CONTENT.md"
    assert len(REFS) >= 100, f"only {len(REFS)} references: is slides/ complete?"


@pytest.mark.parametrize("ref", REFS, ids=[f"{r.where} {r.kind}({r.target})" for r in REFS])
def test_each_reference_gives_something_real(lecture, ref):
    out, results, stash = lecture
    shown = results[call_key(ref.kind, ref.target, ref.args)]
    if ref.kind == "exec":
        return  # it ran without an error; the slide shows the fence's own code
    html = shown if ref.kind == "value" else stash.restore(shown, {})
    assert html.strip(), f"{ref.where}: {ref.kind}({ref.target}) put nothing on the slide"
    if ref.kind == "value":
        assert html.strip().lower() not in ("none", "nan", "inf", "-inf"), f"{ref.where}: value is {html}"
    if ref.kind == "figure":
        svg = (out / "figures" / f"{ref.target}.svg").read_text(encoding="utf-8")
        assert "<svg" in svg and len(svg) > 2000, f"{ref.target}.svg looks empty"
    if ref.kind in ("snippet", "output"):
        assert "<code" in html and len(re.sub(r"<[^>]+>", "", html).strip()) > 10


def test_the_lecture_is_60_to_68_slides(slides):
    seen, _ = slides  # 75 minutes: about a minute a slide, with time for the questions
    assert 60 <= len(seen) <= 68, f"{len(seen)} slides"


def test_every_slide_fits_the_projector(slides):
    seen, _ = slides
    bad = {f"{s['at']} {s['source']} {s['title']}": s["problems"] for s in seen if s["problems"]}
    assert not bad, "\n".join(f"{where}: {'; '.join(problems)}" for where, problems in bad.items())


def test_slides_with_a_formula_or_figure_have_speaker_notes(slides):
    seen, _ = slides
    silent = [f"{s['source']} {s['title']}" for s in seen
              if (s["math"] or s["figures"]) and s["notes"] < 80 and "title-slide" not in s["source"]]
    assert not silent, "no speaker notes (or under 80 characters) on:\n" + "\n".join(silent)


def test_every_section_but_the_last_ends_with_a_goody_slide(slides):
    seen, _ = slides
    files = sorted({s["source"].split(":")[0] for s in seen if s["source"].startswith("slides/")})
    without = [f for f in files[:-1] if not any(s["goody"] for s in seen if s["source"].startswith(f + ":"))]
    assert not without, f"no Goody slide in {without}"


def test_every_citation_is_in_the_bibliography(slides):
    seen, _ = slides
    bibliography = [s for s in seen if re.search(r"References|Bibliography", s["title"])]
    assert bibliography, "no slide titled References or Bibliography"
    entries = [item for s in bibliography for item in s["items"]]
    cited = {work for s in seen for ref in s["refs"] for work in cited_works(ref)}
    assert cited, "no citation lines (class ref) in the deck"
    missing = [f"{name} {year}" for name, year in sorted(cited)
               if not any(name in entry and year in entry for entry in entries)]
    assert not missing, f"cited but not in the bibliography: {missing}"


def test_the_lecture_loads_nothing_from_the_network(slides):
    _, blocked = slides
    assert blocked == []


def test_the_assignment_lesson_holds_for_the_computed_numbers(lecture):
    """The notes say what convolution buys: fewer parameters than the dense network, and better accuracy."""
    _, results, _ = lecture

    def number(target: str, fmt: str) -> float:
        text = results[call_key("value", target, (("_1", fmt),))]
        return float(text.replace(",", "").rstrip("%")) / (100 if text.endswith("%") else 1)

    assert number("lenet:n_params", "{:,}") < number("lenet:n_params_fully_connected", "{:,}")
    assert number("trained_lenet5.test_accuracy", "{:.1%}") > number("trained_fully_connected.test_accuracy", "{:.1%}")
