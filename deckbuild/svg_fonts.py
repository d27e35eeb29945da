"""Fonts inside figure SVGs: the glyphs a figure's text uses, cut from the font files matplotlib laid the
text out with, embedded as data: URIs. An SVG shown as <img> can load nothing from outside, and the
projector's machine may lack DejaVu Sans (and surely lacks matplotlib's own math fonts): embedded,
the text looks as matplotlib measured it on every machine, and the site still loads nothing.
"""
from __future__ import annotations

import base64
import html
import io
import re

# matplotlib (svg.fonttype "none") writes each run of text as <text> or <tspan> with a style attribute.
RUN = re.compile(r'<(?:text|tspan)\b[^>]*?style="([^"]*)"[^>]*>([^<]+)')
PROPERTY = re.compile(r"([a-z-]+)\s*:\s*([^;]+)")
CSS_WEIGHTS = {"normal": 400, "bold": 700}


def _face(style: str) -> tuple[str, int, str] | None:
    """(first font family, numeric weight, font style) named by a style attribute, or None."""
    properties = {name: value.strip() for name, value in PROPERTY.findall(style)}
    if "font-family" not in properties:
        return None
    family = properties["font-family"].split(",")[0].strip().strip("'\"")
    weight = properties.get("font-weight", "normal")
    weight = CSS_WEIGHTS.get(weight, int(weight) if weight.isdigit() else 400)
    return family, weight, properties.get("font-style", "normal")


def _font_file(family: str, weight: int, style: str) -> str | None:
    """The file matplotlib uses for this face (its own bundled fonts included), or None if it has none."""
    from matplotlib import font_manager

    try:
        return font_manager.findfont(font_manager.FontProperties(family=family, weight=weight, style=style),
                                     fallback_to_default=False)
    except ValueError:
        return None  # the browser falls back along the family list, as without embedding


def _subset_woff(path: str, text: str) -> bytes:
    """The glyphs of `text` from the font at `path`, as WOFF; same input, same bytes."""
    from fontTools import subset, ttLib

    font = ttLib.TTFont(path, recalcTimestamp=False)  # the file's own timestamp: no run-to-run noise
    # No OpenType layout tables: matplotlib placed every glyph itself, and they double the time taken.
    options = subset.Options(layout_features=[], drop_tables=subset.Options().drop_tables + ["FFTM"])
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    font.flavor = "woff"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def embed_fonts(svg: bytes) -> bytes:
    """The SVG with an @font-face for every face its text uses, holding just the glyphs it needs."""
    text = svg.decode("utf-8")
    used: dict[tuple[str, int, str], set[str]] = {}
    for style, content in RUN.findall(text):
        face = _face(style)
        if face and content.strip():
            used.setdefault(face, set()).update(html.unescape(content))
    rules = []
    for (family, weight, style), chars in sorted(used.items()):
        path = _font_file(family, weight, style)
        if path is None:
            continue
        data = base64.b64encode(_subset_woff(path, "".join(sorted(chars)))).decode("ascii")
        rules.append(f"@font-face {{ font-family: '{family}'; font-weight: {weight}; font-style: {style}; "
                     f"src: url(data:font/woff;base64,{data}) format('woff'); }}")
    if not rules:
        return svg
    sheet = "<defs><style>\n" + "\n".join(rules) + "\n</style></defs>\n"
    opening = re.search(r"<svg\b[^>]*>\n?", text)
    return (text[: opening.end()] + sheet + text[opening.end():]).encode("utf-8")
