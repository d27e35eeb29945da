"""The instructor's tools in a real browser, offline from file://: speaker view, chalkboard, menu,
search, zoom, overview, exercises, video, print and notebook links. Every request is recorded and
anything that is not a local file fails the test."""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from conftest import write_files
from deckbuild.pipeline import build

ACTIVATIONS = """\
## Activations

- ReLU keeps positives
- and zeros the rest

Note:
Ask the class what happens at zero.
---
## Write ReLU

```python exercise
def relu(x):
    ### BEGIN SOLUTION
    return x.clamp(min=0)
    ### END SOLUTION
```

Note:
Give them two minutes.
"""
TRAINING = """\
## Training, animated

<video src="media/square.webm" data-autoplay loop muted></video>
--
## A stacked slide

Nothing but prose.
---
## Hidden treasure

The word zebracorn appears only here.

Note:
Search lands here.
"""
TITLES = ["Tiny deck", "Activations", "Write ReLU", "Training, animated", "A stacked slide", "Hidden treasure"]
# A canvas animation recorded by Chromium itself: there is no video encoder on the test machine.
RECORD_WEBM = """async () => {
  const canvas = Object.assign(document.createElement('canvas'), {width: 160, height: 90});
  const pen = canvas.getContext('2d'), recorder = new MediaRecorder(canvas.captureStream(25), {mimeType: 'video/webm'});
  const parts = [], frames = setInterval(() => { pen.fillStyle = '#124'; pen.fillRect(0, 0, 160, 90);
    pen.fillStyle = '#fc3'; pen.fillRect((Date.now() / 5) % 140, 35, 20, 20); }, 40);
  recorder.ondataavailable = event => parts.push(event.data);
  recorder.start(); await new Promise(done => setTimeout(done, 800)); recorder.stop();
  await new Promise(done => recorder.onstop = done); clearInterval(frames);
  const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
  return btoa(Array.from(bytes, b => String.fromCharCode(b)).join(''));
}"""
INK = """selector => { const canvas = document.querySelector(selector);
  const alpha = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0; for (let i = 3; i < alpha.length; i += 4) if (alpha[i] > 0) inked++; return inked; }"""


@pytest.fixture(scope="module")
def webm(chromium) -> bytes:
    page = chromium.new_page()
    try:
        page.set_content("<body></body>")
        return base64.b64decode(page.evaluate(RECORD_WEBM))
    finally:
        page.close()


@pytest.fixture(scope="module")
def hall_deck(tmp_path_factory, webm) -> Path:
    """A two-section deck with notes, an exercise, a stacked slide and a video, built once."""
    deck = write_files(tmp_path_factory.mktemp("hall") / "deck", {
        "deck.toml": 'title = "Tiny deck"\n', "code_snippets/__init__.py": "", "figures_src/__init__.py": "",
        "slides/01_activations.md": ACTIVATIONS, "slides/02_training.md": TRAINING, "slides/media/square.webm": webm,
        # exported student notebooks: sections link only to notebooks that exist (hall.py)
        "build/notebooks/01_activations.ipynb": "{}", "build/notebooks/02_training.ipynb": "{}",
    })
    build(deck, deck / "build" / "site")
    return deck


class Visit:
    """One offline browser context on a built deck; remembers every URL asked for and every error."""

    def __init__(self, browser, site: Path):
        self.site, self.urls, self.errors = site, [], []
        self.context = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
        self.context.set_default_timeout(5000)  # a feature that works answers within a second
        self.context.route("**/*", self._route)  # the context, so that popups are watched too
        self.context.on("page", self._watch)

    def _route(self, route) -> None:
        self.urls.append(route.request.url)
        local = route.request.url.startswith(("file://", "blob:", "data:"))
        route.continue_() if local else route.abort()

    def _watch(self, page) -> None:
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, where: str = ""):
        page = self.context.new_page()
        page.goto((self.site / "index.html").as_uri() + where)
        page.wait_for_function("window.Reveal && Reveal.isReady()")
        return page

    def close(self) -> None:
        self.context.close()
        assert [url for url in self.urls if not url.startswith(("file://", "blob:", "data:"))] == []
        assert self.errors == []


@pytest.fixture
def visit(chromium, hall_deck):
    session = Visit(chromium, hall_deck / "build" / "site")
    yield session
    session.close()


