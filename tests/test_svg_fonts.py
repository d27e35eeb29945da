"""Figure SVGs carry the glyphs their text uses: same look on every machine, nothing loaded from outside."""
from __future__ import annotations

import re

import matplotlib

from deckbuild.browser import in_chromium, offline_page
from deckbuild.svg_fonts import embed_fonts

matplotlib.use("agg")


def _figure_svg() -> bytes:
    import io

    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "test"}):
        fig = plt.figure(figsize=(4, 2))
        fig.text(0.1, 0.7, "plain 1.0", fontsize=14)
        fig.text(0.1, 0.4, "bold", fontweight="bold")
        fig.text(0.1, 0.1, r"Xavier: $\times 1/\sqrt{2}$", fontsize=14)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(fig)
    return buffer.getvalue()


FACES = re.compile(rb"@font-face \{ font-family: '([^']+)'; font-weight: (\d+); font-style: (\w+);")


def test_each_face_the_text_uses_is_embedded_once_and_the_same_every_time():
    svg = _figure_svg()
    embedded = embed_fonts(svg)
    faces = [(family.decode(), int(weight), style.decode()) for family, weight, style in FACES.findall(embedded)]
    # matplotlib draws the big radical from its own STIX size-variant font, which no system has.
    assert faces == [("DejaVu Sans", 400, "normal"), ("DejaVu Sans", 700, "normal"), ("STIXSizeOneSym", 400, "normal")]
    assert embedded == embed_fonts(svg), "embedding must be deterministic: cold builds give the same bytes"
    assert embedded.replace(re.search(rb"<defs><style>.*?</style></defs>\n", embedded, re.S).group(), b"") == svg


def test_an_svg_without_text_or_with_an_unknown_font_is_left_alone():
    blank = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">\n<rect width="5" height="5"/>\n</svg>'
    assert embed_fonts(blank) == blank
    unknown = blank.replace(b"<rect", b"<text style=\"font-family: 'No Such Font'\">x</text><rect")
    assert embed_fonts(unknown) == unknown


def test_chromium_loads_the_embedded_fonts_offline(tmp_path):
    svg = tmp_path / "figure.svg"
    svg.write_bytes(embed_fonts(_figure_svg()))

    def visit(browser):
        page = offline_page(browser)
        page.goto(svg.as_uri())
        return page.evaluate("""async () => { await document.fonts.ready;
            return [...document.fonts].map(f => [f.family.replace(/['"]/g, ''), f.weight, f.status]); }"""), page.blocked

    fonts, blocked = in_chromium(visit)
    assert sorted(fonts) == [["DejaVu Sans", "400", "loaded"], ["DejaVu Sans", "700", "loaded"],
                             ["STIXSizeOneSym", "400", "loaded"]]
    assert blocked == []
