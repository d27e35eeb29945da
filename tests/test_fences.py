"""One fence grammar: the slide splitter, the Markdown renderer and the reference indexer see the
same fenced code, whatever the fence looks like."""
from __future__ import annotations

import html
import re

import pytest

from deckbuild.errors import DeckError
from deckbuild.fences import lex_fences
from deckbuild.markdown_render import Stash, new_markdown, slide_html
from deckbuild.model import SourceFile
from deckbuild.references import index_references
from deckbuild.slides import split_slides

PATH = "slides/01_a.md"

# (name, slide text, the code of each fence in order)
CASES = [
    ("plain", "# A\n\n```python norun\nx = 1\n```\n", ["x = 1"]),
    ("closed by a longer fence", "# A\n\n```python norun\nx = '<b>bold</b>'\n````\n", ["x = '<b>bold</b>'"]),
    ("a shorter run inside is code", "# A\n\n````markdown\n```python\nx = 1\n```\n````\n", ["```python\nx = 1\n```"]),
    ("tildes hold backticks and separators", "# A\n\n~~~python norun\ns = '```'\n---\n~~~\n", ["s = '```'\n---"]),
    ("backticks do not close tildes", "# A\n\n~~~text\n```\n~~~~~\n", ["```"]),
    ("indented in a list", "1. Run it:\n\n    ```python exec\n    y = 2\n    ```\n", ["y = 2"]),
    ("inside an HTML block", '<div markdown>\n\n```python exec\nz = 3\n```\n\n</div>\n', ["z = 3"]),
    ("Note: and -- inside are code", "# A\n\n```text\nNote: not a note\n--\n```\n", ["Note: not a note\n--"]),
    ("closing fence with trailing spaces", "# A\n\n```python norun\nw = 4\n```   \n", ["w = 4"]),
    ("a fence line with text after it does not close", "# A\n\n```text\n``` not a close\n```\n", ["``` not a close"]),
    ("backticks on one line are a code span", "# A\n\nUse ```x``` here.\n", []),
    ("two fences", "# A\n\n```python exec\na = 1\n```\n\n```python exec\nb = a\n```\n", ["a = 1", "b = a"]),
]


def rendered_code(text: str) -> list[str]:
    """The code of every <pre> block the renderer makes, as plain text."""
    stash = Stash()
    page = stash.restore(slide_html(text, PATH, 1, new_markdown(), stash), {})
    blocks = re.findall(r"<pre[^>]*>(.*?)</pre>", page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", block)) for block in blocks]


@pytest.mark.parametrize("name, text, codes", CASES, ids=[case[0] for case in CASES])
def test_every_reader_sees_the_same_fences(name, text, codes):
    fences = lex_fences(text, PATH)
    assert [fence.code for fence in fences] == codes
    # the renderer: one code block per fence, holding exactly that code (escaped, never raw HTML)
    assert rendered_code(text) == codes
    # the splitter: no separator inside a fence cuts the slide, no Note: inside one starts notes
    (slide,) = split_slides(PATH, text)
    assert slide.notes == "" and all(code in slide.body or code.replace("\n", "\n    ") in slide.body for code in codes)
    # the indexer: exactly the exec fences, with their code and opening line
    refs = index_references([SourceFile(PATH, text)])
    assert [(ref.target, ref.line) for ref in refs] == [(fence.code, fence.line) for fence in fences
                                                       if fence.words[1:2] == ["exec"]]


@pytest.mark.parametrize("text, line, ticks", [
    ("# A\n\n```python norun\nx = 1\n", 3, "```"),
    ("# A\n\n````python norun\nx = 1\n```\n", 3, "````"),  # a shorter run does not close it
    ("# A\n\n~~~text\nx\n```\n", 3, "~~~"),
    ("# A\n```text\nok\n```\n\n    ```text\n    never closed\n", 6, "```"),
])
def test_an_unclosed_fence_is_an_error_at_its_opening_line_for_every_reader(text, line, ticks):
    expected = [f"{PATH}:{line}: code fence {ticks} is never closed"]
    for read in (lambda: split_slides(PATH, text), lambda: rendered_code(text),
                 lambda: index_references([SourceFile(PATH, text)])):
        with pytest.raises(DeckError) as error:
            read()
        assert [str(problem) for problem in error.value.problems] == expected


def test_a_python_block_closed_by_a_longer_fence_still_must_say_whether_it_runs():
    with pytest.raises(DeckError) as error:
        rendered_code("# A\n\n```python\nx = '<b>'\n````\n")
    assert str(error.value) == (f"{PATH}:3: say whether this Python block runs: ```python exec "
                                "(run by check and the tests) or ```python norun (shown only)")


def test_fence_spans_point_back_into_the_text():
    text = "# A\n\n  ~~~~python norun [1|2]\n  a = 1\n  b = 2\n  ~~~~~\nafter\n"
    (fence,) = lex_fences(text, PATH, first_line=10)
    assert (fence.line, fence.end_line, fence.indent, fence.ticks) == (12, 15, "  ", "~~~~")
    assert (fence.info, fence.language, fence.code) == ("python norun [1|2]", "python", "a = 1\nb = 2")
    assert text[fence.start:fence.end] == "  ~~~~python norun [1|2]\n  a = 1\n  b = 2\n  ~~~~~"