def stroke(page, start: tuple[int, int], end: tuple[int, int]) -> None:
    """Drag the mouse in small steps, as a hand does."""
    page.mouse.move(*start)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(start[0] + (end[0] - start[0]) * step / 10, start[1] + (end[1] - start[1]) * step / 10)
    page.mouse.up()


def test_a_stroke_on_the_slide_survives_leaving_it(visit):
    page = visit.open("#/1")
    page.keyboard.press("c")  # the pen on the slide
    assert page.evaluate("getComputedStyle(document.querySelector('#notescanvas')).pointerEvents") == "auto"
    assert page.evaluate(INK, "#notescanvas canvas") == 0
    stroke(page, (300, 500), (900, 400))
    drawn = page.evaluate(INK, "#notescanvas canvas")
    assert drawn > 500
    page.keyboard.press("c")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('#notescanvas canvas') && Reveal.getIndices().h === 2")
    # The plugin redraws a slide's notes after its transition: wait for the blank canvas.
    page.wait_for_function(f"({INK})('#notescanvas canvas') === 0")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"({INK})('#notescanvas canvas') === {drawn}")
    page.wait_for_function("location.hash === '#/1'")  # reveal.js writes the URL a moment later
    page.reload()  # the tab's session storage keeps the class's drawings
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    page.wait_for_function(f"({INK})('#notescanvas canvas') === {drawn}")


def test_the_board_opens_clears_and_its_drawings_load_from_the_deck(visit, chromium, hall_deck, tmp_path):
    page = visit.open("#/1")
    page.keyboard.press("b")
    page.wait_for_function("getComputedStyle(document.querySelector('#chalkboard')).visibility === 'visible'")
    grid = page.evaluate(INK, "#chalkboard canvas")  # the board's grid lines
    stroke(page, (200, 200), (700, 500))
    assert page.evaluate(INK, "#chalkboard canvas") > grid + 500
    with page.expect_download() as download:
        page.keyboard.press("d")
    assert download.value.suggested_filename == "chalkboard.json"
    saved = Path(download.value.path()).read_text()
    board = json.loads(saved)[1]["data"]
    assert [entry["slide"]["h"] for entry in board] == [1]
    page.keyboard.press("Delete")
    assert page.evaluate(INK, "#chalkboard canvas") == grid
    page.keyboard.press("b")
    page.wait_for_function("getComputedStyle(document.querySelector('#chalkboard')).visibility === 'hidden'")

    # Saved next to deck.toml, the drawings come back in a fresh browser.
    deck = write_files(tmp_path / "deck", {"chalkboard.json": saved, **{
        str(p.relative_to(hall_deck)): p.read_bytes() for p in hall_deck.rglob("*")
        if p.is_file() and "build" not in p.parts and ".cache" not in p.parts}})
    build(deck, deck / "build" / "site")
    fresh = Visit(chromium, deck / "build" / "site")
    again = fresh.open("#/1")
    again.keyboard.press("b")
    again.wait_for_function(f"({INK})('#chalkboard canvas') > {grid + 500}")
    fresh.close()


def test_menu_lists_every_slide_and_every_section(visit):
    page = visit.open()
    page.keyboard.press("m")
    page.wait_for_selector("nav.slide-menu.active")
    titles = page.locator(".slide-menu-panel[data-panel=Slides] .slide-menu-item-title").all_inner_texts()
    assert titles == TITLES
    numbers = page.locator(".slide-menu-panel[data-panel=Slides] .slide-menu-item-number").all_inner_texts()
    assert [n.strip() for n in numbers] == ["1.", "2.", "3.", "4.", "5.", "6."]
    page.click(".slide-menu-toolbar li[data-panel=Custom0]")  # the Sections panel
    sections = page.locator(".slide-menu-panel[data-panel=Custom0] .slide-menu-item-title")
    assert sections.all_inner_texts() == ["Activations", "Training, animated"]
    sections.nth(1).click()
    page.wait_for_function("Reveal.getIndices().h === 3 && !document.body.classList.contains('slide-menu-active')")


# The element that has the keyboard focus: its accessible name (aria-label, else its text) and outline.
FOCUSED = """() => { const e = document.activeElement, style = getComputedStyle(e);
  return {tag: e.tagName, name: (e.getAttribute('aria-label') || e.textContent).replace(/\\s+/g, ' ').trim(),
          outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2}; }"""


