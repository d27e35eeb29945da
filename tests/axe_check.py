"""axe-core (npm) run in an offline Chromium on every slide of a built deck, with the WCAG 2.1 A and
AA rules; each violation is named by the slide's source path:line, its title and the rule."""
from __future__ import annotations

from pathlib import Path

from slide_layout import SETTLED, slide_indices

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# The page as a whole (language, title, landmarks, the controls around the slides) once, on the
# first slide; then each slide on its own, shown in the final state of its fragments. The slides
# not shown are inert and hidden from assistive technology by reveal.js, so axe skips them.
RUN = """async ([context, tags]) => {
  const target = context === 'page' ? document : Reveal.getCurrentSlide();
  const result = await axe.run(target, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations', 'incomplete']});
  const slide = Reveal.getCurrentSlide(), heading = slide.querySelector('h1, h2, h3');
  const where = `${slide.dataset.source || '?'} (${heading ? heading.textContent.trim() : 'untitled'})`;
  const brief = list => list.map(r => ({rule: r.id, help: r.help,
    nodes: r.nodes.map(n => ({target: n.target.join(' '), summary: (n.failureSummary || '').split('\\n').slice(1, 2).join('')}))}));
  return {where, violations: brief(result.violations), incomplete: brief(result.incomplete)};
}"""


# The chalkboard's drawing layer is a transparent canvas over every slide: axe cannot see through
# it and leaves every contrast undecided, so it is set aside while a slide is checked (it shows
# nothing until someone draws) and put back for the states where the board is in use.
DRAWING_LAYER = """shown => document.querySelectorAll('.reveal .overlay').forEach(layer => {
  if (layer.querySelector('canvas')) layer.style.display = shown ? '' : 'none';
})"""

# The page's other states: the menu on each of its panels, the board and the drawing layer in use.
STATES = {
    "the menu (Slides panel)": "() => { Reveal.getPlugin('menu').openMenu(); Reveal.getPlugin('menu').openPanel(null, 'Slides'); }",
    "the menu (Sections panel)": "() => Reveal.getPlugin('menu').openPanel(null, 'Custom0')",
    "the board": "() => { Reveal.getPlugin('menu').closeMenu(); RevealChalkboard.toggleChalkboard(); }",
    "drawing on the slide": "() => { RevealChalkboard.toggleChalkboard(); RevealChalkboard.toggleNotesCanvas(); }",
}
SHOWN = {  # what tells that the state is reached
    "the menu (Slides panel)": "Reveal.getPlugin('menu').isOpen() && !!document.querySelector('.active-menu-panel[data-panel=\"Slides\"]')",
    "the menu (Sections panel)": "!!document.querySelector('.active-menu-panel[data-panel=\"Custom0\"]')",
    "the board": "document.getElementById('chalkboard').style.visibility === 'visible'",
    "drawing on the slide": "document.getElementById('notescanvas').style.pointerEvents === 'auto'",
}


def inject_axe(page) -> None:
    if not AXE.is_file():
        raise AssertionError(f"{AXE} is missing: run `make setup` (npm ci installs axe-core)")
    page.add_script_tag(path=str(AXE))


def axe_page_states(page) -> list[dict]:
    """[{where, violations, incomplete}] of the page with its menu open on each panel and the chalkboard in use."""
    inject_axe(page)
    reports = []
    for state, action in STATES.items():
        page.evaluate(DRAWING_LAYER, "board" in state or "drawing" in state)
        page.evaluate(action)
        page.wait_for_function(SHOWN[state])
        report = page.evaluate(RUN, ["page", WCAG_21_AA])
        reports.append({**report, "where": state})
    return reports


def axe_slides(page) -> list[dict]:
    """[{where, violations, incomplete}]: the whole page once, then every slide in deck order."""
    inject_axe(page)
    page.evaluate(DRAWING_LAYER, False)
    reports = []
    for number, (h, v) in enumerate(slide_indices(page)):
        page.evaluate(f"() => Reveal.slide({h}, {v}, 999)")
        # A fragment caught mid-fade has a colour between its own and the background's, and axe
        # measures that: on a loaded machine a dimmed code line read 4.47:1 instead of its 6:1.
        page.wait_for_function(SETTLED)
        if number == 0:
            reports.append(page.evaluate(RUN, ["page", WCAG_21_AA]))
        reports.append(page.evaluate(RUN, ["slide", WCAG_21_AA]))
    return reports


def violation_lines(reports: list[dict], key: str = "violations") -> list[str]:
    """One line per slide and rule: 'slides/03_x.md:12 (Title): rule-id (N nodes): help; first node'."""
    lines = []
    for report in reports:
        for found in report[key]:
            first = found["nodes"][0]
            lines.append(f"{report['where']}: {found['rule']} ({len(found['nodes'])} nodes): {found['help']};"
                         f" e.g. {first['target']} {first['summary']}".rstrip())
    return lines


def count_by_rule(reports: list[dict], key: str = "violations") -> dict[str, int]:
    """{rule: nodes} summed over every report, for before/after numbers."""
    counts: dict[str, int] = {}
    for report in reports:
        for found in report[key]:
            counts[found["rule"]] = counts.get(found["rule"], 0) + len(found["nodes"])
    return dict(sorted(counts.items()))
