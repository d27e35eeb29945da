"""Code on slides: Pygments highlighting at build time, reveal.js-style line steps as fragments."""
from __future__ import annotations

from html import escape

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

FORMATTER = HtmlFormatter(nowrap=True)


def parse_steps(steps: str, n_lines: int) -> list[set[int]]:
    """'1|3-5,7' -> [{1}, {3,4,5,7}]; an empty step highlights every line. Raises ValueError."""
    result = []
    for step in steps.split("|"):
        lines: set[int] = set()
        for part in filter(None, (p.strip() for p in step.split(","))):
            first, _, last = part.partition("-")
            low, high = int(first), int(last or first)
            if not 1 <= low <= high <= n_lines:
                raise ValueError(f"line step '{part}' is outside the code's {n_lines} lines")
            lines.update(range(low, high + 1))
        result.append(lines or set(range(1, n_lines + 1)))
    return result


def highlight_lines(code: str, language: str) -> list[str]:
    """The code as one HTML string per line, each token in a Pygments CSS class (Pygments closes
    and reopens its spans at every line end, so each line stands alone)."""
    try:
        lexer = get_lexer_by_name(language or "text", stripnl=False, ensurenl=False)
    except ClassNotFound:
        lexer = get_lexer_by_name("text", stripnl=False, ensurenl=False)
    return highlight(code, lexer, FORMATTER).split("\n")[: code.count("\n") + 1]


def code_html(code: str, language: str = "python", steps: str | None = None, caption: str = "") -> str:
    """A <pre> block; with steps, one <code> per step, later ones as fragments stacked on top."""
    lines = highlight_lines(code, language)
    lang = escape(language or "text")

    def block(lit: set[int] | None, extra: str = "") -> str:
        spans = []
        for number, html in enumerate(lines, 1):
            state = "" if lit is None else (" hl" if number in lit else " dim")
            spans.append(f'<span class="line{state}">{html}</span>')
        return f'<code class="highlight language-{lang}{extra}">' + "\n".join(spans) + "</code>"

    if steps:
        sets = parse_steps(steps, len(lines))
        body = block(sets[0]) + "".join(block(s, " fragment step") for s in sets[1:])
        pre = f'<pre class="code stepped" data-steps="{escape(steps)}">{body}</pre>'
    else:
        pre = f'<pre class="code">{block(None)}</pre>'
    if caption:
        return f'<figure class="code-figure">{pre}<figcaption class="code-caption">{escape(caption)}</figcaption></figure>'
    return pre


def output_html(text: str) -> str:
    """Printed output: escaped, in a block styled differently from code."""
    return f'<pre class="output"><code>{escape(text.rstrip())}</code></pre>'