def test_the_hall_works_from_the_keyboard_alone(visit):
    page = visit.open()
    assert page.get_attribute(".reveal", "role") is None  # not an "application": screen readers keep browse mode
    tabbed = []
    while len(tabbed) < 10 and (not tabbed or tabbed[-1]["name"] != "Menu: slides and sections (M)"):
        page.keyboard.press("Tab")  # the title slide's link, the drawing buttons, slide number, next slide, menu
        tabbed.append(page.evaluate(FOCUSED))
    assert all(stop["name"] and stop["outline"] for stop in tabbed), tabbed
    names = [stop["name"] for stop in tabbed]
    assert {"Print / PDF", "Board (B)", "Draw on the slide (C)", "next slide", "Menu: slides and sections (M)"} <= set(names), names
    # The closed menu is out of the Tab order; the slides not shown are inert and hidden from screen readers.
    assert page.evaluate("document.querySelector('.slide-menu-wrapper').inert")
    assert page.evaluate("""[...document.querySelectorAll('.slides section:not(.stack)')].filter(s => !s.classList.contains('present'))
                            .every(s => s.closest('[inert]') && s.closest('[aria-hidden=true]'))""")
    page.keyboard.press("Shift+Tab")  # back from the menu button to the next-slide button
    assert page.evaluate(FOCUSED)["name"] == "next slide"
    page.keyboard.press("Enter")
    page.wait_for_function("Reveal.getIndices().h === 1")
    page.keyboard.press("m")
    page.wait_for_function("!document.querySelector('.slide-menu-wrapper').inert")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # the menu's next entry: the exercise slide
    page.wait_for_function("Reveal.getIndices().h === 2 && document.querySelector('.slide-menu-wrapper').inert")
    page.keyboard.press("b")  # the board: its colours are buttons reached by Tab
    page.wait_for_function("document.getElementById('chalkboard').style.visibility === 'visible'")
    stops = [page.evaluate(FOCUSED)]
    while len(stops) < 20 and not stops[-1]["name"].startswith("Chalk colour"):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
    page.keyboard.press("Tab")
    stops.append(page.evaluate(FOCUSED))
    assert [(stop["name"], stop["outline"]) for stop in stops[-2:]] == [("Chalk colour 1", True), ("Chalk colour 2", True)], stops
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#chalkboard .palette').style.cursor.includes('chalk-blue')")  # chalk 2 taken
    assert page.evaluate("[...document.querySelectorAll('.palette img')].every(img => img.getAttribute('alt') === '')")


def test_search_finds_a_word_on_a_later_slide(visit):
    page = visit.open()
    page.keyboard.press("Control+Shift+F")
    page.wait_for_selector("input.searchinput", state="visible")
    page.keyboard.type("zebracorn")
    page.keyboard.press("Enter")
    page.wait_for_function("Reveal.getIndices().h === 4")
    assert page.evaluate("Reveal.getCurrentSlide().querySelector('h2').textContent") == "Hidden treasure"
    assert page.locator(".present em", has_text="zebracorn").count() == 1  # the hit is highlighted


def test_speaker_view_opens_with_notes_timer_and_next_slide(visit):
    page = visit.open("#/1")
    with visit.context.expect_page() as popup:
        page.keyboard.press("s")
    speaker = popup.value
    notes = speaker.locator(".speaker-controls-notes .value")
    notes.filter(has_text="Ask the class what happens at zero.").wait_for()
    assert speaker.locator(".speaker-controls-time .timer").is_visible()
    upcoming = speaker.frame_locator("#upcoming-slide iframe")
    upcoming.locator("section.present h2", has_text="Write ReLU").wait_for()
    page.keyboard.press("ArrowRight")  # the speaker view follows the deck
    notes.filter(has_text="Give them two minutes.").wait_for()
    speaker.close()


def test_zoom_overview_and_slide_numbers(visit):
    page = visit.open("#/1")
    assert page.locator(".slide-number").inner_text().replace(" ", "") == "2/6"
    page.keyboard.down("Alt")
    page.mouse.click(400, 150)
    page.keyboard.up("Alt")
    assert "scale(2)" in page.evaluate("document.body.style.transform")
    page.keyboard.press("Escape")  # zooms out ...
    page.wait_for_function("document.body.style.transform === ''")
    page.keyboard.press("Escape")  # ... then shows the overview
    page.wait_for_function("Reveal.isOverview()")


