"""The npm files a built deck carries: reveal.js, its plugins and KaTeX's CSS and fonts."""
from __future__ import annotations

from .config import ENGINE_ROOT

NODE = ENGINE_ROOT / "node_modules"
# (source under node_modules, target in the site); scripts load in this order.
VENDOR = [
    ("reveal.js/dist/reset.css", "lib/reveal/reset.css"),
    ("reveal.js/dist/reveal.css", "lib/reveal/reveal.css"),
    ("reveal.js/dist/reveal.js", "lib/reveal/reveal.js"),
    ("reveal.js/dist/plugin/notes.js", "lib/reveal/plugin/notes.js"),
    ("reveal.js/dist/plugin/search.js", "lib/reveal/plugin/search.js"),
    ("reveal.js/dist/plugin/zoom.js", "lib/reveal/plugin/zoom.js"),
    ("katex/dist/katex.min.css", "lib/katex/katex.min.css"),
    ("katex/dist/fonts", "lib/katex/fonts"),
]
PLUGINS = ["RevealNotes", "RevealSearch", "RevealZoom"]
