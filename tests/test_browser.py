"""A built deck in a real browser (Chromium, offline, from file://)."""
from __future__ import annotations

from deckbuild.pipeline import build

from conftest import open_deck

SLIDES = """\
# Cross-entropy
$$H(q, p) = -\\sum_k q_k \\log p_k$$

Note:
These words belong to the speaker only.
---
# Code
```python norun [1|2]
x = 1
print(x)
```
--
# Picture
![a square](square.svg)
---
# Inline $a_i$ math
"""


def test_tiny_deck_in_the_browser(make_deck, chromium):
    square = "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='40'><rect width='40' height='40'/></svg>"
    deck = make_deck({"slides/01_a.md": SLIDES, "slides/square.svg": square})
    build(deck, deck / "build" / "site")
    page = open_deck(chromium, deck / "build" / "site" / "index.html")
    assert page.evaluate("Reveal.getTotalSlides()") == 5  # the title slide and the four written
    assert page.console_errors == []
    assert [url for url in page.requests if not url.startswith("file://")] == []
    assert page.locator(".katex").count() == 2
    text = page.evaluate("document.querySelector('.slides').innerText")
    assert "$$" not in text and "These words belong" not in page.evaluate(
        "[...document.querySelectorAll('.slides section')].filter(s => s.offsetParent).map(s => s.innerText).join()")
    assert page.locator("pre.code .nb").count() >= 1  # `print` highlighted as a builtin
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    notes = page.locator("aside.notes").first
    assert not notes.is_visible()
    page.close()