def test_exercise_solution_is_the_next_fragment(visit):
    page = visit.open("#/2")
    solution = page.locator(".present code.exercise-solution")
    assert page.locator(".present code.exercise-question").inner_text().split("\n")[1].strip() == "...  # your code here"
    assert page.locator(".present .exercise-label").inner_text() == "Exercise"
    assert solution.evaluate("e => getComputedStyle(e).opacity") == "0"
    page.keyboard.press("ArrowRight")
    page.wait_for_function("getComputedStyle(document.querySelector('.present code.exercise-solution')).opacity === '1'")
    assert "return x.clamp(min=0)" in solution.inner_text()
    assert page.locator(".present .exercise-label").inner_text() == "Solution"


def test_a_local_video_is_copied_and_plays(visit, hall_deck, webm):
    copied = hall_deck / "build" / "site" / "media" / "slides" / "media" / "square.webm"
    assert copied.read_bytes() == webm
    page = visit.open("#/3")
    page.wait_for_function("(v => v && !v.paused && v.currentTime > 0.1)(document.querySelector('.present video'))")


def test_title_slide_links_print_and_sections_link_their_notebooks(visit, hall_deck):
    page = visit.open()
    assert page.locator(".title-slide a.print-link").get_attribute("href") == "?print-pdf"
    assert page.locator(".title-slide a.pdf-link").count() == 0  # no build/deck.pdf yet
    links = page.locator("section[data-notebook] > a.notebook-link")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "notebooks/01_activations.ipynb", "notebooks/02_training.ipynb"]
    page.click(".title-slide a.print-link")
    page.wait_for_function("document.documentElement.classList.contains('print-pdf') && Reveal.isReady()")
    assert re.search(r"\?print-pdf$", page.url)
    assert not page.locator(".title-slide .deck-links").is_visible()


# What the page is given, without a browser.

@pytest.mark.parametrize("base, expected", [
    ("", "notebooks/02_training.ipynb"),
    ("https://example.org/course/nb/", "https://example.org/course/nb/02_training.ipynb"),
    ("https://example.org/course/nb", "https://example.org/course/nb/02_training.ipynb"),
    ("https://hub.example.org/open?file=", "https://hub.example.org/open?file=02_training.ipynb"),
])
def test_notebook_links_follow_the_base_url(make_deck, base, expected):
    from deckbuild.config import load_config
    from deckbuild.hall import notebook_url

    deck = make_deck({"deck.toml": f'title = "T"\nnotebook_base_url = "{base}"\n', "slides/01_a.md": "# A\n"})
    assert notebook_url(load_config(deck), "slides/02_training.md") == expected


def test_the_pdf_link_and_the_site_extras_follow_the_exports(make_deck):
    from deckbuild.config import load_config
    from deckbuild.hall import site_extras

    deck = make_deck({"slides/01_a.md": "# A\n", "build/deck.pdf": b"%PDF-1.4\n",
                      "build/notebooks/01_a.ipynb": "{}", "build/notebooks/instructor/01_a.ipynb": "{}"})
    assert site_extras(load_config(deck)) == {"notebooks/01_a.ipynb": deck / "build/notebooks/01_a.ipynb",
                                              "deck.pdf": deck / "build/deck.pdf"}
    build(deck, deck / "build" / "site")
    assert '<a class="pdf-link" href="deck.pdf">' in (deck / "build/site/index.html").read_text()


def test_broken_saved_drawings_are_a_build_error(make_deck):
    from deckbuild.errors import DeckError

    deck = make_deck({"deck.toml": 'title = "T"\nchalkboard_file = "class3.json"\n', "slides/01_a.md": "# A\n",
                      "class3.json": '[{"width": 1280,\n "height": }]'})
    with pytest.raises(DeckError) as error:
        build(deck, deck / "build" / "site")
    assert [str(p) for p in error.value.problems] == ["class3.json:2: invalid chalkboard drawings: Expecting value"]


def test_a_reveal_plugin_table_changes_one_setting_and_keeps_the_others(make_deck):
    deck = make_deck({"deck.toml": 'title = "T"\n[reveal.chalkboard]\ntheme = "whiteboard"\n', "slides/01_a.md": "# A\n"})
    build(deck, deck / "build" / "site")
    page = (deck / "build" / "site" / "index.html").read_text()
    options = json.loads(re.search(r"Object\.assign\((\{.*?\}), \{\n  plugins", page, re.S).group(1))
    assert options["chalkboard"] == {"theme": "whiteboard", "readOnly": False, "transition": 100}
    assert options["menu"]["loadIcons"] is False and options["width"] == 1280
