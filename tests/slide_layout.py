"""Does every slide fit the projector? Visit each slide of a built deck in its final fragment state
and report what sticks out of the 1280x720 slide box or needs scrolling.

Used by tests/test_lecture_deck.py, and by hand to look at a deck:

    .venv/bin/python tests/slide_layout.py build/site /tmp/shots    # one PNG per slide + a report
"""
from __future__ import annotations

import sys
from pathlib import Path

# Runs in the page, on the current slide: the elements outside the slide box (by more than a pixel,
# after reveal.js's scaling) and the code blocks whose text is cut off.
MEASURE = """() => {
  const box = document.querySelector('.reveal .slides').getBoundingClientRect();
  const scale = box.width / 1280;
  const slide = Reveal.getCurrentSlide();
  const problems = [];
  const name = (el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  for (const el of slide.querySelectorAll('*')) {
    // notes are hidden; KaTeX draws roots and braces as wide SVG paths that their box crops
    // KaTeX's MathML copy is for screen readers: clipped to nothing on screen, whatever its width
    if (el.closest('aside.notes') || el.closest('svg') || el.closest('.katex-mathml')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const out = Math.max(box.left - r.left, r.right - box.right, box.top - r.top, r.bottom - box.bottom);
    if (out > 1) problems.push(`${name(el)} sticks out by ${Math.round(out / scale)} px`);
  }
  for (const code of slide.querySelectorAll('pre code')) {
    if (code.scrollHeight > code.clientHeight + 1 || code.scrollWidth > code.clientWidth + 1)
      problems.push(`code block cut off (${code.scrollWidth}x${code.scrollHeight} in ${code.clientWidth}x${code.clientHeight})`);
  }
  return [...new Set(problems)].slice(0, 5);
}"""


# Fragments fade in: true once no transition or animation of the current slide runs any more.
# Only the slide's own count: reveal.js's arrow hint outside it bounces 50 times (minutes).
SETTLED = ("() => document.getAnimations().every(a => a.playState !== 'running'"
           " || !(a.effect && Reveal.getCurrentSlide().contains(a.effect.target)))")


def slide_indices(page) -> list[tuple[int, int]]:
    """(h, v) of every slide, in order."""
    return page.evaluate("""() => Reveal.getHorizontalSlides().flatMap((section, h) => {
        const vertical = section.querySelectorAll(':scope > section');
        return vertical.length ? [...vertical].map((_, v) => [h, v]) : [[h, 0]];
    })""")


def slide_title(page) -> str:
    return page.evaluate("""() => { const s = Reveal.getCurrentSlide();
        const h = s.querySelector('h1, h2, h3'); return h ? h.textContent.trim() : '(untitled)'; }""")


def layout_problems(page, screenshots: Path | None = None) -> dict[str, list[str]]:
    """'h.v title' -> problems, for every slide that does not fit; PNGs into `screenshots` if given."""
    found = {}
    for h, v in slide_indices(page):
        page.evaluate(f"() => Reveal.slide({h}, {v}, 999)")  # the final fragment state
        page.wait_for_function(SETTLED)
        label = f"{h}.{v} {slide_title(page)}"
        if screenshots is not None:
            page.screenshot(path=str(screenshots / f"slide-{h:02d}-{v:02d}.png"))
        problems = page.evaluate(MEASURE)
        if problems:
            found[label] = problems
    return found


def main(site: Path, screenshots: Path) -> int:
    from deckbuild.browser import in_chromium

    screenshots.mkdir(parents=True, exist_ok=True)

    def visit(browser):
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto((site / "index.html").resolve().as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()")
        return layout_problems(page, screenshots), len(slide_indices(page))

    found, count = in_chromium(visit)
    for label, problems in found.items():
        print(f"{label}: " + "; ".join(problems))
    print(f"{count} slides, {len(found)} with layout problems; screenshots in {screenshots}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    if len(sys.argv) != 3:
        sys.exit("usage: slide_layout.py SITE_DIR SCREENSHOT_DIR")
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
