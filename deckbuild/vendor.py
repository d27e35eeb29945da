"""The files a built deck carries: reveal.js and its plugins, KaTeX's CSS and fonts, local icons,
and the engine's own page glue; nothing is ever loaded from the network."""
from __future__ import annotations

from pathlib import Path

from .config import ENGINE_ROOT

NODE = ENGINE_ROOT / "node_modules"
HERE = Path(__file__).resolve().parent
# (source, target in the site): a source is relative to node_modules, or an absolute path for the
# engine's own files (NODE / absolute path is that path). Scripts load in this order.
VENDOR = [
    ("reveal.js/dist/reset.css", "lib/reveal/reset.css"),
    ("reveal.js/dist/reveal.css", "lib/reveal/reveal.css"),
    ("reveal.js/dist/reveal.js", "lib/reveal/reveal.js"),
    ("reveal.js/dist/plugin/notes.js", "lib/reveal/plugin/notes.js"),
    ("reveal.js/dist/plugin/search.js", "lib/reveal/plugin/search.js"),
    ("reveal.js/dist/plugin/zoom.js", "lib/reveal/plugin/zoom.js"),
    ("katex/dist/katex.min.css", "lib/katex/katex.min.css"),
    ("katex/dist/fonts", "lib/katex/fonts"),
    # The menu finds menu.css next to menu.js; its icons come from the local Font Awesome below.
    ("reveal.js-menu/menu.js", "lib/menu/menu.js"),
    ("reveal.js-menu/menu.css", "lib/menu/menu.css"),
    ("reveal.js-plugins/chalkboard/plugin.js", "lib/chalkboard/plugin.js"),
    ("reveal.js-plugins/chalkboard/style.css", "lib/chalkboard/style.css"),
    ("reveal.js-plugins/chalkboard/img", "lib/chalkboard/img"),  # chalk cursors, sponge, board textures
    ("reveal.js-plugins/customcontrols/plugin.js", "lib/customcontrols/plugin.js"),
    ("reveal.js-plugins/customcontrols/style.css", "lib/customcontrols/style.css"),
    # Font Awesome 5 as shipped inside reveal.js-menu; browsers take the woff2 files only.
    ("reveal.js-menu/font-awesome/css/all.css", "lib/font-awesome/css/all.css"),
    ("reveal.js-menu/font-awesome/LICENSE.txt", "lib/font-awesome/LICENSE.txt"),
    *[(f"reveal.js-menu/font-awesome/webfonts/fa-{name}.woff2", f"lib/font-awesome/webfonts/fa-{name}.woff2")
      for name in ("solid-900", "regular-400", "brands-400")],
    (HERE / "hall.css", "lib/deckbuild/hall.css"),
    (HERE / "hall.js", "lib/deckbuild/hall.js"),
    (HERE / "access.js", "lib/deckbuild/access.js"),
]
# Linked in <head> in this order, before the theme's CSS so that a theme can restyle them.
STYLESHEETS = [
    "lib/reveal/reset.css", "lib/reveal/reveal.css", "lib/katex/katex.min.css", "lib/font-awesome/css/all.css",
    "lib/chalkboard/style.css", "lib/customcontrols/style.css", "lib/deckbuild/hall.css",
]
PLUGINS = ["RevealNotes", "RevealSearch", "RevealZoom", "RevealMenu", "RevealChalkboard", "RevealCustomControls",
           "DeckAccess"]  # access.js: names the plugins' controls once they exist
# Plugin settings merged under the deck's [reveal] table; hall.js adds what only the page knows.
PLUGIN_OPTIONS = {
    "zoomKey": "alt",  # Alt-click zooms on every system (reveal.js picks Ctrl on Linux)
    "menu": {
        "side": "left", "numbers": "c", "titleSelector": "h1, h2, h3", "useTextContentForMissingTitles": True,
        "markers": True, "themes": False, "transitions": False, "loadIcons": False,  # icons are linked above
    },
    "chalkboard": {
        "theme": "chalkboard", "readOnly": False,  # drawings stay editable when a class comes back to a slide
        "transition": 100,  # the deck has no slide transition; redraw notes right after a change
    },
    "customcontrols": {
        "controls": [
            {"icon": '<i class="fa fa-pen-square" aria-hidden="true"></i>', "title": "Board (B)", "action": "RevealChalkboard.toggleChalkboard();"},
            {"icon": '<i class="fa fa-pen" aria-hidden="true"></i>', "title": "Draw on the slide (C)", "action": "RevealChalkboard.toggleNotesCanvas();"},
        ]
    },
}


def with_plugin_options(reveal: dict) -> dict:
    """The deck's [reveal] table over the plugin settings above, one table deep: [reveal.chalkboard]
    theme = "whiteboard" changes the theme and keeps the other chalkboard settings."""
    merged = {**PLUGIN_OPTIONS, **reveal}
    for name, defaults in PLUGIN_OPTIONS.items():
        if isinstance(defaults, dict) and isinstance(reveal.get(name), dict):
            merged[name] = {**defaults, **reveal[name]}
    return merged
