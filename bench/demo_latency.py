"""`make bench`, live demos: how fast a network trained by the build answers on its slide.

Opens a built site from file:// in headless Chromium with the network blocked, shows the first
draw-digit demo, draws strokes with the mouse and reads what the widget measured itself: for every
pointer event, the milliseconds from the event's time stamp to the bars, maps and text updated
(preprocessing, one onnxruntime-web inference, the DOM). Also: the bytes the demo adds to the site,
and the time from showing the slide to a model ready to answer (runtime and model loaded and
decoded, session created, one warm-up inference).

    .venv/bin/python bench/demo_latency.py build/site
"""
from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STROKE_LIMIT_MS = 50  # issue 20: drawing to updated bars under 50 ms for LeNet-5 on a laptop-class CPU
READY_LIMIT_S = 3  # a slide that keeps the room waiting longer than a breath is a slide skipped
STROKES = [  # fractions of the drawing area: a 7, a 1, a 4 (two strokes)
    [(0.3, 0.25), (0.7, 0.25), (0.45, 0.8)],
    [(0.5, 0.2), (0.5, 0.85)],
    [(0.35, 0.2), (0.3, 0.55), (0.7, 0.55)],
    [(0.6, 0.3), (0.6, 0.85)],
]


def measure(site: Path, runs: int = 3) -> dict | None:
    """{"bytes", "ready_s" [per run], "stroke_ms" [per pointer event]} for the first draw-digit demo
    of the site; None when the site has none."""
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from deckbuild.browser import launch_chromium

    html = (site / "index.html").read_text(encoding="utf-8")
    if 'data-kind="draw-digit"' not in html:
        return None
    found = {"bytes": sum(f.stat().st_size for f in (site / "demo").rglob("*") if f.is_file()), "ready_s": [],
             "stroke_ms": []}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for _ in range(runs):  # a fresh page each time: the runtime is loaded and decoded again
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                           else route.abort())
                page.goto((site / "index.html").as_uri())
                page.wait_for_function("window.Reveal && Reveal.isReady()")
                page.evaluate("""(() => { const slide = document.querySelector('.deck-demo[data-kind="draw-digit"]').closest('section');
                    const at = Reveal.getIndices(slide); Reveal.slide(at.h, at.v); })()""")
                page.wait_for_selector(".present .deck-demo.demo-ready", timeout=120_000)
                for stroke in STROKES:
                    _draw(page, stroke)
                page.wait_for_function("(d => d.busy === false)(document.querySelector('.present .deck-demo').deckDemo)")
                done = page.evaluate("(d => ({ready: d.readyMs, strokes: d.latencies}))(document.querySelector('.present .deck-demo').deckDemo)")
                found["ready_s"].append(done["ready"] / 1000)
                found["stroke_ms"] += done["strokes"]
                page.close()
        finally:
            browser.close()
    return found


def _draw(page, points) -> None:
    box = page.locator(".present .demo-canvas").bounding_box()
    at = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for x, y in at[1:]:
        page.mouse.move(x, y, steps=15)
    page.mouse.up()


def demo_rows(site: Path, Row) -> list:
    """bench.py's table rows (Row is its dataclass): size added, slide shown to ready, per-stroke latency."""
    found = measure(site)
    if found is None:
        return [Row("live demo: drawing to updated bars", [], "s", "", None, "no draw-digit demo on the slides")]
    strokes = sorted(found["stroke_ms"])
    p95 = strokes[int(0.95 * (len(strokes) - 1))]
    median = statistics.median(strokes)
    return [
        Row("live demo: files added to the site", [found["bytes"] / 1e6], "MB", "", None,
            "onnxruntime-web's WebAssembly as base64, the model, the widget"),
        Row("live demo: slide shown to model ready (fresh page)", found["ready_s"], "s", f"< {READY_LIMIT_S} s",
            statistics.median(found["ready_s"]) < READY_LIMIT_S),
        Row("live demo: pointer event to updated bars", strokes, "ms",
            f"< {STROKE_LIMIT_MS} ms median", median < STROKE_LIMIT_MS, f"95th percentile {p95:.1f} ms, "
            f"median {median:.1f} ms, {len(strokes)} events"),
    ]


if __name__ == "__main__":
    result = measure(Path(sys.argv[1]).resolve())
    if result is None:
        print("no draw-digit demo in this site")
    else:
        strokes = sorted(result["stroke_ms"])
        print(f"site size added: {result['bytes'] / 1e6:.1f} MB")
        print(f"slide shown to model ready: {', '.join(f'{s:.2f}' for s in result['ready_s'])} s")
        print(f"pointer event to updated bars: median {statistics.median(strokes):.1f} ms, "
              f"95th percentile {strokes[int(0.95 * (len(strokes) - 1))]:.1f} ms, max {strokes[-1]:.1f} ms, "
              f"{len(strokes)} events")
