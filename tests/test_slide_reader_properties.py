"""Property test of the slide reader: random slide files made of the documented syntax mean the
same with any line ending and with a byte-order mark, never end in a traceback, and every fence
and formula in them is either closed or reported at a line."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckbuild.errors import DeckError
from deckbuild.markdown_render import Stash, new_markdown, slide_html
from deckbuild.slides import split_slides
from deckbuild.textfiles import decode

PATH = "slides/01_a.md"
words = st.lists(st.sampled_from(["loss", "the", "weights", "Gabor", "ReLU", "x", "é", "naïve", "5", "a\u00a0b", "\t"]),
                 min_size=1, max_size=6).map(" ".join)
tex = st.sampled_from(["x^2", r"\frac{1}{N}", r"\sum_i w_i x_i", r"\alpha", "p(y|x)"])


@st.composite
def fence(draw) -> str:
    """A fenced block, sometimes left open or closed by a wrong or longer run."""
    char = draw(st.sampled_from("`~"))
    ticks = char * draw(st.integers(3, 5))
    info = draw(st.sampled_from(["python norun", "python exec", "text", "", "python norun [1|2]"]))
    body = draw(st.lists(st.one_of(words, st.sampled_from(["---", "--", "Note: inside", "$x", "```", "~~~"])),
                         min_size=1, max_size=4))
    closing = draw(st.sampled_from([ticks, ticks + char, "", ("~" if char == "`" else "`") * len(ticks)]))
    indent = draw(st.sampled_from(["", "  ", "    "]))
    lines = [indent + ticks + info, *[indent + line for line in body]] + ([indent + closing] if closing else [])
    return "\n".join(lines)


block = st.one_of(
    words.map(lambda w: "# " + w),
    words.map(lambda w: "## " + w),
    words,
    st.tuples(words, tex).map(lambda p: f"{p[0]} ${p[1]}$ {p[0]}"),
    st.tuples(words, tex).map(lambda p: f"{p[0]} ${p[1]} {p[0]}"),  # inline math never closed
    tex.map(lambda t: f"$$\n{t}\n$$"),
    tex.map(lambda t: f"$$\n{t}\n"),  # display math never closed
    words.map(lambda w: f"- {w}\n- {w}"),
    words.map(lambda w: "Note: " + w),
    st.just('<!-- .slide: class="section" -->'),
    st.just("Shown <!-- .element: class=\"fragment\" -->"),
    st.just('<div class="columns" markdown>\n<div markdown>\n\nleft\n\n</div>\n</div>'),
    st.sampled_from(["---", "--", ""]),
    fence(),
)
slide_file = st.lists(block, min_size=1, max_size=12).map("\n\n".join)


def read(data: bytes):
    """What the reader makes of a slide file: its slides with their rendered Markdown, or the
    problems it reports. Anything but a DeckError escapes as the traceback this test forbids."""
    try:
        text = decode(data, PATH)
        slides = split_slides(PATH, text)
        rendered = []
        for slide in slides:
            stash = Stash()
            html = slide_html(slide.body, PATH, slide.line, new_markdown(), stash)
            notes = slide_html(slide.notes, PATH, slide.line, new_markdown(), stash) if slide.notes else ""
            rendered.append((slide, html, notes, [(f.tex, f.display, f.line) for f in stash.formulas],
                             [item for item in stash.html if isinstance(item, str)]))
        return "slides", rendered
    except DeckError as error:
        return "problems", [str(problem) for problem in error.problems]


def line_endings(text: str, choice: list[str]) -> str:
    """The text with the n-th line ending replaced by choice[n % len(choice)]."""
    lines = text.split("\n")
    return "".join(line + choice[n % len(choice)] for n, line in enumerate(lines[:-1])) + lines[-1]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Mixed endings come from LF and CRLF only: a CR followed by an LF is one CRLF, not two endings.
@given(slide_file, st.lists(st.sampled_from(["\n", "\r\n"]), min_size=1, max_size=3))
def test_line_endings_and_a_byte_order_mark_change_nothing(text, endings):
    reference = read(text.encode())
    assert read(("\ufeff" + text).encode()) == reference
    assert read(line_endings(text, ["\r\n"]).encode()) == reference
    assert read(line_endings(text, ["\r"]).encode()) == reference
    assert read(line_endings(text, endings).encode()) == reference  # mixed, as after a merge


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slide_file)
def test_every_fence_and_formula_is_closed_or_reported(text):
    outcome, result = read(text.encode())
    if outcome == "problems":
        assert result and all(re.match(rf"^{PATH}:\d+: ", problem) for problem in result), result
        return
    for _, html, notes, _, _ in result:
        prose = re.sub(r"<code>.*?</code>", "", html + notes, flags=re.S)
        assert "```" not in prose and "~~~" not in prose, prose  # every fence became a code block
        # every $ that opens math became a formula (a $ before a digit or a space is a dollar sign)
        assert not re.search(r"(?<![\\$\w])\$(?=[^\s$\d])|\$\$", prose), prose
